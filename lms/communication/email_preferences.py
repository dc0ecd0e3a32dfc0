"""Which optional emails a person gets, and the one-click unsubscribe link in each of them.

* **Kinds** (``EmailKind``): urgent announcements, teaching-session reminders, absence alerts to
  parents, and ``all``.  A row in ``email_opt_out`` turns a kind off (``all``: every kind).  Emails a
  person asked for (password resets, invitations, confirmations) and the parents' weekly digest
  (``lms.digest``, its own setting) are not governed here.
* **Sending**: ``send_optional_email(user, kind, subject, template, ...)`` sends only when the person
  wants that kind, with ``List-Unsubscribe: <…/unsubscribe/<token>>`` and
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).  Bulk senders filter their
  recipients in SQL with ``receives(kind)``.
* **The token** is signed with itsdangerous (the app's secret key and ``TOKEN_SALT``) and holds the
  user id, the kind and the user's ``login_version``: it never expires, and it stops working when
  the person's credentials are revoked (password change, "sign out everywhere").  It can only turn
  emails off.
* **The link** (``lms.communication.views_emails``): ``GET`` shows a page with a button and changes
  nothing (link scanners follow GETs); ``POST`` (the button, or the mail program's one-click POST,
  without a CSRF token or a sign-in) turns that kind off.  The profile page shows every kind.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, exists, insert, not_, select

from lms.auth.models import Role, User
from lms.common.errors import NotFound
from lms.communication.models import EmailKind, EmailOptOut
from lms.extensions import db
from lms.mail import absolute_url, send_email

TOKEN_SALT = "lms-email-unsubscribe"  # noqa: S105 - a signing salt, not a secret
SOURCES = ("WEB", "EMAIL")

# (kind, what it is, what it says) in the order the profile page lists them.
KINDS = (
    (EmailKind.ANNOUNCEMENTS, _l("Urgent announcements"),
     _l("Announcements the school or a teaching session marks as urgent.")),
    (EmailKind.SESSION_REMINDERS, _l("Teaching session reminders"),
     _l("A teaching session you are in ends soon.")),
    (EmailKind.ABSENCE_ALERTS, _l("Absence alerts"),
     _l("Your child missed two meetings of a teaching session in a row.")),
    (EmailKind.MESSAGES, _l("Messages and help requests"),
     _l("A new message from a parent or a teacher, or an answer to your help request.")),
)
KIND_CODES = tuple(str(kind) for kind, _label, _hint in KINDS)
# Who can get each kind (the profile page shows only these).
KINDS_BY_ROLE = {
    Role.ADMIN: (EmailKind.ANNOUNCEMENTS, EmailKind.SESSION_REMINDERS),
    Role.TEACHER: (EmailKind.ANNOUNCEMENTS, EmailKind.SESSION_REMINDERS, EmailKind.MESSAGES),
    Role.STUDENT: (EmailKind.ANNOUNCEMENTS, EmailKind.SESSION_REMINDERS, EmailKind.MESSAGES),
    Role.PARENT: (EmailKind.ANNOUNCEMENTS, EmailKind.ABSENCE_ALERTS, EmailKind.MESSAGES),
    Role.SUPERVISOR: (EmailKind.ANNOUNCEMENTS,),
}


def kinds_for(user) -> list[tuple[str, object, object]]:
    """``(kind, label, hint)`` of the kinds ``user``'s role can get."""
    mine = KINDS_BY_ROLE.get(user.role, ())
    return [(str(kind), label, hint) for kind, label, hint in KINDS if kind in mine]


ALL_LABEL = _l("All optional emails")


def kind_label(kind: str):
    """The kind's name (lazy: it is rendered in the reader's language, in emails too)."""
    if kind == EmailKind.ALL:
        return ALL_LABEL
    return next((label for code, label, _hint in KINDS if code == kind), kind)


# --- who gets what -------------------------------------------------------------------------------


def turned_off(user) -> set[str]:
    """The kinds ``user`` turned off (``all`` included when every kind is off)."""
    return set(db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id)))


def wants(user, kind: str) -> bool:
    return not turned_off(user) & {kind, EmailKind.ALL}


def receives(kind: str):
    """SQL condition on ``User.id``: the person has not turned ``kind`` (nor all) off."""
    return not_(exists().where(EmailOptOut.user_id == User.id, EmailOptOut.kind.in_((kind, EmailKind.ALL))))


def set_turned_off(user, kinds, source: str = "WEB") -> bool:
    """Make exactly ``kinds`` the ones ``user`` turned off; True when anything changed."""
    wanted_off = {k for k in kinds if k in (*KIND_CODES, EmailKind.ALL)}
    current = turned_off(user)
    if wanted_off == current:
        return False
    if current - wanted_off:
        db.session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == user.id,
                                                     EmailOptOut.kind.in_(current - wanted_off)))
    if wanted_off - current:
        db.session.execute(insert(EmailOptOut), [{"user_id": user.id, "kind": kind, "source": source}
                                                 for kind in sorted(wanted_off - current)])
    db.session.flush()
    return True


def choose(user, wanted) -> bool:
    """The profile page: ``user`` wants exactly ``wanted`` among the kinds of their role (the others
    stay as they were; "all off" gives way to the choice)."""
    shown = {kind for kind, _label, _hint in kinds_for(user)}
    off = (turned_off(user) - shown - {EmailKind.ALL}) | (shown - set(wanted))
    return set_turned_off(user, off, "WEB")


def turn_off(user, kind: str, source: str = "EMAIL") -> bool:
    """Turn ``kind`` off for ``user`` (idempotent); True when it was on."""
    if kind in turned_off(user):
        return False
    return set_turned_off(user, turned_off(user) | {kind}, source)


# --- the link ------------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def unsubscribe_token(user, kind: str) -> str:
    return _serializer().dumps({"u": user.id, "k": str(kind), "v": user.login_version or 1})


def unsubscribe_url(user, kind: str) -> str:
    return absolute_url("communication.emails.unsubscribe", token=unsubscribe_token(user, kind))


def read_token(token: str) -> tuple[User, str]:
    """``(user, kind)`` of a link; NotFound for a tampered, unknown or revoked one."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        data = None
    data = data if isinstance(data, dict) else {}
    user_id, kind, version = data.get("u"), data.get("k"), data.get("v")
    user = db.session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if user is None or kind not in (*KIND_CODES, EmailKind.ALL) or version != (user.login_version or 1):
        raise NotFound(_("This unsubscribe link is not valid. You can change your email settings on your profile."))
    return user, kind


def send_optional_email(user, kind: str, subject, template: str, **context) -> bool:
    """Send an optional email of ``kind`` to ``user`` unless they turned it off; True when queued."""
    if not user.email or not wants(user, kind):
        return False
    unsubscribe = unsubscribe_url(user, kind)
    footer = {"kind": kind_label(kind), "unsubscribe": unsubscribe, "settings": absolute_url("auth.profile")}
    send_email(user.email, subject, template, locale=user.locale, user=user, list_unsubscribe=unsubscribe,
               one_click=True, optional_email=footer, **context)
    return True

