"""Which centres exist and who belongs where: the questions other domains ask to filter by centre.

A school with one site never sees centres: ``several_centres()`` is false until a second centre
that is not archived exists, and pages show centre filters and columns only when it is true.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import func, select

from lms.centres.models import Centre, CentreMembership
from lms.extensions import db


def open_centres():
    """A SELECT of the centres that are not archived, by name."""
    return select(Centre).where(Centre.archived_at.is_(None)).order_by(Centre.name_key)


def several_centres() -> bool:
    """Are there two or more centres that are not archived? (Once per request.)"""
    if has_request_context() and "lms_several_centres" in g:
        return g.lms_several_centres
    count = db.session.scalar(select(func.count()).select_from(open_centres().subquery()))
    answer = (count or 0) >= 2
    if has_request_context():
        g.lms_several_centres = answer
    return answer


def member_ids(centre_id: int):
    """A SELECT of the ids of the people who belong to centre ``centre_id`` (for ``User.id.in_(...)``)."""
    return select(CentreMembership.user_id).where(CentreMembership.centre_id == centre_id)


def centre_ids_of(user_id: int) -> set[int]:
    """The ids of the centres ``user_id`` belongs to."""
    return set(db.session.scalars(select(CentreMembership.centre_id).where(CentreMembership.user_id == user_id)))
