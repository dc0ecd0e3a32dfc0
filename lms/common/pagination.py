"""The one pagination helper: ``?page=&per_page=`` on any SELECT statement."""

from __future__ import annotations

from flask import request

from lms.extensions import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


def page_args(default_per_page: int = DEFAULT_PER_PAGE, max_per_page: int = MAX_PER_PAGE) -> tuple[int, int]:
    """Page number and size from the query string, clamped to sane values."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", default_per_page, type=int) or default_per_page
    return max(page, 1), min(max(per_page, 1), max_per_page)


def paginate(stmt, *, per_page: int = DEFAULT_PER_PAGE, max_per_page: int = MAX_PER_PAGE,
             scalars: bool = True):
    """Run ``stmt`` for the requested page; the result has ``items``, ``total``, ``pages``...

    Out-of-range pages answer an empty page rather than an error.
    """
    page, size = page_args(per_page, max_per_page)
    return db.paginate(stmt, page=page, per_page=size, max_per_page=max_per_page,
                       error_out=False, count=True) if scalars else page_of(stmt, page, size, scalars=False)


class Page:
    """One page of results (also of multi-column rows, which ``db.paginate`` does not yield)."""

    def __init__(self, items, page, per_page, total):
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = max((total + per_page - 1) // per_page, 1) if total else 0
        self.has_prev = page > 1
        self.has_next = page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None

    def __iter__(self):
        return iter(self.items)


def page_of(stmt, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Page ``page`` (from 1) of ``stmt``: one COUNT and one LIMIT/OFFSET query."""
    from sqlalchemy import func, select

    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(limited)) if scalars else db.session.execute(limited).all()
    return Page(items, page, per_page, total)


def url_args(**overrides) -> dict:
    """The current query string with some values replaced (for filter/sort/page links)."""
    args = request.args.to_dict(flat=True)
    args.update({k: v for k, v in overrides.items()})
    return {k: v for k, v in args.items() if v not in (None, "")}
