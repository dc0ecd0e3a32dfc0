"""The home page (``/``): one page per role, made of small cards (``lms.home.services``), and the
language switch.  The navigation's dropdowns are declared here (``nav_group``); each domain puts
its links in them with ``nav_item(..., group=...)``."""

from __future__ import annotations

from flask import Blueprint, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.assessments.forms import SUBMISSION_STATUS_LABELS
from lms.auth.models import Role
from lms.common.access import PUBLIC, allow
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.i18n import SESSION_LOCALE_KEY, SUPPORTED_LOCALES
from lms.common.navigation import nav_group, safe_next
from lms.extensions import db
from lms.home import services
from lms.teaching.codes import spaced
from lms.teaching.labels import ATTENDANCE_STATUS as ATTENDANCE_LABELS

bp = Blueprint("home", __name__)

# The navigation's dropdowns. Administrators have ~15 links and teachers ~10: grouped, the bar
# fits a laptop.
nav_group("school", _l("School"), Role.ADMIN, Role.TEACHER, order=20)
nav_group("assessments", _l("Assessments"), Role.ADMIN, Role.TEACHER, order=40)
nav_group("admin", _l("Admin"), Role.ADMIN, order=80)

TEMPLATES = {
    Role.ADMIN: "home/_admin.html",
    Role.TEACHER: "home/_teacher.html",
    Role.STUDENT: "home/_student.html",
    Role.PARENT: "home/_parent.html",
}


def _context() -> dict:
    return {"attendance_labels": ATTENDANCE_LABELS, "submission_labels": SUBMISSION_STATUS_LABELS, "spaced": spaced}


@bp.route("/")
@allow(PUBLIC)
def index():
    if not current_user.is_authenticated:
        return redirect_to(url_for("auth.login"), status=302)
    user = current_user._get_current_object()
    role = str(user.role)
    if role == Role.SUPERVISOR:  # a centre manager's home is their dashboard
        return redirect_to(url_for("supervision.dashboard"), status=302)
    if role == Role.ADMIN:
        data = services.admin_home(user)
    elif role == Role.TEACHER:
        data = services.teacher_home(user)
    elif role == Role.STUDENT:
        data = services.student_home(user)
    else:
        data = services.parent_home(user, request.args.get("child"))
        # The child switcher swaps the children's part of the page (htmx); a plain link loads it all.
        return render("home/index.html", "home/_parent.html", role_template=TEMPLATES[Role.PARENT],
                      **data, **_context())
    return render("home/index.html", role_template=TEMPLATES.get(role), **data, **_context())


@bp.route("/home/online")
@allow(Role.ADMIN)
def online():
    """The admin home's "online now" card (htmx refreshes it every minute)."""
    context = {"online": services.admin_online(current_user)}
    if is_htmx():
        return render("home/_online.html", **context)
    return redirect_to(url_for("home.index"), status=302)


@bp.route("/language", methods=["POST"])
@allow(PUBLIC)
def set_language():
    """The language switch on every page: remembered on the account, or for this browser."""
    locale = request.form.get("locale", "")
    if locale in SUPPORTED_LOCALES:
        session[SESSION_LOCALE_KEY] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect_to(safe_next(request.form.get("next")))
