"""Each service's migrations build exactly the schema its models declare.

Alembic compares the migrated database of the running test stack with the models' metadata: a
model changed without a migration (or a migration that drifted from its model) fails here
instead of at the first query in production.
"""

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import String, Text
from sqlalchemy.ext.asyncio import create_async_engine

from deploy.local.paths import SERVICES
from tests.conftest import database_url

# Written by shared.migrations for every service, outside the models.
MESSAGING_TABLES = {"outbox", "inbox"}


def _only_model_tables(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and name in MESSAGING_TABLES)


def _same_in_postgres(difference: Any) -> bool:
    """SQLModel's unbounded `str` is VARCHAR with no length, the migrations say TEXT: the same
    thing in PostgreSQL, so not a difference."""
    if not (isinstance(difference, tuple) and difference[0] == "modify_type"):
        return False
    inspected, declared = difference[-2], difference[-1]
    declared = getattr(declared, "impl", declared)  # AutoString decorates String
    return isinstance(inspected, Text) and isinstance(declared, String) and declared.length is None


def _real(differences: list[Any]) -> list[Any]:
    # Column changes come as a list of changes per column.
    flat = [d for entry in differences for d in (entry if isinstance(entry, list) else [entry])]
    return [d for d in flat if not _same_in_postgres(d)]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_build_the_models_schema(stack: dict[str, Any], service: str) -> None:
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    engine = create_async_engine(
        database_url(stack, service).replace("postgresql://", "postgresql+asyncpg://")
    )
    options = {"include_object": _only_model_tables}
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts=options), metadata)
            )
    finally:
        await engine.dispose()
    assert _real(differences) == [], f"services/{service}: models and migrations disagree"
