"""The one pagination helper: ``?page=&per_page=`` on any SELECT statement.

Page numbers are clamped, never an error: ``page`` below 1 (or not a number) is the first page,
a page beyond the last is the last page (a huge number too: no OFFSET PostgreSQL cannot hold).
"""

from __future__ import annotations

from flask import request

from lms.extensions import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # also the API's largest ``page`` (answered 400 above it)


def requested_number(name: str, default: int, maximum: int) -> int:
    """A positive number from the query string, clamped to 1..``maximum`` (``default`` if absent)."""
    raw = (request.args.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return default
    value = int(raw) if len(raw) <= len(str(maximum)) else maximum
    return min(max(value, 1), maximum)


def page_args(default_per_page: int = DEFAULT_PER_PAGE, max_per_page: int = MAX_PER_PAGE) -> tuple[int, int]:
    """Page number and size from the query string, clamped to sane values."""
    return (requested_number("page", 1, MAX_PAGE),
            requested_number("per_page", default_per_page, max_per_page))


def paginate(stmt, *, per_page: int = DEFAULT_PER_PAGE, max_per_page: int = MAX_PER_PAGE,
             scalars: bool = True) -> Page:
    """Run ``stmt`` for the requested page; the result has ``items``, ``total``, ``pages``...

    A page beyond the last answers the last page.
    """
    page, size = page_args(per_page, max_per_page)
    return page_of(stmt, page, size, scalars=scalars, clamp=True)


class Page:
    """One page of results (of entities, or of multi-column rows)."""

    def __init__(self, items, page, per_page, total):
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = max((total + per_page - 1) // per_page, 1) if total else 0
        self.has_prev = page > 1
        self.has_next = page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None

    def __iter__(self):
        return iter(self.items)


def page_of(stmt, page: int, per_page: int, *, scalars: bool = True, clamp: bool = False) -> Page:
    """Page ``page`` (from 1) of ``stmt``: one COUNT and one LIMIT/OFFSET query.

    Beyond the last page: the last page with ``clamp``, else an empty page (without a query).
    """
    from sqlalchemy import func, select

    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = max(int(page), 1)
    if clamp:
        page = min(page, max((total + per_page - 1) // per_page, 1))
    offset = (page - 1) * per_page
    if offset and offset >= total:
        return Page([], page, per_page, total)
    limited = stmt.limit(per_page).offset(offset)
    if scalars:
        items = list(db.session.execute(limited).unique().scalars())
    else:
        items = db.session.execute(limited).all()
    return Page(items, page, per_page, total)


def url_args(**overrides) -> dict:
    """The current query string with some values replaced (for filter/sort/page links)."""
    args = request.args.to_dict(flat=True)
    args.update({k: v for k, v in overrides.items()})
    return {k: v for k, v in args.items() if v not in (None, "")}
