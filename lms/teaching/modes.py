"""Where and how a teaching session meets (seed 004): its mode, centre, room and meeting link.

* ``ONLINE`` (the default): a meeting link; a centre is optional (it only files the session under a
  site), there is no room.  ``IN_PERSON`` and ``HYBRID``: a centre and one of its rooms; a hybrid
  session has a link too.  The link is optional in every mode (students are told when there is none).
* The link is an ``https://`` address (at most 500 characters, no spaces or control characters).
* Archived centres and rooms cannot be chosen; a session already in one keeps it.
* A room hosts one meeting at a time: moving a session into a room checks its meetings still to
  come, adding meetings checks them, against every other meeting in that room (10:00–11:00 and
  11:00–12:00 do not clash).  The room's row is locked first, so two requests take turns.
* The link is shown to the session's tutor and admins always, to its ENROLLED students only from
  ``LINK_OPENS_BEFORE`` before a meeting starts until it ends; never to anyone else (parents learn
  that their child gets it).

Public: ``place_fields(data, course_session=None)``, ``check_room_free(course_session, room_id)``,
``check_meetings_free(course_session, spans)``, ``link_for_student(course_session, enrollment)``,
``places_for(sessions)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from lms.centres.models import Centre, Room
from lms.centres.rooms import lock_room, place_name, room_and_centre
from lms.common.errors import Conflict, ValidationFailed
from lms.common.types import utcnow
from lms.core.localtime import zone
from lms.extensions import db
from lms.teaching import rules
from lms.teaching.models import CourseSession, CourseSessionMeeting, CourseSessionMode
from lms.teaching.models import SessionEnrollmentStatus as Enr

Mode = CourseSessionMode
LINK_OPENS_BEFORE = timedelta(minutes=15)
LINK_OPENS_MINUTES = int(LINK_OPENS_BEFORE.total_seconds() // 60)
LINK_MAX = 500
IN_A_ROOM = (Mode.IN_PERSON, Mode.HYBRID)
WITH_A_LINK = (Mode.ONLINE, Mode.HYBRID)
PLACE_FIELDS = ("mode", "centre_id", "room_id", "meeting_link")


# --- parsing ------------------------------------------------------------------------------------


def parse_link(value) -> str | None:
    """An ``https://`` address with a host, or None for nothing; else a ValidationFailed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = _("The meeting link must be an https:// address of at most %(n)d characters", n=LINK_MAX)
    if not isinstance(value, str) or len(value) > LINK_MAX:
        raise ValidationFailed(message, field="meeting_link")
    link = value.strip()
    if any(ch.isspace() or not ch.isprintable() for ch in link):
        raise ValidationFailed(message, field="meeting_link")
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        raise ValidationFailed(message, field="meeting_link") from None
    if parts.scheme.lower() != "https" or not link.lower().startswith("https://") or not host:
        raise ValidationFailed(message, field="meeting_link")
    return link


def _parse_id(value, field: str, message: str) -> int | None:
    return rules.parse_int(value, field, message, minimum=1, allow_none=True)


def _mode(data: dict, current: CourseSession | None) -> str:
    if data.get("mode") in (None, ""):
        return current.mode if current is not None else Mode.ONLINE
    return rules.parse_choice(data["mode"], "mode", Mode, _("mode must be one of ONLINE, IN_PERSON, HYBRID"))


def _centre(centre_id: int | None, current_id: int | None) -> Centre | None:
    if centre_id is None:
        return None
    centre = db.session.get(Centre, centre_id)
    if centre is None:
        raise ValidationFailed(_("Choose one of the centres"), field="centre_id")
    if centre.is_archived and centre.id != current_id:
        raise ValidationFailed(_("%(centre)s is archived: choose an open centre", centre=centre.name),
                               field="centre_id")
    return centre


def _room(room_id: int, centre_id: int | None, current_id: int | None) -> tuple[Room, Centre]:
    found = room_and_centre(room_id)
    if found is None:
        raise ValidationFailed(_("Choose one of the centre's rooms"), field="room_id")
    room, centre = found
    if centre_id is not None and room.centre_id != centre_id:
        raise ValidationFailed(_("%(room)s is not at the chosen centre", room=place_name(room, centre)),
                               field="room_id")
    if room.id != current_id and (room.archived_at is not None or centre.is_archived):
        raise ValidationFailed(_("%(room)s is archived: choose another room", room=place_name(room, centre)),
                               field="room_id")
    return room, centre


def place_fields(data: dict, course_session: CourseSession | None = None) -> dict:
    """``{mode, centre_id, room_id, meeting_link}`` from ``data`` (the API's JSON or the form's dict),
    the session's current values where a field is not given; ``{}`` when an update gives none of them.
    A room without a centre takes the room's centre."""
    current = course_session
    if current is not None and not any(name in data for name in PLACE_FIELDS):
        return {}
    mode = _mode(data, current)
    centre_given = "centre_id" in data
    centre_id = _parse_id(data.get("centre_id"), "centre_id", _("Choose one of the centres")) if centre_given \
        else (current.centre_id if current is not None else None)
    room_given = "room_id" in data
    room_id = _parse_id(data.get("room_id"), "room_id", _("Choose one of the centre's rooms")) if room_given \
        else (current.room_id if current is not None else None)
    current_room = current.room_id if current is not None else None
    if centre_given:
        _centre(centre_id, current.centre_id if current is not None else None)
    if mode == Mode.ONLINE:
        if room_given and room_id is not None:
            raise ValidationFailed(_("An online session has no room: choose in person or hybrid"), field="room_id")
        room_id = None
    elif room_id is None:
        raise ValidationFailed(_("In person and hybrid sessions need a centre and a room"), field="room_id")
    if room_id is not None:
        room, _room_centre = _room(room_id, centre_id if centre_given else None, current_room)
        centre_id = room.centre_id
    link = parse_link(data["meeting_link"]) if "meeting_link" in data else (
        current.meeting_link if current is not None else None)
    return {"mode": mode, "centre_id": centre_id, "room_id": room_id, "meeting_link": link}


