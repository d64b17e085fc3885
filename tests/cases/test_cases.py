"""Cases end to end through the gateway: coverage rule, visibility, conversation, events."""

import re
import uuid

import httpx

from tests.accounts import PortalUser
from tests.cases.conftest import CaseEvents, People


async def _open(
    gateway: httpx.AsyncClient,
    user: PortalUser,
    license_id: uuid.UUID,
    category: str = "bug",
) -> httpx.Response:
    return await gateway.post(
        "/api/cases/cases",
        json={
            "license_id": str(license_id),
            "category": category,
            "subject": "Scheduler stops after upgrade",
            "description": "After 5.2.1 the nightly flow no longer starts. Log attached below.",
        },
        headers=user.headers,
    )


async def _opened(
    gateway: httpx.AsyncClient, user: PortalUser, license_id: uuid.UUID, category: str = "bug"
) -> dict:
    response = await _open(gateway, user, license_id, category)
    assert response.status_code == 201, response.text
    return response.json()


async def test_covered_customer_opens_a_case(
    gateway: httpx.AsyncClient, people: People, case_events: CaseEvents
) -> None:
    case = await _opened(gateway, people.alice, people.alice_license)
    assert re.fullmatch(r"C-\d{4}-\d{6}", case["number"])
    assert case["status"] == "new" and case["category"] == "bug" and case["severity"] == "normal"
    assert case["first_response_due_at"] and case["sla_state"] in ("on_track", "breaching_soon")
    assert case["product"] == people.product and case["account_id"] == str(people.alice.user_id)
    assert case["opened_at"] and case["first_response_at"] is None and case["resolved_at"] is None

    [opened] = await case_events.of_case(case["id"], "cases.CaseOpened.v1")
    assert opened.data["number"] == case["number"]
    assert opened.data["license_id"] == str(people.alice_license)
    assert opened.data["subject_line"] == "Scheduler stops after upgrade"

    second = await _opened(gateway, people.alice, people.alice_license, "feature_question")
    assert second["number"] != case["number"]
    listed = (await gateway.get("/api/cases/cases", headers=people.alice.headers)).json()
    assert [c["id"] for c in listed][:2] == [second["id"], case["id"]]


async def test_lapsed_customer_is_refused_with_the_end_date(
    gateway: httpx.AsyncClient, people: People
) -> None:
    response = await _open(gateway, people.carol, people.carol_license)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "/problems/no-active-coverage"
    assert problem["detail_id"] == "cases.coverage-ended"
    assert "2025-06-30" in problem["detail"] and "maintenance contract" in problem["detail"]
    assert problem["coverage_end"] == "2025-06-30"
    japanese = await gateway.post(
        "/api/cases/cases",
        json={
            "license_id": str(people.carol_license),
            "category": "bug",
            "subject": "abc",
            "description": "x",
        },
        headers={**people.carol.headers, "Accept-Language": "ja"},
    )
    assert japanese.json()["title"] == "このライセンスは現在サポート対象期間外です"
    assert japanese.json()["detail_id"] == "cases.coverage-ended"
    assert "2025-06-30" in japanese.json()["detail"] and "保守契約" in japanese.json()["detail"]
    assert (await gateway.get("/api/cases/cases", headers=people.carol.headers)).json() == []


async def test_someone_elses_license_is_not_found(gateway: httpx.AsyncClient, people: People) -> None:
    foreign = await _open(gateway, people.bob, people.alice_license)
    assert foreign.status_code == 404
    assert foreign.json()["type"] == "/problems/license-not-found"
    assert foreign.json()["detail_id"] == "cases.pick-bound-license"
    unknown = await _open(gateway, people.bob, uuid.uuid4())
    assert unknown.status_code == 404 and unknown.json()["type"] == foreign.json()["type"]


async def test_other_customer_cannot_reach_the_case(gateway: httpx.AsyncClient, people: People) -> None:
    case = await _opened(gateway, people.alice, people.alice_license)
    path = f"/api/cases/cases/{case['id']}"
    bob = people.bob.headers
    assert (await gateway.get(path, headers=bob)).status_code == 404
    reply = await gateway.post(f"{path}/messages", json={"body": "hi"}, headers=bob)
    assert reply.status_code == 404 and reply.json()["type"] == "/problems/case-not-found"
    assert reply.json()["detail_id"] == "cases.check-case-id"
    assert (await gateway.post(f"{path}/status", json={"status": "closed"}, headers=bob)).status_code == 404
    assert case["id"] not in [c["id"] for c in (await gateway.get("/api/cases/cases", headers=bob)).json()]
    assert (await gateway.get(f"/api/cases/cases/{uuid.uuid4()}", headers=bob)).status_code == 404
    own = await gateway.get(path, headers=people.alice.headers)
    assert own.status_code == 200 and own.json()["customer"]["name"] == "Alice Chen"


