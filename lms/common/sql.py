"""Small portable SQL constructs (PostgreSQL and SQLite compile them differently)."""

from __future__ import annotations

from sqlalchemy import Integer, exists, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from lms.extensions import db


class seconds_between(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """Whole seconds from ``start`` to ``end`` (two timestamp expressions), computed by the database.

    ``seconds_between(UserSession.last_active_at, UserSession.started_at)`` lets one UPDATE
    derive each row's duration from the row itself.
    """

    type = Integer()
    inherit_cache = True
    name = "seconds_between"

    def __init__(self, end, start):
        super().__init__(end, start)


@compiles(seconds_between)
def _seconds_between_default(element, compiler, **kw):
    end, start = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {start}))) AS INTEGER)"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    end, start = (compiler.process(arg, **kw) for arg in element.clauses)
    # julianday() keeps milliseconds; round to whole milliseconds first so that float noise
    # cannot turn 600.000 s into 599.
    return f"(CAST(ROUND((julianday({end}) - julianday({start})) * 86400000.0) AS INTEGER) / 1000)"


def claim(stamp, row_id: int, now, *conditions) -> bool:
    """Set the empty timestamp column ``stamp`` (e.g. ``Meeting.finalized_at``) of row ``row_id`` to
    ``now`` in one UPDATE, when ``conditions`` hold too: True for the one caller that did it, so
    work done "once" (an email, a finalisation) is done once when two runs overlap."""
    model = stamp.class_
    result = db.session.execute(update(model).where(model.id == row_id, stamp.is_(None), *conditions)
                                .values({stamp.key: now}).execution_options(synchronize_session=False))
    return bool(result.rowcount)


def where_given(stmt, *filters):
    """``stmt`` narrowed to ``column == value`` for each ``(column, value)`` whose value is given (truthy)."""
    for column, value in filters:
        if value:
            stmt = stmt.where(column == value)
    return stmt


def reasons_present(*checks) -> list[str]:
    """The reason of each ``(condition, reason)`` whose condition some row meets (one EXISTS each)."""
    return [reason for condition, reason in checks if db.session.scalar(select(exists().where(condition)))]