# --- one meeting per room at a time ----------------------------------------------------------------


def _clash(room_id: int, meeting: CourseSessionMeeting, session_name: str) -> Conflict:
    room, centre = room_and_centre(room_id)
    local = zone(centre.timezone)
    starts, ends = meeting.starts_at.astimezone(local), meeting.ends_at.astimezone(local)
    message = _("%(room)s is taken by '%(session)s' on %(day)s %(start)s-%(end)s",
                room=place_name(room, centre), session=session_name, day=format_date(starts.date(), "d MMM"),
                start=starts.strftime("%H:%M"), end=ends.strftime("%H:%M"))
    error = Conflict(message, code="ROOM_TAKEN", details={
        "field": "room_id", "reason": message, "room_id": room_id, "course_session_id": meeting.course_session_id,
        "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat()})
    error.field = "room_id"  # the session form shows it under the room (the meeting form above itself)
    return error


def _meetings_in_room(room_id: int):
    """A SELECT of (meeting, session name) of the sessions (not deleted) that meet in room ``room_id``."""
    return (select(CourseSessionMeeting, CourseSession.session_name)
            .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
            .where(CourseSession.room_id == room_id, CourseSession.is_deleted.is_(False))
            .order_by(CourseSessionMeeting.starts_at, CourseSessionMeeting.id).limit(1))


def check_room_free(course_session: CourseSession, room_id: int | None) -> None:
    """``course_session`` moves into room ``room_id``: none of its meetings still to come may overlap a
    meeting of another session there (409 ROOM_TAKEN naming the first clash).  Locks the room."""
    if room_id is None:
        return
    lock_room(room_id)
    mine = aliased(CourseSessionMeeting)
    other = CourseSessionMeeting
    overlapping = exists().where(mine.course_session_id == course_session.id, mine.ends_at > utcnow(),
                                 mine.starts_at < other.ends_at, mine.ends_at > other.starts_at)
    found = db.session.execute(_meetings_in_room(room_id).where(
        CourseSession.id != course_session.id, other.ends_at > utcnow(), overlapping)).first()
    if found is not None:
        raise _clash(room_id, found[0], found[1])


def check_meetings_free(course_session: CourseSession, spans: list[tuple[datetime, datetime]]) -> None:
    """New meetings ``spans`` (start, end) of ``course_session`` must find its room free (409 ROOM_TAKEN
    naming the first clash).  Nothing to check for a session without a room.  Locks the room."""
    room_id = course_session.room_id
    if room_id is None or not spans:
        return
    lock_room(room_id)
    other = CourseSessionMeeting
    overlaps = or_(*(and_(other.starts_at < ends, other.ends_at > starts) for starts, ends in spans))
    found = db.session.execute(_meetings_in_room(room_id).where(overlaps)).first()
    if found is not None:
        raise _clash(room_id, found[0], found[1])


# --- the meeting link ------------------------------------------------------------------------------


@dataclass
class LinkState:
    """What a student sees of the meeting link: ``link`` (only while it is open), else when it opens."""

    link: str | None = None
    opens_at: datetime | None = None
    missing: bool = False    # an online or hybrid session whose tutor has not given a link

    @property
    def applies(self) -> bool:
        return bool(self.link or self.opens_at or self.missing)


def link_for_student(course_session: CourseSession, enrollment, now: datetime | None = None) -> LinkState:
    """The link for an ENROLLED student, from ``LINK_OPENS_BEFORE`` before a meeting starts until it ends."""
    if course_session.mode not in WITH_A_LINK or enrollment is None \
            or enrollment.enrollment_status != Enr.ENROLLED:
        return LinkState()
    if not course_session.meeting_link:
        return LinkState(missing=True)
    now = now or utcnow()
    meeting = db.session.scalar(
        select(CourseSessionMeeting).where(CourseSessionMeeting.course_session_id == course_session.id,
                                           CourseSessionMeeting.ends_at > now)
        .order_by(CourseSessionMeeting.starts_at, CourseSessionMeeting.id).limit(1))
    if meeting is None:
        return LinkState()
    opens_at = meeting.starts_at - LINK_OPENS_BEFORE
    if opens_at <= now:
        return LinkState(link=course_session.meeting_link)
    return LinkState(opens_at=opens_at)


def places_for(sessions) -> dict[int, str]:
    """``{session id: "Room 2 at North"}`` for sessions with a centre (one query)."""
    ids = [s.id for s in sessions if s.centre_id]
    if not ids:
        return {}
    rows = db.session.execute(
        select(CourseSession.id, Room, Centre).join(Centre, Centre.id == CourseSession.centre_id)
        .outerjoin(Room, Room.id == CourseSession.room_id).where(CourseSession.id.in_(ids)))
    return {session_id: place_name(room, centre) for session_id, room, centre in rows}