async def test_security_issues_are_visible_to_the_security_role_only(
    gateway: httpx.AsyncClient, people: People
) -> None:
    secret = await _opened(gateway, people.alice, people.alice_license, "security_issue")
    ordinary = await _opened(gateway, people.alice, people.alice_license, "log_interpretation")
    path = f"/api/cases/cases/{secret['id']}"

    assert (await gateway.get(path, headers=people.support.headers)).status_code == 404
    support_list = [
        c["id"] for c in (await gateway.get("/api/cases/cases", headers=people.support.headers)).json()
    ]
    assert ordinary["id"] in support_list and secret["id"] not in support_list
    by_category = await gateway.get(
        "/api/cases/cases", params={"category": "security_issue"}, headers=people.support.headers
    )
    assert by_category.json() == []

    assert (await gateway.get(path, headers=people.security.headers)).status_code == 200
    security_list = await gateway.get(
        "/api/cases/cases",
        params={"category": "security_issue", "limit": 200},
        headers=people.security.headers,
    )
    assert secret["id"] in [c["id"] for c in security_list.json()]
    assert (await gateway.get(path, headers=people.alice.headers)).status_code == 200


async def test_staff_reply_announces_update_and_starts_the_sla_clock(
    gateway: httpx.AsyncClient, people: People, case_events: CaseEvents
) -> None:
    case = await _opened(gateway, people.alice, people.alice_license)
    path = f"/api/cases/cases/{case['id']}"
    note = await gateway.post(
        f"{path}/messages",
        json={"body": "Looks like the 5.2 cron bug", "internal": True},
        headers=people.support.headers,
    )
    assert note.status_code == 201 and note.json()["internal"] is True
    reply = await gateway.post(
        f"{path}/messages", json={"body": "Please send scheduler.log"}, headers=people.support.headers
    )
    assert reply.status_code == 201 and reply.json()["by_staff"] is True

    [replied] = await case_events.of_case(case["id"], "cases.CaseReplied.v1")
    assert replied.data["by_staff"] is True and replied.data["status"] == "waiting_on_customer"
    assert replied.data["body"] == "Please send scheduler.log"  # the note never leaves staff

    staff_view = (await gateway.get(path, headers=people.support.headers)).json()
    assert [m["internal"] for m in staff_view["messages"]] == [True, False]
    assert staff_view["first_response_at"] is not None and staff_view["status"] == "waiting_on_customer"
    customer_view = (await gateway.get(path, headers=people.alice.headers)).json()
    assert [m["body"] for m in customer_view["messages"]] == ["Please send scheduler.log"]

    await gateway.post(f"{path}/messages", json={"body": "Here it is"}, headers=people.alice.headers)
    thread = (await gateway.get(path, headers=people.alice.headers)).json()["messages"]
    assert thread[-1]["author_name"] == "Alice Chen" and thread[-1]["by_staff"] is False

    answer = await gateway.post(f"{path}/messages", json={"body": "Attached."}, headers=people.alice.headers)
    assert answer.status_code == 201 and answer.json()["by_staff"] is False
    replies = await case_events.of_case(case["id"], "cases.CaseReplied.v1", count=3)
    assert replies[-1].data["by_staff"] is False and replies[-1].data["status"] == "in_progress"
    assert all("psst" not in r.data["body"] and "5.2 cron" not in r.data["body"] for r in replies)
    sneaky = await gateway.post(
        f"{path}/messages", json={"body": "psst", "internal": True}, headers=people.alice.headers
    )
    assert sneaky.status_code == 403 and sneaky.json()["type"] == "/problems/internal-note-staff-only"


async def test_customer_may_only_close_their_own_case(gateway: httpx.AsyncClient, people: People) -> None:
    case = await _opened(gateway, people.alice, people.alice_license)
    path = f"/api/cases/cases/{case['id']}"
    resolve = await gateway.post(f"{path}/status", json={"status": "resolved"}, headers=people.alice.headers)
    assert resolve.status_code == 403 and resolve.json()["type"] == "/problems/status-change-not-allowed"
    closed = await gateway.post(f"{path}/status", json={"status": "closed"}, headers=people.alice.headers)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["resolved_at"] is not None
    late = await gateway.post(
        f"{path}/messages", json={"body": "one more thing"}, headers=people.alice.headers
    )
    assert late.status_code == 409 and late.json()["type"] == "/problems/case-closed"
    reopened = await gateway.post(
        f"{path}/status", json={"status": "in_progress"}, headers=people.support.headers
    )
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "in_progress" and reopened.json()["resolved_at"] is None
    assert reopened.json()["assignee_id"] == str(people.support.user_id)


async def test_bad_input_gets_problem_details(gateway: httpx.AsyncClient, people: People) -> None:
    alice = people.alice.headers
    missing = await gateway.post("/api/cases/cases", json={"category": "bug"}, headers=alice)
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in missing.json()["errors"]}
    assert {"license_id", "subject", "description"} <= fields

    wrong = await gateway.post(
        "/api/cases/cases",
        json={"license_id": "nope", "category": "billing", "subject": "x", "description": " "},
        headers=alice,
    )
    assert wrong.status_code == 422
    assert {"license_id", "category", "subject", "description"} <= {
        e["field"] for e in wrong.json()["errors"]
    }

    not_json = await gateway.post(
        "/api/cases/cases", content=b"subject=hi", headers={**alice, "Content-Type": "text/plain"}
    )
    assert not_json.status_code in (415, 422)
    assert not_json.headers["content-type"].startswith("application/problem+json")

    bad_status = await gateway.post(
        f"/api/cases/cases/{uuid.uuid4()}/status", json={"status": "done"}, headers=alice
    )
    assert bad_status.status_code == 422
    assert (await gateway.get("/api/cases/cases/not-a-uuid", headers=alice)).status_code == 422
    assert (await gateway.get("/api/cases/cases")).status_code == 401
