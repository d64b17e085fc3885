"""Property-based fuzzing of identity's OpenAPI: no input may cause a server error or an answer
the document does not describe (tests/fuzz.py)."""

from typing import Any

import httpx
import pytest

from tests.fuzz import fuzz_service
from tests.identity.helpers import PASSWORD, client_ip, staff_user


@pytest.fixture(scope="session")
def fuzz_headers(stack: dict[str, Any]) -> dict[str, str]:
    """An admin of its own (fuzzing may end its sessions) and an address of its own (lockouts)."""
    user = staff_user(stack, "admin")
    address = client_ip()
    response = httpx.post(
        f"{stack['services']['identity']['url']}/auth/login",
        json={"email": user["email"], "password": PASSWORD},
        headers={"X-Forwarded-For": address},
        timeout=30,
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}", "X-Forwarded-For": address}


def test_no_input_causes_a_server_error_or_an_undocumented_answer(
    stack: dict[str, Any], fuzz_headers
) -> None:
    anonymous = {"X-Forwarded-For": fuzz_headers["X-Forwarded-For"]}
    count, failures = fuzz_service(
        stack["services"]["identity"]["url"], {"anonymous": anonymous, "admin": fuzz_headers}, max_examples=20
    )
    assert count >= 20
    assert not failures, "\n\n".join(failures)
