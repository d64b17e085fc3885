"""shared.driver_sql: a Core statement rendered once for asyncpg, its arguments by name."""

import pytest
from sqlalchemy import Column, MetaData, String, Table, bindparam, func, select

from shared.driver_sql import Compiled

_TABLE = Table("things", MetaData(), Column("name", String), Column("kind", String))


def test_renders_asyncpg_placeholders_and_orders_arguments_by_name() -> None:
    statement = select(_TABLE.c.name, func.coalesce(_TABLE.c.kind, "plain")).where(
        _TABLE.c.name == bindparam("name"), _TABLE.c.kind != bindparam("kind")
    )
    compiled = Compiled(statement)
    assert "$1" in compiled.sql and "$3" in compiled.sql and ":name" not in compiled.sql
    # The literal default is bound too, from the statement itself; the rest come by name.
    assert compiled.args({"kind": "odd", "name": "a"}) == ["plain", "a", "odd"]


def test_a_parameter_used_twice_is_sent_once() -> None:
    name = bindparam("name", type_=String)
    compiled = Compiled(select(_TABLE.c.kind).where((_TABLE.c.name == name) | (_TABLE.c.kind == name)))
    assert compiled.args({"name": "a"}) == ["a"]


def test_a_missing_argument_is_an_error() -> None:
    compiled = Compiled(select(_TABLE.c.kind).where(_TABLE.c.name == bindparam("name")))
    with pytest.raises(KeyError):
        compiled.args({})
