"""A centre's members (administrators): the list with a CSV export, a search to add people (one or
many ticked at once), removing someone. Adding a whole classroom's students is
``school.centre_classrooms`` (classrooms are the school's)."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.models import Role
from lms.centres import members, operations
from lms.common.access import allow
from lms.common.csvexport import csv_response, local_datetime
from lms.common.formviews import outcome_answer, saving
from lms.common.htmx import render
from lms.common.pagination import page_of, paginate, requested_number
from lms.extensions import db

bp = Blueprint("members", __name__, url_prefix="/admin/centres/<int:centre_id>/members")

PICKER_PER_PAGE = 25


def role_labels() -> dict[str, str]:
    labels = {"TEACHER": _("Teacher"), "STUDENT": _("Student"), "SUPERVISOR": _("Supervisor")}
    return {str(role): labels.get(str(role), str(role).title()) for role in members.MEMBER_ROLES}


def _context(centre, **extra) -> dict:
    """The members (``?page=``), and the search's results (``?q=&role=&found=``: its page)."""
    source = request.args if request.method == "GET" else request.form
    q, role = source.get("q", "").strip()[:100], source.get("role", "")
    role = role if role in members.MEMBER_ROLES else ""
    found = page_of(members.candidates_query(centre, q=q, role=role),
                    requested_number("found", 1, 100_000), PICKER_PER_PAGE, clamp=True)
    return {"centre": centre, "results": paginate(members.members_query(centre), per_page=50, scalars=False),
            "found": found, "picker_q": q, "picker_role": role, "role_labels": role_labels(),
            "counts": members.member_counts(centre), **extra}


@bp.route("")
@allow(Role.ADMIN)
def index(centre_id: int):
    centre = operations.get_centre(current_user, centre_id)
    # The search (a GET form) swaps only its results with htmx.
    return render("centres/members.html", "centres/_picker_results.html", **_context(centre))


@bp.route("/export.csv")
@allow(Role.ADMIN)
def export(centre_id: int):
    centre = operations.get_centre(current_user, centre_id)
    labels = role_labels()
    rows = ((user.full_name, labels.get(user.role, user.role), user.email or "", user.username or "",
             local_datetime(membership.created_at)) for user, membership in db.session.execute(members.members_query(centre)))
    return csv_response(f"centre-{centre.id}-members.csv",
                        [_("Name"), _("Role"), _("Email"), _("Username"), _("Member since")], rows)


def _answer(centre_id: int, outcome, message: str | None):
    return outcome_answer(outcome, message, url_for("centres.members.index", centre_id=centre_id),
                          "centres/members.html", "centres/_people.html",
                          lambda outcome: _context(operations.get_centre(current_user, centre_id),
                                                   people_error=outcome.message))


@bp.route("", methods=["POST"])
@allow(Role.ADMIN)
def add(centre_id: int):
    centre = operations.get_centre(current_user, centre_id)
    message = None
    with saving(quiet=True) as saved:
        added, already = members.add_members(current_user, centre, request.form.getlist("user_ids"))
        message = ngettext("%(num)d person was added.", "%(num)d people were added.", len(added))
        if already:
            message += " " + _("Already members: %(names)s.", names=", ".join(u.full_name for u in already))
    return _answer(centre_id, saved, message)


@bp.route("/<int:user_id>/remove", methods=["POST"])
@allow(Role.ADMIN)
def remove(centre_id: int, user_id: int):
    centre = operations.get_centre(current_user, centre_id)
    message = None
    with saving(quiet=True) as saved:
        user = members.remove_member(current_user, centre, user_id)
        message = _("%(name)s is no longer a member of the centre.", name=user.full_name)
    return _answer(centre_id, saved, message)
