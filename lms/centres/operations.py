"""Administrators keep the centres and their rooms: create, rename, archive, delete when unused.

Rules checked here before the database (whose constraints back them):

* Names are unique case-insensitively (a centre among centres, a room among its centre's rooms),
  at most ``CENTRE_NAME_MAX`` / ``ROOM_NAME_MAX`` characters, without control characters.
* A centre's timezone is kept only when it differs from the organization's.
* An archived centre keeps its rooms, members and teaching sessions, but takes no new ones.
* A centre or a room used by a teaching session (even a deleted one) cannot be deleted: archive it.
  A centre with members cannot be deleted either (remove them, or archive the centre).

Members (who belongs to a centre) are ``lms.centres.members``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.audit.services import record
from lms.centres.models import (
    CENTRE_ADDRESS_MAX,
    CENTRE_NAME_MAX,
    ROOM_CAPACITY_MAX,
    ROOM_NAME_MAX,
    Centre,
    CentreMembership,
    Room,
    name_key,
)
from lms.common.edge import has_forbidden_characters
from lms.common.errors import Conflict, Forbidden, ValidationFailed
from lms.common.services import flush_or_raise, get_visible, is_taken
from lms.common.types import utcnow
from lms.core.organization import current_organization
from lms.core.timezones import is_timezone
from lms.extensions import db


def require_admin(actor) -> None:
    if not getattr(actor, "is_admin", False):
        raise Forbidden(_("Only administrators manage centres."))


def get_centre(actor, centre_id) -> Centre:
    require_admin(actor)
    return get_visible(select(Centre), Centre, centre_id, _("That centre does not exist."))


def get_room(actor, centre: Centre, room_id) -> Room:
    require_admin(actor)
    return get_visible(select(Room).where(Room.centre_id == centre.id), Room, room_id,
                       _("That room does not exist."))


# --- listing ------------------------------------------------------------------------------------------


def _count_of(column, *conditions):
    return select(func.count(column)).where(*conditions).correlate(Centre).scalar_subquery()


def centre_list_query(*, archived: bool = False):
    """Rows of (Centre, open rooms, members), by name: the open centres, or the archived ones."""
    rooms = _count_of(Room.id, Room.centre_id == Centre.id, Room.archived_at.is_(None))
    members = _count_of(CentreMembership.id, CentreMembership.centre_id == Centre.id)
    state = Centre.archived_at.is_not(None) if archived else Centre.archived_at.is_(None)
    return (select(Centre, rooms.label("rooms"), members.label("members")).where(state)
            .order_by(Centre.name_key, Centre.id))


def rooms_of(centre: Centre) -> list[Room]:
    """The centre's rooms, open ones first, by name."""
    return list(db.session.scalars(select(Room).where(Room.centre_id == centre.id)
                                   .order_by(Room.archived_at.is_not(None), Room.name_key, Room.id)))


def sessions_using(*conditions) -> int:
    """How many teaching sessions (deleted ones too) match ``conditions`` on the course_session table.

    The table is looked up by name: teaching sits above centres and is not imported here."""
    table = db.metadata.tables["course_session"]
    return db.session.scalar(select(func.count()).select_from(table).where(*(c(table) for c in conditions))) or 0


# --- cleaning -----------------------------------------------------------------------------------------


def clean_text(value: str | None, *, field: str, max_length: int, required: str | None = None,
               one_line: bool = True) -> str:
    """``value`` trimmed (runs of white space made one space when ``one_line``); a ValidationFailed on
    ``field`` when it is blank (and ``required`` is its message), too long or has control characters."""
    value = " ".join((value or "").split()) if one_line else (value or "").strip()
    if has_forbidden_characters(value):
        raise ValidationFailed(_("This contains a control character (such as a NUL byte) that cannot be accepted."),
                               field=field)
    if required and not value:
        raise ValidationFailed(required, field=field)
    if len(value) > max_length:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=max_length), field=field)
    return value


def clean_timezone(value: str | None) -> str | None:
    """The centre's own timezone: None when blank or the organization's."""
    value = (value or "").strip()
    if not value:
        return None
    if not is_timezone(value):
        raise ValidationFailed(_("Choose a timezone from the list."), field="timezone")
    return None if value == current_organization().timezone else value


def clean_capacity(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        capacity = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_("The capacity is a whole number."), field="capacity") from None
    if not 1 <= capacity <= ROOM_CAPACITY_MAX:
        raise ValidationFailed(_("The capacity is between 1 and %(n)d people.", n=ROOM_CAPACITY_MAX),
                               field="capacity")
    return capacity


# --- centres -----------------------------------------------------------------------------------------


def _centre_name(name) -> str:
    return clean_text(name, field="name", max_length=CENTRE_NAME_MAX, required=_("Give the centre a name."))


def _centre_taken(name: str) -> ValidationFailed:
    return ValidationFailed(_("There is already a centre called “%(name)s”.", name=name), field="name")


