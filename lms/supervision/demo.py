"""Demo: supervisor@example.org oversees the demo centres (the whole organization while there are none)."""

from __future__ import annotations

from sqlalchemy import select

from lms.centres.models import CentreMembership
from lms.centres.scope import open_centres
from lms.extensions import db


def seed_supervision(users) -> None:
    supervisor = users.get("supervisor@example.org")
    if supervisor is None:
        return
    centres = list(db.session.scalars(open_centres()))
    if not centres:
        supervisor.supervises_all = True
        return
    mine = set(db.session.scalars(select(CentreMembership.centre_id).where(CentreMembership.user_id == supervisor.id)))
    db.session.add_all(CentreMembership(centre_id=c.id, user_id=supervisor.id) for c in centres if c.id not in mine)
    supervisor.supervises_all = False
