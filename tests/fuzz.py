"""Schemathesis over a service's OpenAPI, operation by operation: no input may cause a 5xx or
an answer the document does not describe.

Driven with Hypothesis directly (schemathesis' pytest plugin does not work with this pytest).
Each operation is called with every given set of headers (a customer's, staff's), so fuzzing
gets past the role checks. Calls are one-off, never chained (no stateful links): a staff
operation only ever meets made-up ids, so fuzzing cannot void or move anything real.
"""

from collections.abc import Mapping
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, status_code_conformance

# No 5xx, and every answer is one the OpenAPI document names, with the content type it names.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


def fuzz_service(
    service_url: str, identities: Mapping[str, dict[str, str]], *, max_examples: int = 25
) -> tuple[int, list[str]]:
    """(operations fuzzed, failures as `<identity> <operation>: <error>`)."""
    schema = schemathesis.openapi.from_url(f"{service_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    for operation in operations:
        for who, headers in identities.items():
            try:
                _fuzz(operation, headers, max_examples)()
            except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup is the latter
                failures.append(f"{who} {operation.label}: {_explain(error)}")
    return len(operations), failures


def _fuzz(operation: Any, headers: dict[str, str], max_examples: int) -> Any:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    return check


def _explain(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(_explain(inner) for inner in error.exceptions)
    return " ".join(str(error).split())


async def fuzz_as_customer_and_staff(
    stack: dict[str, Any], gateway: httpx.AsyncClient, service: str, *, min_operations: int
) -> None:
    """Fuzz `service` as a fresh customer and a fresh member of every staff role; each from an
    address of its own, so the per-address limits of one never stop the other."""
    from tests.accounts import new_account
    from tests.kit import client_ip

    customer = await new_account(stack, "customer", name="Fuzz Customer", ip=client_ip())
    staff = await new_account(stack, "admin", "support", "security", name="Fuzz Staff", ip=client_ip())
    identities = {"customer": customer.headers, "staff": staff.headers}
    count, failures = fuzz_service(stack["services"][service]["url"], identities)
    assert count >= min_operations, f"{service}: only {count} operations in its OpenAPI"
    assert not failures, "\n\n".join(failures)
