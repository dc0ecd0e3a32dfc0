"""Optional emails: the choice on the profile page and the one-click unsubscribe link in each email.

``/unsubscribe/<token>``: ``GET`` shows a page with a button and changes nothing (mail scanners
follow links); ``POST`` — that button, or the mail program's RFC 8058 one-click POST (body
``List-Unsubscribe=One-Click``) — turns the token's kind off without signing in.  The POST needs
no CSRF token: the signed token is the authority, and it can only turn emails off.
"""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.common.access import PUBLIC, SIGNED_IN, allow
from lms.common.formviews import render_form, saved_answer, saving
from lms.common.htmx import render
from lms.communication import email_preferences
from lms.communication.forms import EmailPreferencesForm
from lms.communication.models import EmailKind
from lms.extensions import csrf, db

bp = Blueprint("emails", __name__)

PROFILE_FRAGMENT = "communication/_email_preferences.html"


def preferences_context(user, form: EmailPreferencesForm | None = None) -> dict:
    """What the profile page's "Emails" card shows."""
    off = email_preferences.turned_off(user)
    if form is None:
        form = EmailPreferencesForm(formdata=None, data={
            kind: not (off & {kind, EmailKind.ALL}) for kind in email_preferences.KIND_CODES})
    return {"email_prefs": {"form": form, "kinds": email_preferences.kinds_for(user),
                            "all_off": EmailKind.ALL in off, "has_email": bool(user.email)}}


@bp.app_template_global("email_preferences_context")
def email_preferences_context() -> dict:
    return preferences_context(current_user) if current_user.is_authenticated else {}


@bp.route("/me/emails", methods=["POST"])
@allow(SIGNED_IN)
def preferences():
    user = current_user._get_current_object()
    form = EmailPreferencesForm()
    if form.validate_on_submit():
        wanted = [kind for kind in email_preferences.KIND_CODES if form[kind].data]
        with saving(form) as saved:
            email_preferences.choose(user, wanted)
        if saved:
            return saved_answer(_("Your email settings were saved."), url_for("auth.profile"),
                                "auth/profile.html", PROFILE_FRAGMENT, lambda: preferences_context(user))
    # Only the fragment: the profile page's other forms belong to its own view.
    return render_form(PROFILE_FRAGMENT, PROFILE_FRAGMENT, **preferences_context(user, form), form=form)


def _page(token: str, *, done: bool):
    user, kind = email_preferences.read_token(token)
    off = email_preferences.turned_off(user)
    all_url = url_for("communication.emails.confirm_unsubscribe",
                      token=email_preferences.unsubscribe_token(user, EmailKind.ALL)) if kind != EmailKind.ALL else None
    return render("communication/unsubscribe.html", user=user, token=token, done=done,
                  kind_label=email_preferences.kind_label(kind), all_url=all_url,
                  already_off=bool(off & {kind, EmailKind.ALL}))


@bp.route("/unsubscribe/<token>", methods=["GET"])
@allow(PUBLIC)
def unsubscribe(token: str):
    return _page(token, done=False)


@csrf.exempt  # the signed token is the authority; mail programs POST without a CSRF token (RFC 8058)
@bp.route("/unsubscribe/<token>", methods=["POST"])
@allow(PUBLIC)
def confirm_unsubscribe(token: str):
    user, kind = email_preferences.read_token(token)
    if email_preferences.turn_off(user, kind, "EMAIL"):
        db.session.commit()
    return _page(token, done=True)
