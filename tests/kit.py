"""Test helpers for the real stack: polling with deadlines, Mailpit, users, tokens, and
sessions on a service's real database that leave nothing behind.

No sleeps-as-waits: `eventually` polls a condition until a deadline and fails with the last
thing it saw, so a slow machine makes a test slower, never flaky.
"""

import asyncio
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.portal_client import run_cli
from shared.migrate import alembic_config

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "condition",
) -> T:
    """Await `probe()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = await probe()
        except AssertionError as error:
            last = error
        else:
            if last:
                return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last seen: {last!r}")
        await asyncio.sleep(interval)


def client_ip() -> str:
    """A distinct address to name in X-Forwarded-For, so per-address counters of tests never meet."""
    return f"198.51.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


class Mailpit:
    """Reads the real mails the notifier sent, through Mailpit's HTTP API."""

    def __init__(self, http_url: str) -> None:
        self.client = httpx.AsyncClient(base_url=http_url, timeout=10)

    async def messages_to(self, address: str) -> list[dict[str, Any]]:
        response = await self.client.get("/api/v1/search", params={"query": f'to:"{address}"', "limit": 200})
        response.raise_for_status()
        return response.json().get("messages", [])

    async def wait_for(
        self, address: str, *, count: int = 1, subject_contains: str | None = None, timeout: float = 60.0
    ) -> list[dict[str, Any]]:
        async def probe() -> list[dict[str, Any]] | None:
            found = await self.messages_to(address)
            if subject_contains:
                found = [m for m in found if subject_contains in m.get("Subject", "")]
            return found if len(found) >= count else None

        return await eventually(probe, timeout=timeout, what=f"{count} mail(s) to {address}")

    async def message(self, message_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/message/{message_id}")
        response.raise_for_status()
        return response.json()

    async def link_in(self, message_id: str, pattern: str = r"https?://\S+?token=[\w\-.~%]+") -> str:
        body = (await self.message(message_id))["Text"]
        match = re.search(pattern, body)
        assert match, f"no link matching {pattern!r} in mail:\n{body}"
        return match.group(0)


def service_cli(stack: dict[str, Any], service: str, *args: str) -> str:
    """Run a service's CLI (`python -m services.<service>.cli …`) with that service's env."""
    try:
        return run_cli(f"services.{service}.cli", stack["services"][service]["env"], *args)
    except RuntimeError as error:
        raise AssertionError(str(error)) from error


@asynccontextmanager
async def rolled_back_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session on a service's real PostgreSQL database inside one transaction that is rolled
    back at the end, so a test of service functions leaves no rows behind and sees none of
    another test's. The session joins that outer transaction with savepoints: service code
    that commits or rolls back only ends a savepoint, and runs unchanged.

    Nothing the test writes is ever visible to the running service (it is never committed),
    and a NOTIFY of a rolled-back transaction is never delivered.
    """
    async with engine.connect() as connection:
        outer = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await outer.rollback()


@asynccontextmanager
async def empty_database(stack: dict[str, Any], prefix: str) -> AsyncIterator[str]:
    """A new, empty database on the test stack's PostgreSQL, dropped afterwards (whatever is
    still connected to it): yields its SQLAlchemy URL."""
    pg = stack["postgres"]
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(
        host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"], database="postgres"
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield pg["url_template"].format(db=name)
        finally:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def driver_dsn(url: str) -> str:
    """asyncpg's DSN for a SQLAlchemy URL of the stack."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


@asynccontextmanager
async def scratch_database(
    stack: dict[str, Any], service: str
) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    """An empty database on the test stack's PostgreSQL for one migration test, dropped after:
    yields its SQLAlchemy URL (for `migrate`) and a plain asyncpg connection to inspect rows."""
    async with empty_database(stack, f"{service}_migration") as url:
        connection = await asyncpg.connect(driver_dsn(url))
        try:
            yield url, connection
        finally:
            await connection.close()


async def migrate(service: str, url: str, direction: str, revision: str) -> None:
    """Run a service's Alembic migrations up or down to `revision` on `url`."""
    run = command.upgrade if direction == "up" else command.downgrade
    await asyncio.to_thread(run, alembic_config(service, url), revision)
