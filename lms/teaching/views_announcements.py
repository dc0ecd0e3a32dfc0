"""``/sessions/<id>/announcements``: write (urgent, scheduled, expiring), edit and delete a teaching
session's announcements."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import deleted, render_form, saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.markdown import render_markdown
from lms.common.pagination import paginate
from lms.common.types import utcnow
from lms.core.localtime import to_local
from lms.extensions import db
from lms.teaching import announcements as service
from lms.teaching.forms import AnnouncementForm
from lms.teaching.views_sessions import common_context, load, load_with

bp = Blueprint("announcements", __name__)


def _context(course_session, form, **extra):
    results = paginate(service.announcements_query(course_session), per_page=20)
    return common_context(course_session=course_session, form=form, results=results, now=utcnow(),
                          render_markdown=render_markdown, **extra)


@bp.route("/sessions/<int:session_id>/announcements", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def index(session_id: int):
    course_session = load(session_id)
    form = AnnouncementForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        with saving(form) as saved:
            announcement = service.create_announcement(current_user, course_session, form.to_data())
        if not saved:
            return render_form_errors("teaching/announcements.html", "teaching/_announcement_form.html",
                                      **_context(load(session_id), form))
        flash(_("“%(title)s” was posted.", title=announcement.title) + (
            " " + _("The enrolled students are emailed.") if announcement.is_urgent else ""), "success")
        return redirect_to(url_for("teaching.announcements.index", session_id=session_id))
    return render("teaching/announcements.html", "teaching/_announcement_list.html",
                  **_context(course_session, form))


@bp.route("/sessions/<int:session_id>/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def edit(session_id: int, announcement_id: int):
    course_session, announcement = load_with(session_id, service.get_announcement_for, announcement_id)
    if request.method == "GET":
        form = AnnouncementForm(formdata=None, obj=announcement)
        form.scheduled_for.data = to_local(announcement.scheduled_for)
        form.expires_at.data = to_local(announcement.expires_at)
    else:
        form = AnnouncementForm()
        with saving(form) as saved:
            service.update_announcement(current_user, course_session, announcement, form.to_data())
        if saved:
            flash(_("Saved."), "success")
            return redirect_to(url_for("teaching.announcements.index", session_id=session_id))
        course_session, announcement = load_with(session_id, service.get_announcement_for, announcement_id)
    return render_form("teaching/announcement_edit.html", "teaching/_announcement_form.html",
                       **common_context(course_session=course_session, form=form, announcement=announcement))


@bp.route("/sessions/<int:session_id>/announcements/<int:announcement_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete(session_id: int, announcement_id: int):
    course_session, announcement = load_with(session_id, service.get_announcement_for, announcement_id)
    title = announcement.title
    service.delete_announcement(current_user, course_session, announcement)
    db.session.commit()
    return deleted(title, url_for("teaching.announcements.index", session_id=session_id))
