"""Who may do what on a case: every case and desk endpoint against every kind of caller.

Callers: the reporter (alice), another customer (bob), support, security and admin. Cases: an
ordinary one and a security issue, both alice's. A status that is not the expected one fails with
the whole row printed, so a regression names the endpoint and the caller.
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.accounts import PortalUser
from tests.cases.conftest import CaseEvents, People, opened_case

Call = Callable[[httpx.AsyncClient, PortalUser, dict[str, Any]], Awaitable[httpx.Response]]
CALLERS = ("alice", "bob", "support", "security", "admin")


def _get(path: str) -> Call:
    async def call(gateway: httpx.AsyncClient, user: PortalUser, case: dict[str, Any]) -> httpx.Response:
        return await gateway.get(path.format(**case), headers=user.headers)

    return call


def _post(path: str, body: Callable[[PortalUser], dict[str, Any]]) -> Call:
    async def call(gateway: httpx.AsyncClient, user: PortalUser, case: dict[str, Any]) -> httpx.Response:
        return await gateway.post(path.format(**case), json=body(user), headers=user.headers)

    return call


CASE = "/api/cases/cases/{id}"
# endpoint → (expected status for an ordinary case, for a security case), per caller in CALLERS.
MATRIX: dict[str, tuple[Call, tuple[int, ...], tuple[int, ...]]] = {
    "read": (_get(CASE), (200, 404, 200, 200, 200), (200, 404, 404, 200, 404)),
    "reply": (
        _post(CASE + "/messages", lambda u: {"body": f"reply from {u.name}"}),
        (201, 404, 201, 201, 201),
        (201, 404, 404, 201, 404),
    ),
    "internal note": (
        _post(CASE + "/messages", lambda u: {"body": "staff eyes only", "internal": True}),
        (403, 404, 201, 201, 201),
        (403, 404, 404, 201, 404),
    ),
    "set in progress": (
        _post(CASE + "/status", lambda u: {"status": "in_progress"}),
        (403, 404, 200, 200, 200),
        (403, 404, 404, 200, 404),
    ),
    "assign to self": (
        _post(CASE + "/assignee", lambda u: {"assignee_id": str(u.user_id)}),
        (403, 404, 200, 200, 200),
        (403, 404, 404, 200, 404),
    ),
    "severity": (
        _post(CASE + "/severity", lambda u: {"severity": "high"}),
        (403, 404, 200, 200, 200),
        (403, 404, 404, 200, 404),
    ),
    "attachments": (
        _get(CASE + "/attachments"),
        (200, 404, 200, 200, 200),
        (200, 404, 404, 200, 404),
    ),
    "attach a file": (
        _post(
            CASE + "/attachments", lambda u: {"filename": "a.log", "size": 10, "content_type": "text/plain"}
        ),
        (201, 404, 201, 201, 201),
        (201, 404, 404, 201, 404),
    ),
    "workspace": (
        _get("/api/cases/desk/cases/{id}"),
        (403, 404, 200, 200, 200),
        (403, 404, 404, 200, 404),
    ),
    "queue": (_get("/api/cases/desk/queue"), (403, 403, 200, 200, 200), (403, 403, 200, 200, 200)),
    "staff list": (_get("/api/cases/desk/staff"), (403, 403, 200, 200, 200), (403, 403, 200, 200, 200)),
    "canned answers": (
        _get("/api/cases/desk/canned-answers?locale=ja"),
        (403, 403, 200, 200, 200),
        (403, 403, 200, 200, 200),
    ),
    "customer lookup": (
        _get("/api/cases/desk/customers?q={account_id}"),
        (403, 403, 200, 200, 200),
        (403, 403, 200, 200, 200),
    ),
    "customer file": (
        _get("/api/cases/desk/customers/{account_id}"),
        (403, 403, 200, 200, 200),
        (403, 403, 200, 200, 200),
    ),
    "close": (
        _post(CASE + "/status", lambda u: {"status": "closed"}),
        (200, 404, 200, 200, 200),
        (200, 404, 404, 200, 404),
    ),
}


@pytest.mark.parametrize("security_case", [False, True], ids=["ordinary", "security"])
@pytest.mark.parametrize("endpoint", list(MATRIX))
async def test_every_caller_gets_what_the_role_allows(
    gateway: httpx.AsyncClient, people: People, endpoint: str, security_case: bool
) -> None:
    call, ordinary, security = MATRIX[endpoint]
    expected = security if security_case else ordinary
    category = "security_issue" if security_case else "bug"
    results = {}
    for caller, want in zip(CALLERS, expected, strict=True):
        case = await opened_case(gateway, people.alice, people.alice_license, category)  # fresh each time
        response = await call(gateway, getattr(people, caller), case)
        results[caller] = (response.status_code, want)
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
    wrong = {caller: got for caller, got in results.items() if got[0] != got[1]}
    assert not wrong, f"{endpoint}: (got, expected) {wrong}"


async def test_internal_notes_never_reach_the_customer(
    gateway: httpx.AsyncClient, people: People, case_events: CaseEvents
) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license)
    path = f"/api/cases/cases/{case['id']}"
    marker = f"NOTE-{uuid.uuid4().hex}"
    for user in (people.support, people.admin):
        note = await gateway.post(
            f"{path}/messages", json={"body": marker, "internal": True}, headers=user.headers
        )
        assert note.status_code == 201
    await gateway.post(f"{path}/messages", json={"body": "public answer"}, headers=people.support.headers)

    own = await gateway.get(path, headers=people.alice.headers)
    assert marker not in own.text and "public answer" in own.text
    listed = await gateway.get("/api/cases/cases", headers=people.alice.headers)
    assert marker not in listed.text
    staff = await gateway.get(f"/api/cases/desk/cases/{case['id']}", headers=people.support.headers)
    assert staff.text.count(marker) == 2
    replies = await case_events.of_case(case["id"], "cases.CaseReplied.v1")
    assert all(marker not in r.model_dump_json() for r in case_events.seen if r.subject == case["id"])
    assert [r.data["body"] for r in replies] == ["public answer"]
