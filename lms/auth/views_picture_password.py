"""Picture-password pages: setting one up (signed-in young learners), signing in with one, and a
teacher's or admin's reset from the student page.

Each pick is one form submission (htmx swaps the fragment when available); the partial sequence
lives only in the signed Flask session, never in the page.
"""

from __future__ import annotations

from flask import flash, g, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth import picture_password as pictures
from lms.auth.models import Role
from lms.auth.services import normalise_login, sign_in
from lms.auth.sign_in_limits import sign_in_limits
from lms.auth.views import bp
from lms.common.access import PUBLIC, SIGNED_IN, allow
from lms.common.errors import Forbidden, NotFound, ValidationFailed
from lms.common.htmx import redirect_to, render
from lms.common.navigation import safe_next
from lms.core import signals
from lms.extensions import db

SETUP_KEY = "picture_password_setup"  # {"first": [...] once chosen, "picks": [...]}
SIGN_IN_KEY = "picture_sign_in"  # {"login": ..., "picks": [...]}


def _picture(value: str | None) -> str | None:
    return value if value in pictures.PICTURES else None


# --- setting up a picture password ---------------------------------------------------------


def _setup_context(state: dict, error: str | None = None) -> dict:
    return {"pictures": pictures.PICTURES, "picks": state.get("picks", []),
            "confirming": bool(state.get("first")), "count": pictures.PICTURE_COUNT, "error": error,
            "changing": pictures.has_picture_password(current_user)}


def _render_setup(state: dict, error: str | None = None, status: int = 200):
    return render("auth/picture_password_setup.html", "auth/_picture_password_setup.html",
                  status=status, **_setup_context(state, error))


@bp.route("/auth/picture-password/setup", methods=["GET", "POST"])
@allow(SIGNED_IN)
def picture_password_setup():
    if not pictures.uses_picture_password(current_user):
        raise Forbidden(_("Picture passwords are not used in your class."))
    state = dict(session.get(SETUP_KEY) or {})
    if request.method == "GET":
        return _render_setup(state)
    if request.form.get("action") == "restart":
        session.pop(SETUP_KEY, None)
        return _render_setup({})
    picture = _picture(request.form.get("picture"))
    if picture is None:
        return _render_setup(state, _("Choose one of the pictures."), status=422)
    picks = list(state.get("picks", []))[: pictures.PICTURE_COUNT - 1] + [picture]
    state["picks"] = picks
    if len(picks) < pictures.PICTURE_COUNT:
        session[SETUP_KEY] = state
        return _render_setup(state)
    if not state.get("first"):  # chosen: now pick them again to confirm
        session[SETUP_KEY] = {"first": picks, "picks": []}
        return _render_setup(session[SETUP_KEY])
    if picks != state["first"]:
        session.pop(SETUP_KEY, None)
        return _render_setup({}, _("The pictures did not match. Start again: choose three pictures."),
                             status=422)
    session.pop(SETUP_KEY, None)
    pictures.set_picture_password(current_user._get_current_object(), picks)
    db.session.commit()
    flash(_("Your picture password is ready. Next time, sign in with your pictures."), "success")
    return redirect_to(url_for("home.index"))


# --- signing in with pictures ----------------------------------------------------------------


def _sign_in_context(login: str, picks: list, error: str | None = None) -> dict:
    return {"pictures": pictures.PICTURES, "login": login, "picks": picks,
            "count": pictures.PICTURE_COUNT, "error": error, "next": request.args.get("next")}


def _render_sign_in(login: str = "", picks: list | None = None, error: str | None = None,
                    status: int = 200):
    return render("auth/picture_login.html", "auth/_picture_login.html", status=status,
                  **_sign_in_context(login, picks or [], error))


@bp.route("/auth/login/pictures", methods=["GET", "POST"])
@allow(PUBLIC)
@sign_in_limits  # the same per-account and per-address counters as a password
def picture_login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect_to(safe_next(request.args.get("next")))
        session.pop(SIGN_IN_KEY, None)
        return _render_sign_in()
    # The login travels with every pick (it is not secret), so the rate limits count the same
    # account the sign-in checks; the picks so far stay in the session.
    login = normalise_login(request.form.get("login"))
    if not login:
        session.pop(SIGN_IN_KEY, None)
        return _render_sign_in(error=_("Type your username or student number."), status=422)
    state = session.get(SIGN_IN_KEY) or {}
    picks = list(state.get("picks", [])) if state.get("login") == login else []
    if request.form.get("action") == "restart":
        picks = []
    elif request.form.get("picture") is not None:
        picture = _picture(request.form.get("picture"))
        if picture is None:
            return _render_sign_in(login, picks, _("Choose one of the pictures."), status=422)
        picks = picks[: pictures.PICTURE_COUNT - 1] + [picture]
    if len(picks) < pictures.PICTURE_COUNT:
        session[SIGN_IN_KEY] = {"login": login, "picks": picks}
        return _render_sign_in(login, picks)
    session.pop(SIGN_IN_KEY, None)
    try:
        user = pictures.authenticate_with_pictures(login, picks)
    except ValidationFailed as err:
        g.lms_login_failed = True
        db.session.commit()  # the failed attempt is recorded
        return _render_sign_in(login, [], err.message)
    sign_in(user)
    record(user, "auth.signed_in_with_pictures", user)
    db.session.commit()
    return redirect_to(safe_next(request.args.get("next")))


# --- a teacher or admin resets a student's picture password --------------------------------------


@bp.route("/students/<int:student_id>/picture-password/reset", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def reset_picture_password(student_id):
    student = signals.first_answer(signals.visible_student, current_user._get_current_object(),
                                   student_id=student_id)
    if student is None:
        raise NotFound(_("That student does not exist or is not one of yours."))
    if pictures.reset_picture_password(current_user, student):
        db.session.commit()
        flash(_("%(student)s's picture password was removed. They sign in with their password or login "
                "card and choose new pictures.", student=student.full_name), "success")
    else:
        flash(_("%(student)s has no picture password.", student=student.full_name), "info")
    return redirect_to(url_for("school.students.detail", student_id=student.id))
