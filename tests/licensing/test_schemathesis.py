"""Property-based fuzzing of licensing's OpenAPI: no input may cause a server error."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.licensing.helpers import Account

MAX_EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="session")
def licensing_schema(stack: dict[str, Any]):
    return schemathesis.openapi.from_url(f"{stack['services']['licensing']['url']}/openapi.json")


def _fuzz(operation: Any, headers: dict[str, str]):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=30)

    return check


async def test_no_input_causes_a_server_error(licensing_schema, staff: Account, new_customer: Any) -> None:
    # Staff headers for the back office, a verified customer's for /me (so fuzzing gets past 403).
    customer = await new_customer()
    staff_headers, customer_headers = await staff.headers(), await customer.headers()
    failures: list[str] = []
    operations = [result.ok() for result in licensing_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        headers = customer_headers if operation.path.startswith("/me") else staff_headers

        check = _fuzz(operation, headers)
        try:
            check()
        except Exception as error:
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
