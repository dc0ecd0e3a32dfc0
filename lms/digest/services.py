"""The weekly email to parents: when it is due, what it says, who gets it, opting out.

* **When**: once per ISO week of the school's calendar, from the organization's ``digest_weekday``
  at ``digest_hour`` (local time; Friday 16:00 by default) until the week ends.  A periodic job
  (``lms.digest.jobs.send_weekly_digests``) runs often and sends whatever is due, so a worker that
  was down at 16:00 catches up later in the week, never twice.
* **Once**: a ``DigestDelivery(parent, week)`` row (unique) is written in the transaction that
  queues the email (``lms.mail.send_email`` dispatches after the commit).  A second run — or a
  second worker at the same moment — finds the row (or hits the unique constraint) and sends
  nothing.  A parent with nothing to report gets an ``EMPTY`` row and no email.
* **What**: for each linked child, the last 7 days: work missing (past due, not submitted, within
  ``lms.home.work.OVERDUE_LOOKBACK``) and due in the next 7 days, grades returned (scores only when
  the assessment's results are visible to the parent), attendance marks and absences.
* **Opting out**: ``opt_out(user, source)`` / ``opt_in(user)`` (the profile page), and a signed
  link in every email (``unsubscribe_token(user)`` / ``user_for_token(token)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from lms.auth.models import Role, User
from lms.common.errors import Forbidden, NotFound
from lms.common.types import utcnow
from lms.core.localtime import zone
from lms.core.organization import current_organization
from lms.digest.models import DigestDelivery, DigestOptOut, DigestStatus
from lms.extensions import db
from lms.home import work
from lms.mail import absolute_url, send_email
from lms.school.models import ParentLink, StudentProfile, StudentStatus

WINDOW = timedelta(days=7)
TOKEN_SALT = "lms-digest-unsubscribe"  # noqa: S105 - a signing salt, not a secret
OPT_OUT_SOURCES = ("WEB", "EMAIL")


# --- when -----------------------------------------------------------------------------------------


LEFT_SCHOOL = (StudentStatus.LEFT, StudentStatus.GRADUATED)


def week_key(day: date) -> str:
    """The ISO week of a local date: ``2026-W19``."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def local_now(now: datetime | None = None) -> datetime:
    return (now or utcnow()).astimezone(zone())


def due_week(now: datetime | None = None) -> str | None:
    """This ISO week's key once the organization's send moment of the week has come, else None."""
    org = current_organization()
    local = local_now(now)
    weekday, hour = org.digest_weekday, org.digest_hour
    if weekday is None or hour is None:
        weekday, hour = 4, 16
    if (local.weekday(), local.hour) < (weekday, hour):
        return None
    return week_key(local.date())


def schedule_text() -> str:
    """"Fridays at 16:00" in the reader's language."""
    from babel.dates import get_day_names
    from flask_babel import get_locale

    org = current_organization()
    weekday = org.digest_weekday if org.digest_weekday is not None else 4
    hour = org.digest_hour if org.digest_hour is not None else 16
    day = get_day_names("wide", locale=get_locale())[weekday]
    return _("every %(day)s at %(time)s", day=day, time=f"{hour:02d}:00")


# --- who ------------------------------------------------------------------------------------------


def _still_at_school(student_id):
    """A linked child who is still a student here: an active account, not left or graduated."""
    child = aliased(User)
    return exists().where(child.id == student_id, child.active.is_(True),
                          ~exists().where(StudentProfile.user_id == child.id,
                                          StudentProfile.status.in_(LEFT_SCHOOL)))


def children_at_school(parent) -> list[User]:
    """The parent's children the digest is about, by name."""
    return list(db.session.scalars(
        select(User).join(ParentLink, ParentLink.student_id == User.id)
        .where(ParentLink.parent_id == parent.id, _still_at_school(User.id)).order_by(User.full_name, User.id)))


def parents_due(week: str, *, limit: int | None = None) -> list[int]:
    """Ids of the active parents with a linked child still at school who did not opt out and have
    no row for ``week``."""
    stmt = (select(User.id).where(
        User.role == Role.PARENT, User.active.is_(True),
        exists().where(ParentLink.parent_id == User.id, _still_at_school(ParentLink.student_id)),
        ~exists().where(DigestOptOut.user_id == User.id),
        ~exists().where(DigestDelivery.parent_id == User.id, DigestDelivery.week == week))
        .order_by(User.id))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


# --- what -----------------------------------------------------------------------------------------


