"""Property-based fuzzing of the downloads service's OpenAPI as a customer and as staff: no 5xx and
no answer the document does not describe (tests/fuzz.py)."""

from typing import Any

import httpx

from tests.fuzz import fuzz_as_customer_and_staff


async def test_no_input_causes_a_server_error_or_an_undocumented_answer(
    stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    await fuzz_as_customer_and_staff(
        stack, gateway, "downloads", min_operations=5
    )  # routes + /healthz, /readyz
