"""The support desk through the gateway: workflow, assignment, severity, SLA, queue, lookup."""

from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.config import Settings
from services.cases.sweeper import announce_breaches, close_stale_resolved
from shared import clock
from tests.cases.conftest import CaseEvents, People, opened_case
from tests.conftest import database_url


@pytest.fixture(scope="module")
async def cases_db(stack: dict[str, Any]):
    connection = await asyncpg.connect(database_url(stack, "cases"))
    yield connection
    await connection.close()


async def sweep(stack: dict[str, Any], step: Any) -> int:
    """Run one batch of a sweep against the service's database, as the service runs it."""
    url = database_url(stack, "cases").replace("postgresql://", "postgresql+asyncpg://")
    engine = create_async_engine(url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            count: int = await step(session)
            await session.commit()
    finally:
        await engine.dispose()
    return count


def api(case: dict[str, Any], action: str = "") -> str:
    return f"/api/cases/cases/{case['id']}{action}"


async def test_the_workflow_from_new_to_closed_is_recorded_and_announced(
    gateway: httpx.AsyncClient, people: People, case_events: CaseEvents
) -> None:
    case = await opened_case(
        gateway,
        people.alice,
        people.alice_license,
        severity="high",
        product_version="5.2.1",
        environment={"os": "RHEL 9", "database": "PostgreSQL 16"},
    )
    assert case["status"] == "new" and case["severity"] == "high" and case["assignee_id"] is None
    assert case["product_version"] == "5.2.1" and case["environment"]["os"] == "RHEL 9"
    support = people.support.headers

    assigned = await gateway.post(
        api(case, "/assignee"), json={"assignee_id": str(people.support.user_id)}, headers=support
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "in_progress"
    assert assigned.json()["assignee_id"] == str(people.support.user_id)

    reply = await gateway.post(api(case, "/messages"), json={"body": "Which log level?"}, headers=support)
    assert reply.status_code == 201
    waiting = (await gateway.get(api(case), headers=people.alice.headers)).json()
    assert waiting["status"] == "waiting_on_customer" and waiting["sla_state"] == "paused"
    assert waiting["first_response_at"] is not None

    answer = await gateway.post(api(case, "/messages"), json={"body": "DEBUG"}, headers=people.alice.headers)
    assert answer.status_code == 201
    resumed = (await gateway.get(api(case), headers=people.alice.headers)).json()
    assert resumed["status"] == "in_progress" and resumed["sla_state"] != "paused"
    assert resumed["sla_due_at"] == resumed["resolution_due_at"]

    fixed = await gateway.post(
        api(case, "/messages"), json={"body": "Fixed in 5.2.2", "status": "resolved"}, headers=support
    )
    assert fixed.status_code == 201
    resolved = (await gateway.get(api(case), headers=people.alice.headers)).json()
    assert resolved["status"] == "resolved" and resolved["may_reopen"] is True
    closed = await gateway.post(api(case, "/status"), json={"status": "closed"}, headers=people.alice.headers)
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"] is not None

    moves = await case_events.of_case(case["id"], "cases.CaseStatusChanged.v1", count=5)
    assert [(m.data["previous"], m.data["status"], m.data["reason"]) for m in moves] == [
        ("new", "in_progress", "assignment"),
        ("in_progress", "waiting_on_customer", "reply"),
        ("waiting_on_customer", "in_progress", "reply"),
        ("in_progress", "resolved", "reply"),
        ("resolved", "closed", "customer"),
    ]
    [assignment] = await case_events.of_case(case["id"], "cases.CaseAssigned.v1")
    assert assignment.data["assignee_id"] == str(people.support.user_id)

    workspace = (await gateway.get(f"/api/cases/desk/cases/{case['id']}", headers=support)).json()
    assert [(h["kind"], h["new_value"]) for h in workspace["history"]] == [
        ("assignee", str(people.support.user_id)),
        ("status", "in_progress"),
        ("status", "waiting_on_customer"),
        ("status", "in_progress"),
        ("status", "resolved"),
        ("status", "closed"),
    ]
    assert workspace["license"]["serial"] and workspace["license"]["covered_today"] is True


async def test_illegal_moves_are_refused(gateway: httpx.AsyncClient, people: People) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license)
    support = people.support.headers
    assert (
        await gateway.post(api(case, "/status"), json={"status": "closed"}, headers=support)
    ).status_code == 200
    wrong = await gateway.post(api(case, "/status"), json={"status": "resolved"}, headers=support)
    assert wrong.status_code == 409 and wrong.json()["type"] == "/problems/invalid-transition"
    assert wrong.json()["allowed"] == ["in_progress"]
    assert wrong.json()["detail_id"] == "cases.transition-not-allowed"
    chinese = await gateway.post(
        api(case, "/status"), json={"status": "resolved"}, headers={**support, "Accept-Language": "zh-TW"}
    )
    assert chinese.json()["detail"] == "狀態為 closed 的案件無法變更為 resolved；可變更為：in_progress。"
    customer = await gateway.post(
        api(case, "/status"), json={"status": "in_progress"}, headers=people.alice.headers
    )
    assert customer.status_code == 403


async def test_reopen_window_and_auto_close(
    gateway: httpx.AsyncClient, people: People, cases_db: asyncpg.Connection, stack: dict[str, Any]
) -> None:
    support = people.support.headers
    recent = await opened_case(gateway, people.alice, people.alice_license)
    stale = await opened_case(gateway, people.alice, people.alice_license)
    for case in (recent, stale):
        resolved = await gateway.post(api(case, "/status"), json={"status": "resolved"}, headers=support)
        assert resolved.json()["status"] == "resolved"
    # Resolved 15 days ago: past the 14-day reopen window.
    await cases_db.execute(
        "UPDATE cases SET resolved_at = now() - interval '15 days' WHERE id = $1", stale["id"]
    )
    too_late = await gateway.post(
        api(stale, "/status"), json={"status": "in_progress"}, headers=people.alice.headers
    )
    assert too_late.status_code == 409 and too_late.json()["type"] == "/problems/reopen-window-passed"
    late_reply = await gateway.post(
        api(stale, "/messages"), json={"body": "still broken"}, headers=people.alice.headers
    )
    assert late_reply.status_code == 409

    reopened = await gateway.post(
        api(recent, "/status"), json={"status": "in_progress"}, headers=people.alice.headers
    )
    # Nobody had taken it: reopened, it goes back to the queue as new.
    assert reopened.status_code == 200 and reopened.json()["status"] == "new"

    # The sweep, run against the service's database as the service runs it.
    settings = Settings(
        database_url=database_url(stack, "cases").replace("postgresql://", "postgresql+asyncpg://")
    )
    engine = create_async_engine(settings.database_url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            closed = await close_stale_resolved(session, settings.rules(), clock.now())
            await session.commit()
    finally:
        await engine.dispose()
    assert closed >= 1
    row = await cases_db.fetchrow("SELECT status, closed_at FROM cases WHERE id = $1", stale["id"])
    assert row["status"] == "closed" and row["closed_at"] is not None
    change = await cases_db.fetchrow(
        "SELECT actor_id, reason FROM case_changes WHERE case_id = $1 AND new_value = 'closed'", stale["id"]
    )
    assert change["actor_id"] is None and change["reason"] == "auto_close"
    still = await cases_db.fetchval("SELECT status FROM cases WHERE id = $1", recent["id"])
    assert still == "new"


async def test_severity_moves_the_due_times(gateway: httpx.AsyncClient, people: People) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license, severity="low")
    changed = await gateway.post(
        api(case, "/severity"), json={"severity": "critical"}, headers=people.support.headers
    )
    assert changed.status_code == 200 and changed.json()["severity"] == "critical"
    assert changed.json()["first_response_due_at"] < case["first_response_due_at"]
    assert changed.json()["resolution_due_at"] < case["resolution_due_at"]


async def test_the_queue_sorts_by_sla_and_counts_views(
    gateway: httpx.AsyncClient, people: People, cases_db: asyncpg.Connection
) -> None:
    product = {"product": people.product}
    low = await opened_case(gateway, people.bob, people.bob_license, severity="low")
    critical = await opened_case(gateway, people.bob, people.bob_license, severity="critical")
    mine = await opened_case(gateway, people.bob, people.bob_license)
    secret = await opened_case(gateway, people.bob, people.bob_license, "security_issue")
    support = people.support.headers
    await gateway.post(
        api(mine, "/assignee"), json={"assignee_id": str(people.support.user_id)}, headers=support
    )

    page = (await gateway.get("/api/cases/desk/queue", params=product, headers=support)).json()
    ids = [c["id"] for c in page["items"]]
    assert ids.index(critical["id"]) < ids.index(low["id"])
    assert secret["id"] not in ids
    dues = [c["sla_due_at"] for c in page["items"] if c["sla_due_at"]]
    assert dues == sorted(dues)
    assert page["counts"]["all"] == page["total"] == len(ids)

    mine_view = (
        await gateway.get("/api/cases/desk/queue", params={**product, "view": "mine"}, headers=support)
    ).json()
    assert [c["id"] for c in mine_view["items"]] == [mine["id"]]
    assert mine_view["counts"]["mine"] == 1 and mine_view["counts"]["unassigned"] == len(ids) - 1
    unassigned = (
        await gateway.get("/api/cases/desk/queue", params={**product, "view": "unassigned"}, headers=support)
    ).json()
    assert mine["id"] not in [c["id"] for c in unassigned["items"]]

    # Overdue now: breached, and in the "breaching soon" view.
    await cases_db.execute("UPDATE cases SET sla_due_at = now() - interval '1 hour' WHERE id = $1", low["id"])
    breached = (
        await gateway.get("/api/cases/desk/queue", params={**product, "sla": "breached"}, headers=support)
    ).json()
    assert low["id"] in [c["id"] for c in breached["items"]]
    assert {c["sla_state"] for c in breached["items"]} == {"breached"}
    soon = (
        await gateway.get(
            "/api/cases/desk/queue", params={**product, "view": "breaching_soon"}, headers=support
        )
    ).json()
    assert low["id"] in [c["id"] for c in soon["items"]]
    by_severity = (
        await gateway.get(
            "/api/cases/desk/queue", params={**product, "severity": "critical"}, headers=support
        )
    ).json()
    assert critical["id"] in [c["id"] for c in by_severity["items"]]
    assert {c["severity"] for c in by_severity["items"]} == {"critical"}

    security_view = (
        await gateway.get(
            "/api/cases/desk/queue",
            params={**product, "category": "security_issue"},
            headers=people.security.headers,
        )
    ).json()
    assert [c["id"] for c in security_view["items"]] == [secret["id"]]


async def test_customer_lookup_by_email_name_and_serial(gateway: httpx.AsyncClient, people: People) -> None:
    support = people.support.headers
    by_email = await gateway.get(
        "/api/cases/desk/customers", params={"q": people.alice.email}, headers=support
    )
    assert by_email.status_code == 200
    [alice] = by_email.json()
    assert alice["user_id"] == str(people.alice.user_id) and alice["name"] == "Alice Chen"
    [license] = alice["licenses"]
    assert license["product"] == people.product and license["covered_today"] is True

    by_serial = await gateway.get(
        "/api/cases/desk/customers", params={"q": license["serial"]}, headers=support
    )
    assert [c["user_id"] for c in by_serial.json()] == [alice["user_id"]]
    by_name = await gateway.get("/api/cases/desk/customers", params={"q": "alice ch"}, headers=support)
    assert alice["user_id"] in [c["user_id"] for c in by_name.json()]
    wildcard = await gateway.get("/api/cases/desk/customers", params={"q": "%%"}, headers=support)
    assert wildcard.status_code == 200 and wildcard.json() == []

    file = (await gateway.get(f"/api/cases/desk/customers/{alice['user_id']}", headers=support)).json()
    assert file["cases"] == len(file["case_list"]) and file["licenses"][0]["serial"] == license["serial"]
    assert all(c["category"] != "security_issue" for c in file["case_list"])


async def test_assignment_is_limited_to_staff_who_may_see_the_case(
    gateway: httpx.AsyncClient, people: People
) -> None:
    secret = await opened_case(gateway, people.alice, people.alice_license, "security_issue")
    security = people.security.headers
    await gateway.get("/api/cases/desk/staff", headers=people.support.headers)  # support is known staff
    to_support = await gateway.post(
        api(secret, "/assignee"), json={"assignee_id": str(people.support.user_id)}, headers=security
    )
    assert to_support.status_code == 422 and to_support.json()["type"] == "/problems/assignee-not-eligible"
    to_customer = await gateway.post(
        api(secret, "/assignee"), json={"assignee_id": str(people.alice.user_id)}, headers=security
    )
    assert to_customer.status_code == 422
    to_self = await gateway.post(
        api(secret, "/assignee"), json={"assignee_id": str(people.security.user_id)}, headers=security
    )
    assert to_self.status_code == 200 and to_self.json()["status"] == "in_progress"
    back = await gateway.post(api(secret, "/assignee"), json={"assignee_id": None}, headers=security)
    assert back.status_code == 200 and back.json()["assignee_id"] is None
    staff = (await gateway.get("/api/cases/desk/staff", headers=security)).json()
    assert {str(people.support.user_id), str(people.security.user_id)} <= {s["user_id"] for s in staff}


async def test_a_passed_due_time_is_announced_once(
    gateway: httpx.AsyncClient,
    people: People,
    cases_db: asyncpg.Connection,
    stack: dict[str, Any],
    case_events: CaseEvents,
) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license, severity="critical")
    await gateway.post(
        api(case, "/assignee"),
        json={"assignee_id": str(people.support.user_id)},
        headers=people.support.headers,
    )
    await cases_db.execute(
        "UPDATE cases SET sla_due_at = now() - interval '1 minute' WHERE id = $1", case["id"]
    )
    await sweep(stack, lambda session: announce_breaches(session, clock.now()))
    [breach] = await case_events.of_case(case["id"], "cases.CaseSlaBreached.v1")
    assert breach.data["target"] == "first_response" and breach.data["severity"] == "critical"
    assert breach.data["assignee_id"] == str(people.support.user_id)

    await sweep(stack, lambda session: announce_breaches(session, clock.now()))
    # A later event of the same case (same key, so ordered after anything the second sweep
    # published) arrives, and still only one breach was announced.
    await gateway.post(api(case, "/severity"), json={"severity": "high"}, headers=people.support.headers)
    await case_events.of_case(case["id"], "cases.CaseSeverityChanged.v1")
    assert len(await case_events.of_case(case["id"], "cases.CaseSlaBreached.v1")) == 1


async def test_canned_answers_speak_the_customers_language(
    gateway: httpx.AsyncClient, people: People
) -> None:
    case = await opened_case(gateway, people.alice, people.alice_license)
    workspace = (
        await gateway.get(f"/api/cases/desk/cases/{case['id']}", headers=people.support.headers)
    ).json()
    assert workspace["customer"]["locale"] == "en"  # staff answer in it; customers' own view omits it
    own = (await gateway.get(api(case), headers=people.alice.headers)).json()
    assert own["customer"]["locale"] is None
    answers = await gateway.get(
        "/api/cases/desk/canned-answers", params={"locale": "ja"}, headers=people.support.headers
    )
    by_topic = {a["topic"]: a["body"] for a in answers.json()}
    assert "データベース" in by_topic["database"] and "パートナー" in by_topic["installation"]
    wrong = await gateway.get(
        "/api/cases/desk/canned-answers", params={"locale": "fr"}, headers=people.support.headers
    )
    assert wrong.status_code == 422
