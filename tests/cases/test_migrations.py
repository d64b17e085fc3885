"""The desk migration on a scratch database: old statuses map onto the workflow, and back."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from shared import clock
from tests.kit import migrate, scratch_database


@pytest.fixture
async def scratch(stack: dict[str, Any]) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    async with scratch_database(stack, "cases") as database:
        yield database


async def _migrate(url: str, direction: str, revision: str) -> None:
    await migrate("cases", url, direction, revision)


async def test_old_cases_map_onto_the_workflow(scratch: tuple[str, asyncpg.Connection]) -> None:
    url, db = scratch
    await _migrate(url, "up", "0001")
    answered = clock.now()
    old = {  # label: (status before, first response, status after)
        "unanswered": ("open", None, "new"),
        "answered": ("open", answered, "in_progress"),
        "back-to-support": ("waiting_on_support", answered, "in_progress"),
        "waiting": ("waiting_on_customer", answered, "waiting_on_customer"),
        "closed": ("closed", answered, "closed"),
    }
    ids = {label: uuid.uuid4() for label in old}
    for label, (status, first_response, _) in old.items():
        await db.execute(
            "INSERT INTO cases (id, number, account_id, license_id, product, category, subject, description,"
            " status, opened_at, first_response_at, resolved_at, updated_at)"
            " VALUES ($1, $2, $3, $3, 'P', 'bug', 's', 'd', $4, now(), $5, $6, now())",
            ids[label],
            f"C-{label}",
            uuid.uuid4(),
            status,
            first_response,
            answered if status == "closed" else None,
        )

    await _migrate(url, "up", "head")
    for label, (_, _, expected) in old.items():
        row = await db.fetchrow(
            "SELECT status, severity, closed_at, sla_due_at FROM cases WHERE id = $1", ids[label]
        )
        assert row["status"] == expected, label
        assert row["severity"] == "normal" and row["sla_due_at"] is None
        assert (row["closed_at"] is not None) == (expected == "closed")

    await _migrate(url, "down", "0001")
    statuses = {r["status"] for r in await db.fetch("SELECT status FROM cases")}
    assert statuses == {"open", "waiting_on_customer", "closed"}
    columns = {
        r["column_name"]
        for r in await db.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'cases'"
        )
    }
    assert "severity" not in columns and "assignee_id" not in columns
