"""Copying rows in bulk: one SELECT and one multi-row INSERT per table, whatever the number of rows.

A copy takes over every column of its row except the id, the dates and times (a copy is new: its
``created_at`` is now, and no opening, due or publication date comes with it) and the columns the
caller sets.  A column added to a model later is copied without anyone remembering to: only
dates are left behind.

``copy_rows`` answers how many rows it copied; ``copy_rows_mapped`` answers ``{old id: new id}``
for the children's copies.  The new ids are matched to the old rows by columns that are unique
among the copies (``unique_by``, e.g. a unit's parent and position), so that the INSERT is one
statement on PostgreSQL and SQLite alike.  Without ``unique_by`` the ids come back in the order
of the rows sent, which SQLite can only do one row per statement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select

from lms.common.types import UTCDateTime
from lms.extensions import db

Setting = dict[str, Any | Callable[[Any], Any]]


def copied_columns(model, *, setting=()) -> list[str]:
    """The names of the columns a copy of a ``model`` row takes over (not the id, no date, none of ``setting``)."""
    return [column.key for column in model.__table__.columns
            if column.key != "id" and column.key not in setting and not isinstance(column.type, UTCDateTime)]


def _copies(model, where, order_by, setting: Setting) -> tuple[list, list[dict]]:
    """The source rows and the values of their copies."""
    rows = db.session.execute(select(model.__table__).where(*where).order_by(*order_by)).all()
    taken = copied_columns(model, setting=setting)
    values = [{**{name: getattr(row, name) for name in taken},
               **{name: value(row) if callable(value) else value for name, value in setting.items()}}
              for row in rows]
    return rows, values


def copy_rows(model, *where, setting: Setting, order_by=()) -> int:
    """Insert a copy of each ``model`` row matching ``where``; answer how many.

    ``setting`` gives the copies' values for some columns: a value, or a function of the source
    row (e.g. its copied parent: ``{"section_id": lambda row: sections[row.section_id]}``)."""
    rows, values = _copies(model, where, order_by, setting)
    if values:
        db.session.execute(insert(model.__table__), values)
    return len(rows)


def copy_rows_mapped(model, *where, setting: Setting, order_by=(), unique_by: tuple[str, ...] = ()) -> dict[int, int]:
    """``copy_rows`` answering ``{old id: new id}``; ``unique_by``: columns whose values differ between
    any two copies (say which when there are: the INSERT is then one statement on every database)."""
    rows, values = _copies(model, where, order_by, setting)
    if not rows:
        return {}
    table = model.__table__
    if not unique_by:
        new_ids = db.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), values).all()
        return {row.id: new_id for row, new_id in zip(rows, new_ids, strict=True)}
    old_ids = {tuple(value[name] for name in unique_by): row.id for row, value in zip(rows, values, strict=True)}
    made = db.session.execute(insert(table).returning(table.c.id, *(table.c[name] for name in unique_by)), values)
    return {old_ids[tuple(made_row[1:])]: made_row[0] for made_row in made}
