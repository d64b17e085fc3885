"""Property-based fuzzing of identity's OpenAPI: no input may cause a server error."""

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

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


@pytest.fixture(scope="session")
def identity_schema(stack: dict[str, Any]):
    return schemathesis.openapi.from_url(f"{stack['services']['identity']['url']}/openapi.json")


MAX_EXAMPLES_PER_OPERATION = 30


def test_no_input_causes_a_server_error(identity_schema, fuzz_headers):
    # Driven operation by operation with Hypothesis directly: schemathesis' pytest plugin
    # (`from_fixture`) does not work with this pytest version.
    failures: list[str] = []
    operations = [result.ok() for result in identity_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case):
            case.call_and_validate(headers=fuzz_headers, checks=[not_a_server_error], timeout=30)

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
