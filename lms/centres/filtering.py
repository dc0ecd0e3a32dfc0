"""The one "filter by centre" of lists and reports: ``?centre=<id>``.

Only with several centres (``several_centres()``): a school with one site gets no filter, and a
``centre`` in its address is ignored. An id that is not a centre (a mistyped or deleted one) is
ignored too: the list shows every centre, as the filter's "All centres" says. Archived centres can
still be chosen (their history stays listed). The template side is the ``centre_filter`` macro of
templates/_macros/filters.html, whose options come from ``centre_filter_options()``.
"""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from lms.centres.models import Centre, CentreMembership
from lms.centres.scope import member_ids, several_centres
from lms.common.ids import as_id
from lms.extensions import db


def centre_filter_options() -> list[Centre]:
    """The centres a filter offers (open ones first, by name); none with a single site."""
    if not several_centres():
        return []
    return list(db.session.scalars(select(Centre).order_by(Centre.archived_at.is_not(None), Centre.name_key)))


def selected_centre_id(raw=None) -> int | None:
    """The chosen centre's id (from ``raw``, else the query string's ``centre``), or None: no centre
    chosen, a single site, or not a centre."""
    ident = as_id(request.args.get("centre", "") if raw is None else raw)
    if ident is None or not several_centres():
        return None
    return ident if db.session.get(Centre, ident) is not None else None


def only_members(stmt, user_id_column, centre_id: int | None):
    """``stmt`` narrowed to the people of centre ``centre_id`` (unchanged when None)."""
    return stmt if centre_id is None else stmt.where(user_id_column.in_(member_ids(centre_id)))


def only_centre(stmt, centre_column, centre_id: int | None):
    """``stmt`` narrowed to the rows whose ``centre_column`` is ``centre_id`` (unchanged when None)."""
    return stmt if centre_id is None else stmt.where(centre_column == centre_id)


def centre_names_for(user_ids) -> dict[int, list[str]] | None:
    """``{user id: [centre names]}`` for a page of people (one query), for a list's "Centres"
    column; None with a single site (no column)."""
    if not several_centres():
        return None
    names: dict[int, list[str]] = {}
    ids = list(user_ids)
    if ids:
        rows = db.session.execute(select(CentreMembership.user_id, Centre.name)
                                  .join(Centre, Centre.id == CentreMembership.centre_id)
                                  .where(CentreMembership.user_id.in_(ids)).order_by(Centre.name_key))
        for user_id, name in rows:
            names.setdefault(user_id, []).append(name)
    return names
