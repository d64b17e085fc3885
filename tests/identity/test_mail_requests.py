"""'Forgot password' and 'resend verification' must not tell, even by their timing, whether an
account exists: the request does the same database work either way (queue one request) and
the account-dependent work (token, event) happens afterwards, in another transaction."""

import asyncpg
import pytest

from tests.identity.helpers import API, client_ip, register, verified_user
from tests.kit import eventually, unique_email

VOLATILE_HEADERS = {"date", "content-length", "x-request-id", "server-timing"}


async def _written_by_request(db: asyncpg.Connection, rate_key: str) -> dict[str, int]:
    """Rows each table holds from the transaction that served the request (identified by the
    xmin of the address-limit row it wrote, a row nothing updates later)."""
    xid = await db.fetchval("SELECT xmin::text FROM rate_events WHERE key = $1", rate_key)
    assert xid is not None, f"no rate_events row for {rate_key}"
    counts = {}
    for table in ("rate_events", "one_time_tokens", "outbox", "users", "audit"):
        counts[table] = await db.fetchval(f"SELECT count(*) FROM {table} WHERE xmin::text = $1", xid)  # noqa: S608 - fixed names
    return counts


@pytest.mark.parametrize(
    ("path", "kind", "event"),
    [
        ("/auth/password/forgot", "forgot", "PasswordResetRequested"),
        ("/auth/verify/resend", "resend", "VerificationRequested"),
    ],
)
async def test_known_and_unknown_addresses_cost_the_request_the_same_work(
    gateway, events, identity_db: asyncpg.Connection, path: str, kind: str, event: str
) -> None:
    if kind == "forgot":
        known = (await verified_user(gateway, events))["email"]
    else:
        known = (await register(gateway))["email"]  # still unverified: a resend mails it
        await events.wait("VerificationRequested", email=known)
    unknown = unique_email("ghost")
    known_ip, unknown_ip = client_ip(), client_ip()
    answers = {}
    for email, address in ((known, known_ip), (unknown, unknown_ip)):
        answers[email] = await gateway.post(
            f"{API}{path}", json={"email": email}, headers={"X-Forwarded-For": address}
        )
    first, second = answers[known], answers[unknown]
    assert first.status_code == second.status_code == 202
    assert first.content == second.content
    assert {k: v for k, v in first.headers.items() if k not in VOLATILE_HEADERS} == {
        k: v for k, v in second.headers.items() if k not in VOLATILE_HEADERS
    }
    # Inside the request: one address-limit hit and nothing else, for both addresses.
    expected = {"rate_events": 1, "one_time_tokens": 0, "outbox": 0, "users": 0, "audit": 0}
    assert await _written_by_request(identity_db, f"{kind}:address:{known_ip}") == expected
    assert await _written_by_request(identity_db, f"{kind}:address:{unknown_ip}") == expected
    queued = await identity_db.fetch(
        "SELECT email, kind FROM mail_requests WHERE email = ANY($1::text[]) ORDER BY id", [known, unknown]
    )
    assert [(r["email"], r["kind"]) for r in queued] == [(known, kind), (unknown, kind)]

    # Afterwards, the worker does the account's part: a mail for the account, none for the stranger.
    await events.wait(event, email=known, count=1 if kind == "forgot" else 2)

    async def both_processed() -> bool:
        pending = await identity_db.fetchval(
            "SELECT count(*) FROM mail_requests WHERE email = ANY($1::text[]) AND processed_at IS NULL",
            [known, unknown],
        )
        return pending == 0

    await eventually(both_processed, what="both queued requests handled")
    assert events.of(event, email=unknown) == []
