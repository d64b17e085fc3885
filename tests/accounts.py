"""The tests' one account type: a real identity account, signed in, whose `headers` stay valid.

Accounts are made the way support makes them (identity's CLI `create-user`, verified) or the
way customers do (registration through identity's API, then verified by staff), and sign in at
identity itself: setting accounts up must not spend the gateway's per-address limits that the
tests measure. An account signs in when it is made (without blocking the event loop, whose
other requests wait meanwhile); identity's access tokens live ten minutes, so an account that
outlives one signs in again, once, when its token is older than eight.
"""

import asyncio
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.i18n import Locale
from tests.kit import client_ip, service_cli, unique_email

PASSWORD = "Lantern-Orchard-5190"
TOKEN_REFRESH_SECONDS = 8 * 60


@dataclass
class PortalUser:
    user_id: uuid.UUID
    email: str
    name: str
    roles: tuple[str, ...]
    password: str
    login_url: str  # identity's own sign-in address
    # The address the account's requests come from (X-Forwarded-For), or None to leave it to
    # the client (a test that varies addresses itself).
    ip: str | None = None
    _token: str = field(default="", repr=False)
    _signed_in_at: float = field(default=0.0, repr=False)

    async def sign_in(self) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(self.login_url, json=self._credentials, headers=self._from_anywhere)
        self._keep(response)

    @property
    def token(self) -> str:
        """A valid access token. Signing in again is a blocking call (a property cannot wait),
        made at most once per eight minutes per account."""
        if time.monotonic() - self._signed_in_at > TOKEN_REFRESH_SECONDS:
            self._keep(
                httpx.post(self.login_url, json=self._credentials, headers=self._from_anywhere, timeout=30)
            )
        return self._token

    @property
    def _credentials(self) -> dict[str, str]:
        return {"email": self.email, "password": self.password}

    @property
    def _from_anywhere(self) -> dict[str, str]:
        # Sign-ins come from addresses of their own: identity's per-address limits are its tests' business.
        return {"X-Forwarded-For": client_ip()}

    def _keep(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        self._token = response.json()["access_token"]
        self._signed_in_at = time.monotonic()

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.ip is not None:
            headers["X-Forwarded-For"] = self.ip
        return headers


def identity_url(stack: dict[str, Any]) -> str:
    return str(stack["services"]["identity"]["url"])


async def new_account(
    stack: dict[str, Any],
    *roles: str,
    name: str = "Test User",
    locale: Locale = "en",
    ip: str | None = None,
) -> PortalUser:
    """A verified account with these roles (a customer without), made with identity's CLI."""
    roles = roles or ("customer",)
    email = unique_email(roles[0])
    password = f"Pw-{secrets.token_hex(12)}"
    created = await asyncio.to_thread(
        service_cli,
        stack,
        "identity",
        "create-user",
        *("--email", email, "--name", name, "--phone", "+886912345678"),
        *("--password", password, "--locale", locale, "--roles", ",".join(roles), "--verified"),
    )
    user = PortalUser(
        uuid.UUID(created.strip()), email, name, roles, password, f"{identity_url(stack)}/auth/login", ip=ip
    )
    await user.sign_in()
    return user


async def register_customer(
    identity: httpx.AsyncClient, staff: PortalUser, *, verify: bool = True
) -> PortalUser:
    """A customer registered through identity's API (as at the portal), verified by staff the
    way support does it for blocked mail. `identity` is a client of identity itself."""
    email = unique_email("customer")
    body = {
        "name": "Mei Chen",
        "phone": "0912 345 678",
        "email": email,
        "password": PASSWORD,
        "locale": "zh-TW",
    }
    response = await identity.post("/auth/register", json=body, headers={"X-Forwarded-For": client_ip()})
    assert response.status_code == 202, response.text
    found = await identity.get("/admin/users", params={"q": email}, headers=staff.headers)
    assert found.status_code == 200, found.text
    [user] = [u for u in found.json()["items"] if u["email"] == email]
    account = PortalUser(
        uuid.UUID(user["id"]),
        email,
        "Mei Chen",
        ("customer",),
        PASSWORD,
        str(identity.base_url).rstrip("/") + "/auth/login",
        ip=client_ip(),
    )
    if verify:
        verified = await identity.post(
            f"/admin/users/{account.user_id}/verify",
            json={"reason": "test: mail blocked"},
            headers=staff.headers,
        )
        assert verified.status_code == 200, verified.text
        await account.sign_in()  # identity signs in verified accounts only
    return account


class Accounts:
    """The `accounts` fixture: `await accounts.user("support")`."""

    def __init__(self, stack: dict[str, Any], gateway: httpx.AsyncClient) -> None:
        self.stack = stack
        self.gateway = gateway

    async def user(self, *roles: str, name: str = "Test User") -> PortalUser:
        return await new_account(self.stack, *roles, name=name)
