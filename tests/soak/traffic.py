"""The soak's customers: each walks the portal's main journey through the gateway, again and again,
until the traffic deadline, recording every answer in the ledger.

register → verification mail → verify → sign in → bind a license → bind its contract → open a
case → reply → list releases → download grant.

Requests that change something and cannot be repeated safely (registration, case opening, reply)
are sent once; after an answer other than 2xx the customer starts over with a new object, so each
object has at most one request that might have taken effect. Idempotent ones (verify, sign-in,
binds, reads) are repeated while the stack is unavailable (502/503/504 or no answer) or while a
projection has not yet caught up (a 403 before licensing or cases learnt of the account).
"""

import asyncio
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from deploy.local.gateway import TRUSTED_PROXY
from tests.kit import client_ip
from tests.soak.ledger import UNANSWERED, UNAVAILABLE, Ledger

PASSWORD = "Harbour-Lantern-Quartz-42"
RETRY_PAUSE = 0.5
VERIFY_LINK = re.compile(r"https?://\S+?token=([\w\-.~%]+)")


@dataclass(frozen=True)
class LicenseOffer:
    """A license issued before the soak, with one contract, for one customer to bind."""

    license_id: str
    serial: str
    registration_number: str
    contract_registration_number: str


class Portal:
    """The gateway as one customer reaches it (their own address, their own token)."""

    def __init__(self, gateway_url: str, ledger: Ledger) -> None:
        self.ledger = ledger
        self.headers = {"X-Forwarded-For": client_ip(), "Accept-Language": "en"}
        transport = httpx.AsyncHTTPTransport(local_address=TRUSTED_PROXY)
        self.http = httpx.AsyncClient(base_url=gateway_url, transport=transport, timeout=20)

    async def call(
        self, op: str, key: str, method: str, path: str, *, extra: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response | None:
        began = time.monotonic()
        try:
            response = await self.http.request(
                method, path, headers={**self.headers, **(extra or {})}, **kwargs
            )
        except httpx.TransportError:
            self.ledger.record(op, UNANSWERED, key, time.monotonic() - began)
            return None
        request_id = response.headers.get("x-request-id", "")
        self.ledger.record(op, response.status_code, key, time.monotonic() - began, request_id)
        return response

    async def repeat(
        self,
        deadline: float,
        op: str,
        key: str,
        method: str,
        path: str,
        *,
        waiting: tuple[int, ...] = (),
        **kw: Any,
    ) -> httpx.Response | None:
        """An idempotent request, repeated while unavailable (or in `waiting`) until the deadline."""
        while True:
            response = await self.call(op, key, method, path, **kw)
            status = UNANSWERED if response is None else response.status_code
            if status not in UNAVAILABLE and status not in waiting:
                return response
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(RETRY_PAUSE)

    async def close(self) -> None:
        await self.http.aclose()


class Mailbox:
    """Mailpit's API, tolerant of Mailpit being stopped by the schedule."""

    def __init__(self, http_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=http_url, timeout=10)

    async def verification_token(self, email: str, deadline: float) -> str | None:
        while time.monotonic() < deadline:
            try:
                found = await self.http.get("/api/v1/search", params={"query": f'to:"{email}"', "limit": 50})
                for message in found.json().get("messages", []):
                    body = (await self.http.get(f"/api/v1/message/{message['ID']}")).json()["Text"]
                    if match := VERIFY_LINK.search(body):
                        return match.group(1)
            except (httpx.TransportError, ValueError, KeyError):
                pass  # Mailpit is down for the moment
            await asyncio.sleep(RETRY_PAUSE)
        return None

    async def close(self) -> None:
        await self.http.aclose()


@dataclass
class Journey:
    gateway_url: str
    mailbox: Mailbox
    ledger: Ledger
    run_id: str
    product: str
    # How long one step may wait for the stack to come back before the customer gives up.
    patience: float = 90.0

    async def walk(self, offers: asyncio.Queue[LicenseOffer]) -> bool:
        """One customer's journey; False if it ended early (refused, or the stack was away)."""
        portal = Portal(self.gateway_url, self.ledger)
        try:
            return await self._walk(portal, offers)
        finally:
            await portal.close()

    async def _walk(self, portal: Portal, offers: asyncio.Queue[LicenseOffer]) -> bool:
        email = f"soak-{self.run_id}-{uuid.uuid4().hex[:10]}@example.com"
        body = {"email": email, "password": PASSWORD, "name": "Soak Customer", "phone": "+886912345678"}
        registered = await portal.call(
            "register", email, "POST", "/api/identity/auth/register", json={**body, "locale": "en"}
        )
        if registered is None or registered.status_code != 202:
            return False
        token = await self.mailbox.verification_token(email, self._deadline())
        if token is None:
            return False
        verified = await portal.repeat(
            self._deadline(), "verify", email, "POST", "/api/identity/auth/verify", json={"token": token}
        )
        if verified is None or verified.status_code != 200:
            return False
        signed_in = await portal.repeat(
            self._deadline(),
            "login",
            email,
            "POST",
            "/api/identity/auth/login",
            json={"email": email, "password": PASSWORD},
        )
        if signed_in is None or signed_in.status_code != 200:
            return False
        portal.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        try:
            offer = offers.get_nowait()
        except asyncio.QueueEmpty:
            return False
        lookup = {"serial": offer.serial, "registration_number": offer.registration_number}
        holder = f"{offer.serial} {email}"  # the ledger's key: which license, bound to whom
        # 403 until licensing has consumed UserVerified.
        bound = await portal.repeat(
            self._deadline(),
            "bind",
            holder,
            "POST",
            "/api/licensing/me/licenses",
            json=lookup,
            waiting=(403,),
        )
        if bound is None or bound.status_code != 201:
            return False
        contract = {**lookup, "registration_number": offer.contract_registration_number}
        await portal.repeat(
            self._deadline(),
            "bind_contract",
            holder,
            "POST",
            "/api/licensing/me/contracts",
            json=contract,
        )
        case_id = await self._open_case(portal, offer)
        if case_id is None:
            return False
        reply = f"soak reply {uuid.uuid4().hex}"
        replied = await portal.call(
            "reply", reply, "POST", f"/api/cases/cases/{case_id}/messages", json={"body": reply}
        )
        await self._download(portal)
        return replied is not None and replied.status_code == 201

    async def _open_case(self, portal: Portal, offer: LicenseOffer) -> str | None:
        """A new subject per attempt: an attempt not answered 201 may or may not have opened it."""
        deadline = self._deadline()
        while time.monotonic() < deadline:
            subject = f"soak case {uuid.uuid4().hex}"
            body = {
                "license_id": offer.license_id,
                "category": "bug",
                "subject": subject,
                "description": "Nightly flow stops.",
            }
            opened = await portal.call("open_case", subject, "POST", "/api/cases/cases", json=body)
            if opened is not None and opened.status_code == 201:
                return str(opened.json()["id"])
            if opened is not None and opened.status_code not in (*UNAVAILABLE, 403):
                return None  # refused for good (a 403 means cases has not learnt the license yet)
            await asyncio.sleep(RETRY_PAUSE * 2)
        return None

    async def _download(self, portal: Portal) -> None:
        listed = await portal.repeat(
            self._deadline(),
            "releases",
            self.product,
            "GET",
            "/api/downloads/releases",
            params={"product": self.product},
        )
        if listed is None or listed.status_code != 200 or not listed.json():
            return
        release = listed.json()[0]
        for artifact in release["artifacts"][:1]:
            path = f"/api/downloads/releases/{release['release_id']}/artifacts/{artifact['filename']}"
            # The grant (a presigned URL) without following it: the bytes never pass a service.
            await portal.repeat(
                self._deadline(),
                "download",
                release["release_id"],
                "GET",
                path,
                extra={"Prefer": "no-redirect"},
            )

    def _deadline(self) -> float:
        return time.monotonic() + self.patience
