"""Small pieces every domain's services use: saving with a readable conflict, titles, visible rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.common.errors import DomainError, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.extensions import db


@contextmanager
def flush_or_raise(error: DomainError) -> Iterator[None]:
    """Make the changes of the ``with`` block in a savepoint and flush them there: a constraint
    violation rolls back only the savepoint (the session stays usable) and raises ``error``.

    Opening the savepoint flushes what was changed before the block, so put the changes that may
    collide inside it."""
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as err:
        raise error from err


def clean_title(title: str | None, *, max_length: int, fallback: str = "") -> str:
    """``title`` with its runs of white space made one space (``fallback`` when blank); a blank or
    too long title is a ValidationFailed on the field "title"."""
    title = " ".join((title or "").split()) or fallback
    if not title:
        raise ValidationFailed(_("Give a title."), field="title")
    if len(title) > max_length:
        raise ValidationFailed(_("The title is too long (%(max)s characters at most).", max=max_length),
                               field="title")
    return title


def get_visible(visible, model, raw_id, not_found: DomainError | str):
    """The ``model`` row with the id ``raw_id`` (from a URL or a form) among the SELECT ``visible``
    (what the actor may see); else ``not_found`` is raised (a message is a NotFound, a 404)."""
    ident = as_id(raw_id)
    row = db.session.scalar(visible.where(model.id == ident)) if ident else None
    if row is None:
        raise NotFound(not_found) if isinstance(not_found, str) else not_found
    return row


def is_taken(id_column, *conditions, except_id: int | None = None) -> bool:
    """Does a row other than ``except_id`` (compared with ``id_column``) match all ``conditions``?
    For "that name is already used" checks before a save."""
    stmt = select(id_column).where(*conditions)
    if except_id:
        stmt = stmt.where(id_column != except_id)
    return db.session.scalar(stmt.limit(1)) is not None
