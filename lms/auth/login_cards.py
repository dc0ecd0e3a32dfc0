"""Getting a class signed in: activation emails, login cards (one-time password + QR sign-in).

"Prepare sign-in" for some students of a classroom:

* a student **with an email** gets an activation email ("Your school account is ready — set your
  password"): an ``AccountToken`` of purpose ACTIVATE, 7 days, single use, stored hashed;
* a student **without an email** gets a **login card**: a new one-time password (set as the
  account's password, hashed, with ``must_change_password``) and a QR sign-in token
  (``SignInCard``, single use, stored hashed, expiry chosen by the teacher, at most 90 days).
  Any earlier open card of that student is revoked, so an old card stops working at once.

The plaintext one-time passwords and QR links exist only in the batch just made
(``LoginCardBatch``): encrypted with a key derived from SECRET_KEY, readable only by the person
who made it, for ``BATCH_LIFETIME``; then the row is deleted.  Lost the printout?  Make new cards.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from lms.audit.services import record
from lms.auth.credentials import revoke_credentials
from lms.auth.models import LoginCardBatch, Role, SignInCard, TokenPurpose, User
from lms.auth.picture_password import uses_picture_password
from lms.auth.services import _issue_token, check_new_password, record_login_attempt, valid_token
from lms.auth.suspension import refuse_if_suspended
from lms.auth.tokens import hash_token, new_token
from lms.common.errors import ValidationFailed
from lms.common.labels import classroom_label
from lms.common.types import utcnow
from lms.extensions import db
from lms.mail import absolute_url, send_email

ACTIVATION_LIFETIME = timedelta(days=7)
BATCH_LIFETIME = timedelta(minutes=30)
DEFAULT_CARD_DAYS = 14
MAX_CARD_DAYS = 90
# No look-alikes (0/o, 1/l/i): typed by young pupils from a printed card.
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 10


@dataclass
class Card:
    """One printed card (only in a fresh batch: the password and link are plaintext here)."""

    full_name: str
    username: str
    password: str
    link: str
    classroom: str


def one_time_password() -> str:
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))


def _fernet() -> Fernet:
    key = hashlib.sha256(("login-card-batch:" + str(current_app.config["SECRET_KEY"])).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def parse_days(raw) -> int:
    try:
        days = int(str(raw if raw is not None else DEFAULT_CARD_DAYS).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_CARD_DAYS:
        raise ValidationFailed(_("The QR codes can work for 1 to %(n)d days.", n=MAX_CARD_DAYS), field="days")
    return days


# --- activation emails ------------------------------------------------------------------------


def send_activation(actor: User, user: User) -> None:
    """A 7-day single-use "set your password" link (older unused ones stop working)."""
    raw = _issue_token(user, TokenPurpose.ACTIVATE, ACTIVATION_LIFETIME)
    send_email(user.email, _l("Your school account is ready — set your password"), "activation",
               locale=user.locale, user=user, link=absolute_url("auth.activate", token=raw),
               days=ACTIVATION_LIFETIME.days)


def activate(raw_token: str, new_password: str) -> User:
    """Set the first password from an activation link; the account's other sign-ins end."""
    token = valid_token(raw_token, TokenPurpose.ACTIVATE)
    user = db.session.get(User, token.user_id) if token else None
    if user is None or not user.active:
        raise ValidationFailed(_("This link is invalid or has expired. Ask the school for a new one."),
                               code="TOKEN_INVALID")
    check_new_password(new_password, user.email)
    token.used_at = utcnow()
    user.set_password(new_password)
    user.must_change_password = False
    revoke_credentials(user)
    record(user, "user.activated", user)
    return user


# --- login cards ------------------------------------------------------------------------------


def prepare_sign_in(actor: User, classroom, students: list[User], days=DEFAULT_CARD_DAYS) -> dict:
    """Activation emails for students with an email, new login cards for the others.

    Checks everything first (nothing is stored on bad input); returns counts and the batch (or None).
    """
    days = parse_days(days)
    if not students:
        raise ValidationFailed(_("Choose at least one student."), field="students")
    problems = [_("%(name)s is not a student.", name=u.full_name) for u in students if u.role != Role.STUDENT]
    if problems:
        raise ValidationFailed(" ".join(problems), field="students")
    active = [u for u in students if u.active]
    skipped = len(students) - len(active)
    with_email = [u for u in active if u.email]
    without = [u for u in active if not u.email]
    for user in with_email:
        send_activation(actor, user)
    now = utcnow()
    cards = []
    if without:
        ids = [u.id for u in without]
        db.session.execute(update(SignInCard).where(
            SignInCard.user_id.in_(ids), SignInCard.used_at.is_(None), SignInCard.revoked_at.is_(None))
            .values(revoked_at=now).execution_options(synchronize_session=False))
        label = classroom_label(classroom)
        for user in without:
            password = one_time_password()
            user.set_password(password)
            user.must_change_password = True
            revoke_credentials(user)  # the old card's password and any open sign-in stop working
            raw, digest = new_token()
            db.session.add(SignInCard(user_id=user.id, classroom_id=classroom.id, token_hash=digest,
                                      created_by_id=actor.id, created_at=now,
                                      expires_at=now + timedelta(days=days)))
            cards.append(Card(user.full_name, user.username or "", password,
                              url_for("auth.qr_sign_in", token=raw, _external=True), label).__dict__)
    batch = None
    if cards:
        batch = LoginCardBatch(classroom_id=classroom.id, created_by_id=actor.id, card_count=len(cards),
                               payload=_fernet().encrypt(json.dumps(cards).encode()), created_at=now,
                               expires_at=now + BATCH_LIFETIME)
        db.session.add(batch)
    record(actor, "classroom.sign_in_prepared", classroom, activation_emails=len(with_email),
           cards=len(cards), card_days=days, skipped_inactive=skipped,
           emailed_ids=[u.id for u in with_email], card_ids=[u.id for u in without])
    db.session.flush()
    return {"emailed": len(with_email), "cards": len(cards), "skipped": skipped, "batch": batch}


