"""Rooms as other domains need them: the open rooms of a centre, a room with its centre, a room's
name for people ("Room 2 at North"), and the row lock that serialises bookings of one room.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lms.centres.models import Centre, Room
from lms.extensions import db


def open_rooms(centre_id: int | None) -> list[Room]:
    """The rooms of centre ``centre_id`` that are not archived, by name (none without a centre)."""
    if not centre_id:
        return []
    return list(db.session.scalars(select(Room).where(Room.centre_id == centre_id, Room.archived_at.is_(None))
                                   .order_by(Room.name_key, Room.id)))


def room_and_centre(room_id: int | None) -> tuple[Room, Centre] | None:
    """The room with this id and its centre (one query), or None."""
    if not room_id:
        return None
    row = db.session.execute(select(Room, Centre).join(Centre, Centre.id == Room.centre_id)
                             .where(Room.id == room_id)).first()
    return (row[0], row[1]) if row else None


def place_name(room: Room | None, centre: Centre | None) -> str:
    """"Room 2 at North", "North" (a centre without a room) or "" (neither)."""
    if room is not None and centre is not None:
        return _("%(room)s at %(centre)s", room=room.name, centre=centre.name)
    return centre.name if centre is not None else ""


def lock_room(room_id: int) -> None:
    """Hold room ``room_id``'s row until the transaction ends (SELECT ... FOR UPDATE on PostgreSQL;
    SQLite serialises writers anyway), so two requests booking the same room take turns: the second
    one's clash check sees the first one's meetings."""
    db.session.execute(select(Room.id).where(Room.id == room_id).with_for_update())
