"""The audit migration on a scratch database: audit_log rows survive as rows of the shared
`audit` shape (target = the user id as text), and come back on downgrade."""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.kit import migrate, scratch_database


@pytest.fixture
async def scratch(stack: dict[str, Any]) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    async with scratch_database(stack, "identity") as database:
        yield database


async def _migrate(url: str, direction: str, revision: str) -> None:
    await migrate("identity", url, direction, revision)


async def test_audit_log_rows_move_to_the_shared_audit_table(scratch: tuple[str, asyncpg.Connection]) -> None:
    url, db = scratch
    await _migrate(url, "up", "0003")
    entry_id, actor_id, target = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await db.execute(
        "INSERT INTO audit_log (id, at, actor_id, actor_email, action, target_user_id, reason, details)"
        " VALUES ($1, now(), $2, 'admin@example.com', 'set_roles', $3, 'new hire', $4::jsonb)",
        entry_id,
        actor_id,
        target,
        json.dumps({"before": ["customer"], "after": ["customer", "support"]}),
    )

    await _migrate(url, "up", "head")
    row = await db.fetchrow("SELECT * FROM audit WHERE id = $1", entry_id)
    assert row["target"] == str(target)
    assert (row["actor_id"], row["actor_email"], row["action"], row["reason"]) == (
        actor_id,
        "admin@example.com",
        "set_roles",
        "new hire",
    )
    assert json.loads(row["details"]) == {"before": ["customer"], "after": ["customer", "support"]}
    assert await db.fetchval("SELECT to_regclass('audit_log')") is None
    found = await db.fetchval("SELECT count(*) FROM audit WHERE target = $1", str(target))
    assert found == 1

    await _migrate(url, "down", "0003")
    back = await db.fetchrow("SELECT target_user_id, action FROM audit_log WHERE id = $1", entry_id)
    assert back["target_user_id"] == target and back["action"] == "set_roles"
