"""Backups that restore: dump the running test stack (with the demo data in it), restore into a
fresh stack in a new state dir, and use it as a customer would. Nothing is applied twice."""

import hashlib
import json
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from deploy.demo import CUSTOMER, seed
from deploy.local import stack as local_stack
from deploy.portal_client import Portal
from tests.conftest import STATE, database_url

COUNTED = {  # tables only requests and events write (no periodic job): equal after a restore
    "licensing": ["license", "contract"],
    "identity": ["users"],
    "downloads": ["releases"],
    "cases": ["cases"],
}


async def _counts(stack: dict[str, Any]) -> dict[str, int]:
    counts = {}
    for db, tables in COUNTED.items():
        connection = await asyncpg.connect(database_url(stack, db))
        try:
            for table in tables:
                counts[f"{db}.{table}"] = await connection.fetchval(f'SELECT count(*) FROM "{table}"')  # noqa: S608
        finally:
            await connection.close()
    return counts


async def _mails(stack: dict[str, Any]) -> set[tuple[Any, str]]:
    """Which event mailed whom. Periodic jobs (SLA breaches, renewal reminders) may add mails for
    new events in the restored stack; an event applied twice would add a second row for its id."""
    connection = await asyncpg.connect(database_url(stack, "notifier"))
    try:
        return {
            (row["event_id"], row["email"])
            for row in await connection.fetch("SELECT event_id, email FROM delivery")
        }
    finally:
        await connection.close()


async def test_a_backup_restores_into_a_fresh_stack_that_customers_can_use(stack, tmp_path: Path) -> None:
    demo_state = tmp_path / "demo"
    demo_state.mkdir()
    record = await seed(stack, demo_state)
    installer = demo_state / "demo-files" / "omflow-5.2.0-linux-x64.tar.gz"

    backup_dir = tmp_path / "backup"
    manifest = local_stack.backup(STATE, backup_dir, quiet=True)
    assert manifest["objects"] >= 3
    at_backup, mails_at_backup = await _counts(stack), await _mails(stack)

    fresh_state = tmp_path / "restored"
    try:
        restored = local_stack.restore(fresh_state, backup_dir, quiet=True)
        assert restored == json.loads((backup_dir / "manifest.json").read_text())
        fresh = local_stack.up(fresh_state, quiet=True)
        assert fresh["gateway"]["url"] != stack["gateway"]["url"]

        async with Portal(fresh["gateway"]["url"]) as anonymous:
            customer = anonymous.signed_in(await anonymous.login(CUSTOMER["email"], CUSTOMER["password"]))
            licenses = (await customer.http.get("/api/licensing/me/licenses")).json()
            assert record["license"]["serial"] in {item["serial"] for item in licenses}
            assert set(record["cases"]) <= {case["number"] for case in await customer.cases()}
            release = next(r for r in await customer.releases() if r["version"] == "5.2.0")
            grant = await customer.artifact_grant(release["release_id"], installer.name)
            assert grant.status_code == 200, grant.text
            async with httpx.AsyncClient() as plain:
                body = (await plain.get(grant.json()["url"])).content
            assert hashlib.sha256(body).hexdigest() == hashlib.sha256(installer.read_bytes()).hexdigest()
            await customer.http.aclose()

        # The restored stack settles without re-applying anything it already had.
        local_stack.backup(fresh_state, tmp_path / "settled", quiet=True)
        assert await _counts(fresh) == at_backup
        events_at_backup = {event_id for event_id, _ in mails_at_backup}
        mails = await _mails(fresh)
        assert {mail for mail in mails if mail[0] in events_at_backup} == mails_at_backup
    finally:
        local_stack.down(fresh_state, purge=True, quiet=True)
