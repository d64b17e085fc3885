"""Whose word a service takes for the client's address (pure: requests are built, not sent)."""

import pytest
from fastapi import FastAPI
from starlette.requests import Request

from shared.config import ServiceSettings
from shared.http.deps import client_address


def _request(peer: str, trusted: str, headers: dict[str, str]) -> Request:
    app = FastAPI()
    app.state.settings = ServiceSettings(trusted_proxies=trusted)
    scope = {
        "type": "http",
        "app": app,
        "client": (peer, 40000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("peer", "trusted", "headers", "seen"),
    [
        ("127.0.0.1", "127.0.0.1", {"X-Real-IP": "203.0.113.5"}, "203.0.113.5"),
        ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "203.0.113.6, 10.0.0.1"}, "203.0.113.6"),
        ("127.0.0.1", "127.0.0.1", {}, "127.0.0.1"),
        ("127.0.0.7", "127.0.0.1", {"X-Real-IP": "203.0.113.5"}, "127.0.0.7"),  # not the gateway
        ("10.4.2.9", "10.0.0.0/8, 127.0.0.1", {"X-Real-IP": "198.51.100.1"}, "198.51.100.1"),
        ("192.0.2.1", "10.0.0.0/8", {"X-Forwarded-For": "198.51.100.1"}, "192.0.2.1"),
        ("::1", "127.0.0.1", {"X-Real-IP": "203.0.113.5"}, "::1"),
    ],
)
def test_only_a_trusted_proxy_names_the_client(
    peer: str, trusted: str, headers: dict[str, str], seen: str
) -> None:
    assert client_address(_request(peer, trusted, headers)) == seen