@dataclass
class ChildDigest:
    child: User
    missing: list = field(default_factory=list)    # WorkItem, overdue
    upcoming: list = field(default_factory=list)   # WorkItem, due in the next 7 days
    grades: list = field(default_factory=list)     # GradedItem returned or graded this week
    attendance: work.AttendanceSummary | None = None
    absences: list = field(default_factory=list)   # (meeting, session name, session id) this week

    @property
    def is_empty(self) -> bool:
        return not (self.missing or self.upcoming or self.grades or (self.attendance and self.attendance.total))


@dataclass
class Digest:
    parent: User
    week: str
    first_day: date
    last_day: date
    children: list[ChildDigest] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return all(c.is_empty for c in self.children)


def compose(parent: User, week: str, now: datetime | None = None) -> Digest:
    """The digest of ``parent`` for the 7 days ending ``now`` (four queries per child)."""
    now = now or utcnow()
    last_day = local_now(now).date()
    first_day = last_day - timedelta(days=6)
    digest = Digest(parent, week, first_day, last_day)
    for child in children_at_school(parent):
        items = work.due_work(child, now=now, overdue="all", limit=20)
        absences = [row for row in work.recent_absences(child, limit=7) if row[0].meeting_date >= first_day]
        digest.children.append(ChildDigest(
            child=child,
            missing=[i for i in items if i.overdue],
            upcoming=[i for i in items if not i.overdue],
            grades=work.graded_work(child, parent, since=now - WINDOW, limit=20),
            attendance=work.attendance_summary(child, first_day, last_day),
            absences=absences))
    return digest


def subject_for(digest: Digest):
    names = ", ".join(c.child.full_name for c in digest.children)
    return _l("This week for %(names)s", names=names)


# --- sending ------------------------------------------------------------------------------------------


def deliver(parent_id: int, week: str, now: datetime | None = None) -> str | None:
    """Write ``DigestDelivery(parent, week)`` and queue the email in one transaction, then commit.

    Returns the status written (SENT or EMPTY), or None when there was nothing to do (already
    delivered this week, opted out, no longer a parent)."""
    parent = db.session.get(User, parent_id)
    if (parent is None or parent.role != Role.PARENT or not parent.active or not parent.email
            or is_opted_out(parent)):
        return None
    if db.session.scalar(select(DigestDelivery.id).where(DigestDelivery.parent_id == parent_id,
                                                         DigestDelivery.week == week)):
        return None
    digest = compose(parent, week, now)
    status = DigestStatus.EMPTY if digest.is_empty else DigestStatus.SENT
    db.session.add(DigestDelivery(parent_id=parent_id, week=week, status=status, children=len(digest.children)))
    try:
        db.session.flush()
    except IntegrityError:  # another run wrote it first: that one sends
        db.session.rollback()
        return None
    if status == DigestStatus.SENT:
        send_email(parent.email, subject_for(digest), "parent_digest", locale=parent.locale, user=parent,
                   digest=digest, home_link=absolute_url("home.index"),
                   child_link=lambda child: absolute_url("home.index", child=child.id),
                   settings_link=absolute_url("auth.profile"), schedule=schedule_text,
                   unsubscribe_link=absolute_url("digest.unsubscribe", token=unsubscribe_token(parent)),
                   list_unsubscribe=absolute_url("digest.unsubscribe", token=unsubscribe_token(parent)), one_click=True)
    db.session.commit()
    return status


# --- opting out ---------------------------------------------------------------------------------------


def preference_of(user) -> DigestOptOut | None:
    """The user's opt-out row (None: they get the weekly email)."""
    return db.session.get(DigestOptOut, user.id)


def is_opted_out(user) -> bool:
    return db.session.scalar(select(exists().where(DigestOptOut.user_id == user.id))) or False


def _require_parent(user) -> None:
    if getattr(user, "role", None) != Role.PARENT:
        raise Forbidden(_("Only parents get the weekly email."))


def opt_out(user, source: str = "WEB") -> bool:
    """Stop the weekly email for ``user``; True when it changed anything."""
    _require_parent(user)
    if source not in OPT_OUT_SOURCES:
        source = "WEB"
    if preference_of(user) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(DigestOptOut(user_id=user.id, source=source))
    except IntegrityError:  # the same click twice at once
        return False
    return True


def opt_in(user) -> bool:
    """Send the weekly email to ``user`` again; True when it changed anything."""
    _require_parent(user)
    return bool(db.session.execute(delete(DigestOptOut).where(DigestOptOut.user_id == user.id)).rowcount)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def unsubscribe_token(user) -> str:
    """The signed token of the one-click unsubscribe link (it never expires; it only opts out)."""
    return _serializer().dumps({"u": user.id})


def user_for_token(token: str) -> User:
    """The parent a token was made for; NotFound for a tampered or unknown token."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        data = None
    user_id = data.get("u") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.role != Role.PARENT:
        raise NotFound(_("This unsubscribe link is not valid. You can change your email settings on your profile."))
    return user
