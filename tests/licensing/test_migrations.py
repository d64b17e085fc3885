"""The audit migration on a scratch database: every row is kept, who acted moves to its column."""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from shared.audit import SYSTEM
from tests.kit import migrate, scratch_database


@pytest.fixture
async def scratch(stack: dict[str, Any]) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    async with scratch_database(stack, "licensing") as database:
        yield database


async def _migrate(url: str, direction: str, revision: str) -> None:
    await migrate("licensing", url, direction, revision)


async def test_audit_rows_keep_who_what_and_why(scratch: tuple[str, asyncpg.Connection]) -> None:
    url, db = scratch
    await _migrate(url, "up", "0003")
    staff, cli = uuid.uuid4(), uuid.UUID(int=0)
    old = [  # actor id, details as written before
        (staff, {"actor_email": "office@example.com", "before": {"void": False}, "after": {"void": True}}),
        (cli, {"count": 3, "origin": "cli:ops"}),
    ]
    for actor, details in old:
        await db.execute(
            "INSERT INTO audit (id, at, actor_id, action, target, reason, details)"
            " VALUES ($1, now(), $2, 'license.void', 'OMF-1', 'charge-back', $3::jsonb)",
            uuid.uuid4(),
            actor,
            json.dumps(details),
        )

    await _migrate(url, "up", "head")
    rows = await db.fetch("SELECT actor_id, actor_email, reason, details FROM audit ORDER BY actor_email")
    assert [(r["actor_id"], r["actor_email"], r["reason"]) for r in rows] == [
        (staff, "office@example.com", "charge-back"),
        (None, SYSTEM, "charge-back"),
    ]
    assert json.loads(rows[0]["details"]) == {"before": {"void": False}, "after": {"void": True}}
    assert json.loads(rows[1]["details"]) == {"count": 3, "origin": "cli:ops"}

    await _migrate(url, "down", "0003")
    back = await db.fetch("SELECT actor_id, details FROM audit ORDER BY actor_id")
    assert {r["actor_id"] for r in back} == {staff, cli}
    assert {json.loads(r["details"]).get("actor_email") for r in back} == {"office@example.com", None}
