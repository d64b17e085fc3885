"""Alembic helpers every service uses: the outbox/inbox tables and the migration runner.

Each service's first migration calls `create_messaging_tables()`; its `migrations/env.py`
calls `run_migrations(target_metadata)`.
"""

import asyncio

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.outbox import NOTIFY_CHANNEL


def create_messaging_tables() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("headers", postgresql.JSONB, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    # One NOTIFY per committing transaction (Postgres folds duplicates), delivered on commit.
    op.execute(
        f"""
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', ''); RETURN NULL; END $$;
        CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
            FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
        """
    )


def drop_messaging_tables() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox; DROP FUNCTION IF EXISTS outbox_notify();")
    op.drop_table("inbox")
    op.drop_table("outbox")


def run_migrations(target_metadata: sa.MetaData | None) -> None:
    """Body of a service's migrations/env.py: online, async, URL given by shared.migrate."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "shared.migrate sets sqlalchemy.url"

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())
