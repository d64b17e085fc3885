"""Property-based fuzzing of licensing's OpenAPI as a customer and as staff: no 5xx, and every
answer is one the document names."""

from typing import Any

from tests.accounts import PortalUser
from tests.fuzz import fuzz_service


async def test_no_input_causes_a_server_error(
    stack: dict[str, Any], staff: PortalUser, new_customer: Any
) -> None:
    # A verified customer (so fuzzing gets past 403 on /me) and staff for the back office.
    customer = await new_customer()
    identities = {"customer": customer.headers, "staff": staff.headers}
    count, failures = fuzz_service(stack["services"]["licensing"]["url"], identities)
    assert count >= 15
    assert not failures, "\n\n".join(failures)