def create_centre(actor, name: str | None, address: str | None = "", timezone: str | None = None) -> Centre:
    require_admin(actor)
    name = _centre_name(name)
    address = clean_text(address, field="address", max_length=CENTRE_ADDRESS_MAX, one_line=False)
    timezone = clean_timezone(timezone)
    if is_taken(Centre.id, Centre.name_key == name_key(name)):
        raise _centre_taken(name)
    centre = Centre(name=name, name_key=name_key(name), address=address, timezone=timezone)
    with flush_or_raise(_centre_taken(name)):  # the same name created at the same moment
        db.session.add(centre)
    record(actor, "centre.create", centre, name=name)
    return centre


def update_centre(actor, centre: Centre, name: str | None, address: str | None, timezone: str | None) -> Centre:
    require_admin(actor)
    name = _centre_name(name)
    address = clean_text(address, field="address", max_length=CENTRE_ADDRESS_MAX, one_line=False)
    timezone = clean_timezone(timezone)
    if is_taken(Centre.id, Centre.name_key == name_key(name), except_id=centre.id):
        raise _centre_taken(name)
    before = {"name": centre.name, "address": centre.address, "timezone": centre.timezone}
    with flush_or_raise(_centre_taken(name)):
        centre.name, centre.name_key, centre.address, centre.timezone = name, name_key(name), address, timezone
    record(actor, "centre.update", centre, before=before,
           after={"name": name, "address": address, "timezone": timezone})
    return centre


def _set_archived(actor, row, archived: bool, kind: str):
    require_admin(actor)
    if archived != (row.archived_at is not None):
        row.archived_at = utcnow() if archived else None
        db.session.flush()
        record(actor, f"{kind}.archive" if archived else f"{kind}.unarchive", row, name=row.name)
    return row


def set_centre_archived(actor, centre: Centre, archived: bool) -> Centre:
    """Archive the centre (it keeps its history, takes no new members or sessions) or bring it back."""
    return _set_archived(actor, centre, archived, "centre")


def delete_centre(actor, centre: Centre) -> str:
    """Delete an unused centre (and its rooms); its name. Used: a Conflict saying by what."""
    require_admin(actor)
    sessions = sessions_using(lambda t: t.c.centre_id == centre.id)
    if sessions:
        raise Conflict(_("“%(name)s” has teaching sessions (%(num)d), so it cannot be deleted. Archive it instead.",
                         name=centre.name, num=sessions))
    members = db.session.scalar(select(func.count(CentreMembership.id))
                                .where(CentreMembership.centre_id == centre.id)) or 0
    if members:
        raise Conflict(_("“%(name)s” has members (%(num)d). Remove them first, or archive the centre instead.",
                         name=centre.name, num=members))
    name = centre.name
    record(actor, "centre.delete", centre, name=name)
    in_use = Conflict(_("“%(name)s” is in use, so it cannot be deleted. Archive it instead.", name=name))
    with flush_or_raise(in_use):  # a session given this centre meanwhile (the database's RESTRICT)
        for room in rooms_of(centre):
            db.session.delete(room)
        db.session.delete(centre)
    return name


# --- rooms --------------------------------------------------------------------------------------------


def _room_name(name) -> str:
    return clean_text(name, field="name", max_length=ROOM_NAME_MAX, required=_("Give the room a name."))


def _room_taken(name: str) -> ValidationFailed:
    return ValidationFailed(_("This centre already has a room called “%(name)s”.", name=name), field="name")


def add_room(actor, centre: Centre, name: str | None, capacity=None) -> Room:
    require_admin(actor)
    if centre.is_archived:
        raise ValidationFailed(_("This centre is archived: bring it back before adding rooms."))
    name, capacity = _room_name(name), clean_capacity(capacity)
    if is_taken(Room.id, Room.centre_id == centre.id, Room.name_key == name_key(name)):
        raise _room_taken(name)
    room = Room(centre_id=centre.id, name=name, name_key=name_key(name), capacity=capacity)
    with flush_or_raise(_room_taken(name)):
        db.session.add(room)
    record(actor, "room.create", room, centre=centre.id, name=name, capacity=capacity)
    return room


def update_room(actor, room: Room, name: str | None, capacity=None) -> Room:
    require_admin(actor)
    name, capacity = _room_name(name), clean_capacity(capacity)
    if is_taken(Room.id, Room.centre_id == room.centre_id, Room.name_key == name_key(name), except_id=room.id):
        raise _room_taken(name)
    before = {"name": room.name, "capacity": room.capacity}
    with flush_or_raise(_room_taken(name)):
        room.name, room.name_key, room.capacity = name, name_key(name), capacity
    record(actor, "room.update", room, before=before, after={"name": name, "capacity": capacity})
    return room


def set_room_archived(actor, room: Room, archived: bool) -> Room:
    """Archive the room (its sessions keep it, new ones cannot use it) or bring it back."""
    return _set_archived(actor, room, archived, "room")


def delete_room(actor, room: Room) -> str:
    require_admin(actor)
    sessions = sessions_using(lambda t: t.c.room_id == room.id)
    if sessions:
        raise Conflict(_("The room “%(name)s” is used by teaching sessions (%(num)d), so it cannot be deleted. "
                         "Archive it instead.", name=room.name, num=sessions))
    name = room.name
    record(actor, "room.delete", room, name=name)
    with flush_or_raise(Conflict(_("The room “%(name)s” is in use, so it cannot be deleted.", name=name))):
        db.session.delete(room)
    return name

