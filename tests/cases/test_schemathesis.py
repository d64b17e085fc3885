"""Property-based fuzzing of cases's OpenAPI as a customer and as staff: no 5xx."""

from typing import Any

import httpx
import pytest

from tests.accounts import Accounts
from tests.fuzz import fuzz_service
from tests.licensing.helpers import client_ip

MIN_OPERATIONS = 7  # the service's routes plus /healthz and /readyz


@pytest.fixture(scope="module")
def fuzz_accounts(stack: dict[str, Any], gateway: httpx.AsyncClient) -> Any:
    box = Accounts(stack, gateway)
    yield box
    box.close()


async def test_no_input_causes_a_server_error(stack: dict[str, Any], fuzz_accounts: Accounts) -> None:
    customer = await fuzz_accounts.user("customer", name="Fuzz Customer")
    staff = await fuzz_accounts.user("admin", "support", "security", name="Fuzz Staff")
    identities = {
        "customer": customer.headers | {"X-Forwarded-For": client_ip()},
        "staff": staff.headers | {"X-Forwarded-For": client_ip()},
    }
    count, failures = fuzz_service(stack["services"]["cases"]["url"], identities)
    assert count >= MIN_OPERATIONS
    assert not failures, "\n\n".join(failures)
