"""The outbox row of an event as bound parameters, for a hot path that sends it inside one
pre-compiled statement (`shared.driver_sql`), e.g. as a CTE beside the row it announces.

The same row as `shared.outbox.event_insert` writes (`shared.outbox.event_row`, same conflict
rule); that one builds a fresh SQLAlchemy statement per event, which costs more than the write.
"""

import json
from typing import Any

from sqlalchemy import BindParameter, FromClause, bindparam, select
from sqlalchemy.dialects.postgresql import Insert, insert

from shared.events.base import Event
from shared.outbox import OUTBOX, event_row

_COLUMNS = ("event_id", "topic", "key", "value", "headers")


def _parameters(prefix: str) -> dict[str, BindParameter[Any]]:
    return {column: bindparam(prefix + column, type_=OUTBOX.c[column].type) for column in _COLUMNS}


def outbox_insert(prefix: str = "outbox_") -> Insert:
    """INSERT of one outbox row whose values are the parameters `outbox_values(prefix=…)` names."""
    values = _parameters(prefix)
    return insert(OUTBOX).values(**values).on_conflict_do_nothing(index_elements=["event_id"])


def outbox_insert_if_any(rows: FromClause, prefix: str = "outbox_") -> Insert:
    """The same INSERT, but only if `rows` (e.g. the CTE of an UPDATE that may match nothing)
    holds a row: the event is queued only when the change it announces happened."""
    values = _parameters(prefix)
    one = select(*(value.label(column) for column, value in values.items())).select_from(rows).limit(1)
    return insert(OUTBOX).from_select(list(_COLUMNS), one).on_conflict_do_nothing(index_elements=["event_id"])


def outbox_values(event: Event, *, source: str, prefix: str = "outbox_") -> dict[str, Any]:
    _, row = event_row(event, source=source)
    # The dialect's JSONB codec on these connections takes JSON text.
    row["headers"] = json.dumps(row["headers"])
    return {prefix + column: row[column] for column in _COLUMNS}
