"""In-app notifications: the kinds (one registry) and ``notify``, which other domains call.

A notification stores its ``kind`` and ``params`` (names, titles, scores), never text: the
message is rendered when it is shown, in the reader's language::

    from lms.communication.notifications import notify
    notify([student.id], "work_graded", link=url_for("assessments.grading.detail", submission_id=s.id),
           title=assessment.title, score="8/10")

Register a new kind with ``register_kind(code, lazy_message)`` at import of your module;
the message is a ``lazy_gettext`` string with ``%(name)s`` placeholders for the params.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from lms.auth.invitations import ROLE_LABELS
from lms.auth.models import User
from lms.common.services import get_visible
from lms.common.types import utcnow
from lms.communication.models import Notification
from lms.core import signals
from lms.extensions import db


@dataclass(frozen=True)
class NotificationKind:
    code: str
    message: object                      # a lazy_gettext string with %(param)s placeholders
    format_params: Callable[[dict], dict] | None = None  # e.g. turn a role code into its label


KINDS: dict[str, NotificationKind] = {}


def register_kind(code: str, message, format_params: Callable[[dict], dict] | None = None) -> NotificationKind:
    kind = NotificationKind(code, message, format_params)
    KINDS[code] = kind
    return kind


def _role_label(params: dict) -> dict:
    role = params.get("role")
    return {**params, "role": ROLE_LABELS.get(role, role)} if role else params


# The kinds of the product.  Issues that send them later use these codes and params.
INVITATION_ACCEPTED = register_kind(
    "invitation_accepted", _l("%(name)s accepted your invitation and joined as %(role)s."), _role_label)
ANNOUNCEMENT_PUBLISHED = register_kind(
    "announcement_published", _l("Your announcement “%(title)s” is now published."))
WORK_GRADED = register_kind(
    "work_graded", _l("Your work “%(title)s” was graded: %(score)s."))
WORK_RETURNED = register_kind(
    "work_returned", _l("Your work “%(title)s” was returned to you with feedback."))
WORK_REGRADED = register_kind(
    "work_regraded", _l("Your work “%(title)s” was graded again: look at the new score and feedback."))
ENROLLMENT_APPROVED = register_kind(
    "enrollment_approved", _l("Your enrollment in “%(session)s” was approved."))
ENROLLMENT_REJECTED = register_kind(
    "enrollment_rejected", _l("Your enrollment in “%(session)s” was not approved."))


def _extension_terms(params: dict) -> dict:
    """The granted due date (stored as ISO UTC) and extra attempts, in the reader's language."""
    from datetime import datetime

    from flask_babel import format_datetime, gettext, ngettext

    terms = []
    if params.get("due_at"):
        try:
            when = format_datetime(datetime.fromisoformat(params["due_at"]), "medium")
        except (TypeError, ValueError):
            when = params["due_at"]
        terms.append(gettext("due %(when)s", when=when))
    if params.get("extra_attempts"):
        count = int(params["extra_attempts"])
        terms.append(ngettext("%(num)d more attempt", "%(num)d more attempts", count))
    return {**params, "terms": ", ".join(terms)}


EXTENSION_GRANTED = register_kind(
    "extension_granted", _l("You have an extension for “%(title)s”: %(terms)s."), _extension_terms)
FEEDBACK_REPLY = register_kind(
    "feedback_reply", _l("%(name)s replied to your feedback on “%(title)s”."))
EXTENSION_REMOVED = register_kind(
    "extension_removed", _l("Your extension for “%(title)s” was removed: its usual due date and attempts apply."))


class _Params(dict):
    """Params for %-formatting: a missing one shows as "…" rather than breaking the page."""

    def __missing__(self, key):
        return "…"


def message_of(notification: Notification) -> str:
    """The notification's text in the current (the reader's) language."""
    kind = KINDS.get(notification.kind)
    if kind is None:
        return notification.kind
    params = dict(notification.params or {})
    if kind.format_params:
        params = kind.format_params(params)
    try:
        return str(kind.message) % _Params({k: str(v) for k, v in params.items()})
    except (TypeError, ValueError):
        return str(kind.message)


def safe_link(link: str | None) -> str | None:
    """Only paths on this site (``/...``, not ``//host``) are kept as links."""
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link[:500]
    return None


def notify(user_ids: Iterable[int], kind: str, link: str | None = None, **params) -> int:
    """Create one notification of ``kind`` per user (one INSERT); returns how many were created.

    ``params`` must be JSON values; ``link`` a path on this site (e.g. from ``url_for``).
    Runs in the caller's transaction (the caller commits).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}; register it with register_kind()")
    ids = sorted({int(i) for i in user_ids if i})
    if not ids:
        return 0
    now, link = utcnow(), safe_link(link)
    db.session.execute(insert(Notification), [
        {"user_id": i, "kind": kind, "params": params, "link": link, "created_at": now} for i in ids])
    return len(ids)


# --- reading ------------------------------------------------------------------------------------


def notifications_of(user):
    """A SELECT of ``user``'s notifications, newest first (paginate it)."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def get_notification_for(user, notification_id) -> Notification:
    from flask_babel import gettext as _

    return get_visible(select(Notification).where(Notification.user_id == user.id), Notification,
                       notification_id, _("That notification does not exist."))


def mark_read(user, notification: Notification) -> None:
    if notification.user_id == user.id and notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


def unread_notifications_count(user):
    """The count as a scalar SQL expression (combined with announcements into one query)."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None)).scalar_subquery())


# --- signals of other domains --------------------------------------------------------------------


def _notify_inviter(invitation, user) -> None:
    """``lms.core.signals.invitation_accepted``: tell the person who sent the invitation."""
    if not invitation.invited_by_id or invitation.invited_by_id == user.id:
        return
    from flask import current_app, url_for

    inviter_role = db.session.scalar(select(User.role).where(User.id == invitation.invited_by_id))
    link = None
    if inviter_role == "ADMIN" and "auth.users.detail" in current_app.view_functions:
        link = url_for("auth.users.detail", user_id=user.id)
    elif "auth.invitations.mine" in current_app.view_functions:
        link = url_for("auth.invitations.mine")
    notify([invitation.invited_by_id], INVITATION_ACCEPTED.code, link=link, name=user.full_name, role=user.role)


def connect_signals() -> None:
    signals.invitation_accepted.connect(_notify_inviter)
