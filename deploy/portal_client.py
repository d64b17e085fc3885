"""A small client of the portal's public API, as a customer, an admin or the release team uses it.

One place that knows the API's paths, shared by the demo data (`deploy.demo`), the end-to-end
tests and the benchmarks. It goes through the gateway like a browser does.
"""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        super().__init__(
            f"{response.request.method} {response.request.url} → {response.status_code}: {response.text[:500]}"
        )


def expect(response: httpx.Response, *statuses: int) -> Any:
    if response.status_code not in statuses:
        raise ApiError(response)
    return (
        response.json() if response.content and "json" in response.headers.get("content-type", "") else None
    )


class Portal:
    """The gateway, with or without a signed-in user."""

    def __init__(self, base_url: str, token: str | None = None, *, locale: str = "en") -> None:
        headers = {"Accept-Language": locale}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30)
        self.base_url = base_url

    async def __aenter__(self) -> "Portal":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.http.aclose()

    def signed_in(self, token: str) -> "Portal":
        return Portal(self.base_url, token)

    # identity
    async def register(self, *, email: str, password: str, name: str, phone: str, locale: str) -> None:
        body = {"email": email, "password": password, "name": name, "phone": phone, "locale": locale}
        expect(await self.http.post("/api/identity/auth/register", json=body), 202)

    async def verify(self, token: str) -> None:
        expect(await self.http.post("/api/identity/auth/verify", json={"token": token}), 200)

    async def login(self, email: str, password: str) -> str:
        answer = expect(
            await self.http.post("/api/identity/auth/login", json={"email": email, "password": password}), 200
        )
        return answer["access_token"]

    # licensing (back office)
    async def issue_license(
        self, *, product: str, edition: str, seats: int, purchased_on: date, warranty_ends: date
    ) -> dict[str, Any]:
        body = {
            "product": product,
            "edition": edition,
            "seats": seats,
            "purchased_on": purchased_on.isoformat(),
            "warranty_ends": warranty_ends.isoformat(),
        }
        return expect(await self.http.post("/api/licensing/admin/licenses", json=body), 201)

    async def issue_contract(self, serial: str, *, starts_on: date, ends_on: date) -> dict[str, Any]:
        body = {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}
        return expect(
            await self.http.post(f"/api/licensing/admin/licenses/{serial}/contracts", json=body), 201
        )

    # licensing (customer)
    async def search_license(self, serial: str, registration_number: str) -> httpx.Response:
        body = {"serial": serial, "registration_number": registration_number}
        return await self.http.post("/api/licensing/me/licenses/search", json=body)

    async def bind_license(self, serial: str, registration_number: str) -> httpx.Response:
        body = {"serial": serial, "registration_number": registration_number}
        return await self.http.post("/api/licensing/me/licenses", json=body)

    async def bind_contract(self, serial: str, registration_number: str) -> httpx.Response:
        body = {"serial": serial, "registration_number": registration_number}
        return await self.http.post("/api/licensing/me/contracts", json=body)

    async def my_licenses(self) -> list[dict[str, Any]]:
        return expect(await self.http.get("/api/licensing/me/licenses"), 200)

    # cases
    async def open_case(self, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post("/api/cases/cases", json=body)

    async def cases(self) -> list[dict[str, Any]]:
        return expect(await self.http.get("/api/cases/cases"), 200)

    async def assign_case(self, case_id: str, assignee_id: str | None) -> dict[str, Any]:
        body = {"assignee_id": assignee_id}
        return expect(await self.http.post(f"/api/cases/cases/{case_id}/assignee", json=body), 200)

    async def reply(self, case_id: str, body: str, **options: Any) -> dict[str, Any]:
        message = {"body": body, **options}
        return expect(await self.http.post(f"/api/cases/cases/{case_id}/messages", json=message), 201)

    async def add_partner(
        self, *, name: str, region: str, contact: str, products: list[str]
    ) -> dict[str, Any]:
        body = {"name": name, "region": region, "contact": contact, "products": products}
        return expect(await self.http.post("/api/cases/desk/partners", json=body), 201)

    async def me(self) -> dict[str, Any]:
        return expect(await self.http.get("/api/identity/me"), 200)

    # downloads
    async def releases(self, **params: str) -> list[dict[str, Any]]:
        return expect(await self.http.get("/api/downloads/releases", params=params), 200)

    async def artifact_grant(self, release_id: str, filename: str) -> httpx.Response:
        return await self.http.get(
            f"/api/downloads/releases/{release_id}/artifacts/{filename}", headers={"Prefer": "no-redirect"}
        )


def run_cli(module: str, env: dict[str, str], *args: str) -> str:
    """Run a project CLI (`python -m <module> …`) with a service's environment; return its stdout."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def create_user(
    identity_env: dict[str, str],
    *,
    email: str,
    password: str,
    name: str,
    roles: str = "customer",
    locale: str = "en",
    phone: str = "+886912345678",
) -> str:
    """Create (or update) a verified account through identity's CLI; returns its id."""
    out = run_cli(
        "services.identity.cli",
        identity_env,
        "create-user",
        "--email", email,
        "--name", name,
        "--phone", phone,
        "--password", password,
        "--locale", locale,
        "--roles", roles,
        "--verified",
    )  # fmt: skip
    return out.strip().split()[-1]


# The account the demo and the tests publish releases with (a local stack only).
RELEASE_TEAM = {"email": "release-team@example.com", "password": "Amber-Quay-2817", "name": "Release Team"}
_release_accounts: set[str] = set()


def release_env(
    stack: dict[str, Any], *, email: str | None = None, password: str | None = None
) -> dict[str, str]:
    """The release tool's settings for this stack: its gateway and an account with the release
    role (the local release-team account unless one is named)."""
    if email is None or password is None:
        email, password = RELEASE_TEAM["email"], RELEASE_TEAM["password"]
        if stack["gateway"]["url"] not in _release_accounts:
            create_user(stack["services"]["identity"]["env"], email=email, password=password,
                        name=RELEASE_TEAM["name"], roles="release")  # fmt: skip
            _release_accounts.add(stack["gateway"]["url"])
    return {
        "RELEASE_PORTAL_URL": stack["gateway"]["url"],
        "RELEASE_EMAIL": email,
        "RELEASE_PASSWORD": password,
    }


def publish_release(
    stack: dict[str, Any],
    *,
    product: str,
    version: str,
    kind: str,
    title: str,
    files: list[Path],
    notes: str = "",
    channel: str = "stable",
    published_on: str | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Publish with `support-release` (as the local release-team account unless `env` names one)."""
    args = ["publish", "--product", product, "--version", version, "--kind", kind, "--title", title]
    args += ["--channel", channel]
    if published_on:
        args += ["--published-on", published_on]
    if notes:
        args += ["--notes", notes]
    return run_cli("services.downloads.release_tool", env or release_env(stack), *args, *map(str, files))