def current_batch(actor: User, classroom) -> LoginCardBatch | None:
    """The actor's latest batch for this classroom still in its window (older ones are deleted)."""
    db.session.execute(delete(LoginCardBatch).where(LoginCardBatch.expires_at <= utcnow()))
    return db.session.scalar(select(LoginCardBatch).where(
        LoginCardBatch.classroom_id == classroom.id, LoginCardBatch.created_by_id == actor.id)
        .order_by(LoginCardBatch.id.desc()).limit(1))


def batch_cards(batch: LoginCardBatch) -> list[Card]:
    try:
        return [Card(**item) for item in json.loads(_fernet().decrypt(batch.payload))]
    except (InvalidToken, ValueError, TypeError):  # SECRET_KEY changed: the printout is gone
        return []


def delete_expired_batches() -> int:
    return db.session.execute(delete(LoginCardBatch).where(LoginCardBatch.expires_at <= utcnow())).rowcount or 0


def open_cards(classroom) -> list[tuple[SignInCard, User]]:
    """Cards of this classroom that could still sign someone in."""
    return list(db.session.execute(
        select(SignInCard, User).join(User, User.id == SignInCard.user_id)
        .where(SignInCard.classroom_id == classroom.id, SignInCard.used_at.is_(None),
               SignInCard.revoked_at.is_(None), SignInCard.expires_at > utcnow())
        .order_by(User.full_name, SignInCard.id)).all())


def revoke(actor: User, classroom, card_id=None) -> int:
    """Revoke one open card (``card_id``) or all of the classroom's; returns how many."""
    stmt = update(SignInCard).where(SignInCard.classroom_id == classroom.id, SignInCard.used_at.is_(None),
                                    SignInCard.revoked_at.is_(None))
    if card_id is not None:
        stmt = stmt.where(SignInCard.id == card_id)
    count = db.session.execute(stmt.values(revoked_at=utcnow()).execution_options(
        synchronize_session=False)).rowcount or 0
    record(actor, "classroom.sign_in_cards_revoked", classroom, count=count, card_id=card_id)
    return count


# --- QR sign-in ----------------------------------------------------------------------------------


def card_for_token(raw: str) -> SignInCard | None:
    """The card a QR link names if it can still be used, else None (used, revoked, expired, unknown)."""
    if not raw or len(raw) > 200:
        return None
    card = db.session.scalar(select(SignInCard).where(SignInCard.token_hash == hash_token(raw)))
    if card is None or card.used_at or card.revoked_at or card.expires_at <= utcnow():
        return None
    return card


def redeem(raw: str) -> User:
    """Use a QR card once: the student it names, who must then choose a new password."""
    card = card_for_token(raw)
    user = db.session.get(User, card.user_id) if card else None
    if user is None or not user.active:
        raise ValidationFailed(_("This sign-in card cannot be used: it was already used, revoked or has "
                                 "expired. Ask your teacher for a new card."), code="CARD_INVALID")
    refuse_if_suspended(user, user.username or user.email or "")
    card.used_at = utcnow()
    user.must_change_password = True
    record_login_attempt(user.username or user.email or "", user, True, "QR_CARD")
    record(user, "user.signed_in_with_card", user, card_id=card.id)
    return user


def after_card_sign_in_url(user: User) -> str:
    """Where a student goes after signing in with a card (or a one-time password).

    A student whose level signs in with pictures chooses a picture password (which replaces the
    card's one-time password); everyone else chooses a new password."""
    if uses_picture_password(user):
        return url_for("auth.picture_password_setup")
    return url_for("auth.choose_password")


def choose_password(user: User, new_password: str) -> None:
    """The first own password after a card or a one-time password (this browser stays signed in)."""
    check_new_password(new_password, user.email or user.username or "", field="password")
    user.set_password(new_password)
    user.must_change_password = False
    counts = revoke_credentials(user, keep_this_browser=True)
    record(user, "user.password_chosen", user, other_sessions_ended=counts["sessions_ended"])
