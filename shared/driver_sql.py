"""Hot-path statements sent straight to asyncpg, on the connection beneath the session.

SQLAlchemy spends about half a millisecond of CPU on every statement, even a Core one (cache
key, compiled-form lookup, parameter processing, result machinery, the greenlet hand-over); on
a request that should cost a few milliseconds that is most of it. A hot path therefore declares
its statement once with SQLAlchemy Core, with the same tables and shared clauses as everywhere
else (e.g. `shared.holdings.owned_by_member`) and `bindparam`s for what varies; `Compiled`
renders it once for asyncpg, and each request sends only the arguments, on the session's own
connection, where asyncpg prepares the statement once per connection.

Transactions: the asyncpg dialect begins the session's transaction lazily, just before the
first statement sent *through SQLAlchemy*. A statement sent here before that runs on its own
(autocommit): right for a read, or for one statement that writes everything that belongs
together (the CTE form). A path that needs several statements in one transaction (row locks,
advisory locks, a refusal that rolls back) sends its first statement through the session.
"""

from collections.abc import Mapping, Sequence
from typing import Any, cast

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = asyncpg_dialect()


class Compiled:
    """A Core statement rendered once for asyncpg (`$1`, `$2`, … in the order `args` gives)."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=_DIALECT))
        self.sql = compiled.string
        self._names: Sequence[str] = compiled.positiontup or ()
        # Literals the statement holds itself (e.g. a coalesce default) are bound like the rest;
        # a `bindparam` without a value must be given by name.
        self._fixed: Mapping[str, Any] = {
            name: bind.value for name, bind in compiled.binds.items() if not bind.required
        }

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        """Positional arguments from named ones; a missing name is a programming error."""
        return [values[name] if name in values else self._fixed[name] for name in self._names]

    async def fetch(self, connection: asyncpg.Connection, **values: Any) -> list[asyncpg.Record]:
        return cast(list[asyncpg.Record], await connection.fetch(self.sql, *self.args(values)))

    async def execute(self, connection: asyncpg.Connection, **values: Any) -> None:
        await connection.execute(self.sql, *self.args(values))


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection the session uses (checked out on first use; pinged only if it sat idle)."""
    return await raw_connection(await session.connection())


async def raw_connection(connection: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection beneath a SQLAlchemy one (e.g. `shared.db.read_only`'s, in autocommit)."""
    raw = await connection.get_raw_connection()
    return cast(asyncpg.Connection, raw.driver_connection)
