"""Announcements: the reader's list (read/unread, open, mark all read) and the authors' pages
(write, schedule, edit, delete, who has read it)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from lms.auth.invitations import ROLE_LABELS as ROLE_NAMES
from lms.auth.models import Role
from lms.auth.view_as import viewing as viewing_as_someone
from lms.common.access import SIGNED_IN, allow
from lms.common.formviews import deleted, render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render, trigger
from lms.common.ids import as_id
from lms.common.labels import classroom_label, level_label, level_name
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.common.ratelimit import config_limit
from lms.communication import announcements as service
from lms.communication.forms import FORMAT_LABELS, TARGET_LABELS, AnnouncementForm
from lms.communication.labels import ANNOUNCEMENT_STATUS
from lms.communication.models import Announcement, AnnouncementStatus, TargetKind
from lms.communication.text import plain_excerpt, render_body
from lms.core.localtime import to_local
from lms.extensions import db, limiter
from lms.school import services as school
from lms.school.forms import choices

bp = Blueprint("announcements", __name__)

nav_item("communication.announcements.index", _l("Announcements"), Role.ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT,
         order=15)

STATUS_LABELS = ANNOUNCEMENT_STATUS
READ_EVENT = "lms:read"
_LOADED = (selectinload(Announcement.author), selectinload(Announcement.target_level),
           selectinload(Announcement.target_classroom))


def target_label(announcement: Announcement, people_count: int | None = None) -> str:
    kind = announcement.target_kind
    if kind == TargetKind.LEVEL and announcement.target_level is not None:
        label = _("Level %(name)s", name=level_label(announcement.target_level))
    elif kind == TargetKind.CLASSROOM and announcement.target_classroom is not None:
        label = _("Classroom %(name)s", name=classroom_label(announcement.target_classroom))
    elif kind == TargetKind.PEOPLE and people_count is not None:
        label = _("%(n)d chosen people", n=people_count)
    else:
        label = str(TARGET_LABELS.get(kind, kind))
    if announcement.include_parents:
        label = _("%(target)s and their parents", target=label)
    return label


def _context(**extra) -> dict:
    return {"status_labels": STATUS_LABELS, "target_label": target_label, "render_body": render_body,
            "plain_excerpt": plain_excerpt, "role_names": ROLE_NAMES, **extra}


# --- reading ----------------------------------------------------------------------------------


@bp.route("/announcements")
@allow(SIGNED_IN)
def index():
    unread_only = request.args.get("show") == "unread"
    results = paginate(service.inbox(current_user, unread_only=unread_only).options(*_LOADED), scalars=False)
    return render("communication/announcements.html", "communication/_inbox.html",
                  **_context(results=results, unread_only=unread_only, can_author=service.can_author(current_user)))


@bp.route("/announcements/read-all", methods=["POST"])
@allow(SIGNED_IN)
def read_all():
    count = service.mark_all_read(current_user)
    db.session.commit()
    if is_htmx():
        results = paginate(service.inbox(current_user).options(*_LOADED), scalars=False)
        response = render("communication/announcements.html", "communication/_inbox.html",
                          **_context(results=results, unread_only=False,
                                     can_author=service.can_author(current_user)))
        return trigger(response, READ_EVENT)
    flash(ngettext("%(n)d announcement marked as read.", "%(n)d announcements marked as read.", count, n=count)
          if count else _("Everything was already read."), "success")
    return redirect_to(url_for("communication.announcements.index"))


@bp.route("/announcements/<int:announcement_id>")
@allow(SIGNED_IN)
def detail(announcement_id: int):
    announcement, as_reader = service.get_for_reader(current_user, announcement_id, options=_LOADED)
    if as_reader and not viewing_as_someone():  # an admin viewing as the reader marks nothing read
        service.mark_read(current_user, announcement)
        db.session.commit()
    counts = service.read_counts([announcement]) if not as_reader else {}
    response = render("communication/announcement.html", "communication/_announcement_item.html",
                      **_context(announcement=announcement, expanded=True, read_at=True, as_reader=as_reader,
                                 counts=counts))
    return trigger(response, READ_EVENT) if as_reader else response


# --- writing ----------------------------------------------------------------------------------


def _form_choices(form: AnnouncementForm) -> None:
    form.target_kind.choices = choices([(k, TARGET_LABELS[k]) for k in service.allowed_targets(current_user)])
    levels = school.list_levels() if current_user.is_admin else []
    form.level_id.choices = choices([("", _("— choose a level —"))] + [
        (lv.id, f"{level_label(lv)} · {level_name(lv)}") for lv in levels]) if levels else []
    form.classroom_id.choices = choices([("", _("— choose a classroom —"))] + [
        (c.id, classroom_label(c)) for c in school.classrooms_of_year(current_user, include_archived=False)])


def _render_form(form, announcement=None, *, errors: bool = False):
    page = "communication/announcement_form.html"
    fragment = "communication/_announcement_form.html"
    ctx = _context(form=form, announcement=announcement, format_labels=FORMAT_LABELS)
    return render_form(page, fragment, failed=errors, **ctx)


def _save(form, announcement=None):
    publish = request.form.get("action") == "publish"
    with saving(form) as saved:
        if announcement is None:
            announcement = service.create_announcement(current_user, form.to_input(), publish=publish)
        else:
            announcement = service.update_announcement(current_user, announcement, form.to_input(), publish=publish)
    if not saved:
        return None
    status = announcement.effective_status()
    messages = {"DRAFT": _("Saved as a draft."), "SCHEDULED": _("Scheduled."), "PUBLISHED": _("Published."),
                "EXPIRED": _("Saved (it has already expired).")}
    flash(messages[status], "success")
    return redirect_to(url_for("communication.announcements.manage"))


def _user_key() -> str:
    return f"user:{current_user.id}"


@bp.route("/announcements/new", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
@limiter.limit(config_limit("ANNOUNCEMENT_LIMIT_PER_USER"), key_func=_user_key, methods=["POST"])
def create():
    form = AnnouncementForm()
    _form_choices(form)
    if request.method == "GET":
        form.target_kind.data = TargetKind.EVERYONE if current_user.is_admin else TargetKind.CLASSROOM
        classroom_id = as_id(request.args.get("classroom"))
        if classroom_id:
            form.target_kind.data, form.classroom_id.data = TargetKind.CLASSROOM, classroom_id
    if form.validate_on_submit():
        response = _save(form)
        if response is not None:
            return response
    return _render_form(form, errors=form.is_submitted())


@bp.route("/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
@limiter.limit(config_limit("ANNOUNCEMENT_LIMIT_PER_USER"), key_func=_user_key, methods=["POST"])
def edit(announcement_id: int):
    announcement = service.get_manageable(current_user, announcement_id)
    form = AnnouncementForm(obj=announcement if request.method == "GET" else None)
    _form_choices(form)
    if request.method == "GET":
        form.level_id.data = announcement.target_level_id
        form.classroom_id.data = announcement.target_classroom_id
        form.publish_at.data = to_local(announcement.publish_at)
        form.expires_at.data = to_local(announcement.expires_at)
        form.people.data = "\n".join(service.people_emails(announcement))
    if form.validate_on_submit():
        response = _save(form, announcement)
        if response is not None:
            return response
    return _render_form(form, announcement, errors=form.is_submitted())


@bp.route("/announcements/<int:announcement_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete(announcement_id: int):
    announcement = service.get_manageable(current_user, announcement_id)
    title = announcement.title
    service.delete_announcement(current_user, announcement)
    db.session.commit()
    return deleted(title, url_for("communication.announcements.manage"))


# --- the authors' list and read status ---------------------------------------------------------

MANAGE_FILTERS = ("DRAFT", "SCHEDULED", "PUBLISHED", "EXPIRED")


@bp.route("/announcements/manage")
@allow(Role.ADMIN, Role.TEACHER)
def manage():
    status = request.args.get("status", "")
    status = status if status in MANAGE_FILTERS else ""
    q = request.args.get("q", "").strip()[:100]
    stmt = service.manage_query(current_user, status=status, q=q).options(*_LOADED)
    results = paginate(stmt, per_page=20)
    counts = service.read_counts(results.items)
    return render("communication/manage.html", "communication/_manage_list.html",
                  **_context(results=results, counts=counts, status_filter=status, q=q, filters=MANAGE_FILTERS))


@bp.route("/announcements/<int:announcement_id>/readers")
@allow(Role.ADMIN, Role.TEACHER)
def readers(announcement_id: int):
    announcement = service.get_manageable(current_user, announcement_id)
    announcement = db.session.scalar(db.select(Announcement).where(Announcement.id == announcement.id)
                                     .options(*_LOADED))
    results = paginate(service.readers(announcement), scalars=False, per_page=50)
    counts = service.read_counts([announcement])
    return render("communication/readers.html", "communication/_readers.html",
                  **_context(announcement=announcement, results=results, counts=counts,
                             draft=announcement.status == AnnouncementStatus.DRAFT))
