"""Accounts and access tokens for the services' tests (downloads, cases, …).

With identity running in the test stack, users are created with identity's CLI and signed in
through the gateway, like customers. While identity is not part of the stack (not written yet,
or left out by SP_TEST_SERVICES), a stand-in issuer serves a JWKS at identity's address and
signs tokens with the same claims and algorithm (EdDSA), so the services verify them exactly
as they will verify identity's.
"""

import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import clock
from shared.auth import ALGORITHM, AUDIENCE, ISSUER
from tests.kit import ROOT, service_cli, unique_email


@dataclass(frozen=True)
class PortalUser:
    user_id: uuid.UUID
    email: str
    name: str
    token: str
    roles: tuple[str, ...]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class StandInIssuer:
    """Signs access tokens and serves their public key at identity's JWKS address."""

    def __init__(self, jwks_url: str) -> None:
        self._key = Ed25519PrivateKey.generate()
        self.kid = f"test-{uuid.uuid4().hex[:8]}"
        public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self._key.public_key()))
        body = json.dumps({"keys": [{**public, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        address = urlsplit(jwks_url)
        self._server = ThreadingHTTPServer((address.hostname or "127.0.0.1", address.port or 80), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def token(self, user_id: uuid.UUID, roles: tuple[str, ...], email: str) -> str:
        now = clock.timestamp()
        claims = {
            "sub": str(user_id),
            "roles": list(roles),
            "email": email,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 3600,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def identity_available(stack: dict[str, Any]) -> bool:
    entry = stack["services"].get("identity", {})
    if not (ROOT / "services" / "identity" / "cli.py").exists():
        return False
    try:
        return httpx.get(f"{entry['url']}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class Accounts:
    def __init__(self, stack: dict[str, Any], gateway: httpx.AsyncClient) -> None:
        self.stack = stack
        self.gateway = gateway
        self.issuer: StandInIssuer | None = None
        if not identity_available(stack):
            self.issuer = StandInIssuer(stack["services"]["downloads"]["env"]["DOWNLOADS_JWKS_URL"])

    async def user(self, *roles: str, name: str = "Test User") -> PortalUser:
        roles = roles or ("customer",)
        email = unique_email(roles[0])
        if self.issuer is not None:
            user_id = uuid.uuid4()
            return PortalUser(user_id, email, name, self.issuer.token(user_id, roles, email), roles)
        password = f"Pw-{uuid.uuid4().hex}"
        service_cli(
            self.stack,
            "identity",
            "create-user",
            *("--email", email, "--name", name, "--phone", "+886912345678"),
            *("--password", password, "--locale", "en", "--roles", ",".join(roles), "--verified"),
        )
        response = await self.gateway.post(
            "/api/identity/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        user_id = uuid.UUID(jwt.decode(token, options={"verify_signature": False})["sub"])
        return PortalUser(user_id, email, name, token, roles)

    def close(self) -> None:
        if self.issuer is not None:
            self.issuer.close()
