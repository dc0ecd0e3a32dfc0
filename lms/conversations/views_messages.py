"""Messages between parents and teachers: the inbox, a conversation, starting one, the teacher's
office hours, and an administrator's audited review."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.common import freshness
from lms.common.access import allow
from lms.common.edge import form_checks_text
from lms.common.formviews import render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.common.ratelimit import config_limit
from lms.conversations import office_hours, threads
from lms.conversations.forms import MessageForm, OfficeHoursForm, ReviewForm
from lms.extensions import db, limiter

bp = Blueprint("messages", __name__)
nav_item("conversations.messages.index", _l("Messages"), Role.TEACHER, Role.PARENT, Role.ADMIN, order=50,
         badge=threads.unread_count)
PER_PAGE = 30


def user_key() -> str:
    """The rate limits' key: the signed-in person."""
    return f"user:{current_user.get_id().partition(':')[0]}"


@bp.route("/messages")
@allow(Role.PARENT, Role.TEACHER, Role.ADMIN)
def index():
    q = request.args.get("q", "").strip()[:100]
    if current_user.role == Role.ADMIN:
        return render("conversations/review_list.html", "conversations/_review_list.html",
                      listing=paginate(threads.review_list_query(q)), q=q)
    version = threads.inbox_version(current_user)
    if (unchanged := freshness.not_modified(version)) is not None:
        return unchanged
    etag = freshness.etag_of(version)
    response = render("conversations/inbox.html", "conversations/_inbox.html",
                      listing=paginate(threads.inbox_query(current_user, q)), q=q, etag=etag,
                      is_unread=threads.is_unread, children=_children())
    return freshness.tagged(response, etag)


def _children():
    if current_user.role != Role.PARENT:
        return []
    from lms.school.services import children_of

    return children_of(current_user)


@bp.route("/messages/new/<int:child_id>")
@allow(Role.PARENT)
def choose_teacher(child_id: int):
    child = threads.child_of(current_user, child_id)
    teachers = threads.teachers_of_child(child)
    settings = {t.id: office_hours.settings_of(t.id) for t in teachers}
    return render("conversations/choose_teacher.html", child=child, teachers=teachers, settings=settings,
                  describe=office_hours.describe, next_opening=office_hours.next_opening)


@bp.route("/messages/new/<int:child_id>/<int:teacher_id>", methods=["GET", "POST"])
@allow(Role.PARENT)
@form_checks_text
@limiter.limit(config_limit("MESSAGE_LIMIT_PER_USER"), key_func=user_key, methods=["POST"])
def start(child_id: int, teacher_id: int):
    child = threads.child_of(current_user, child_id)
    teacher = threads.teacher_of_child(child, teacher_id)
    existing = threads.find_thread(current_user, child, teacher)
    if existing is not None:
        return redirect_to(url_for("conversations.messages.thread", thread_id=existing.id), status=302)
    form = MessageForm()
    if form.validate_on_submit():
        with saving(form, field="body") as saved:
            thread = threads.thread_between(current_user, child, teacher)
            threads.send(current_user, thread, form.body.data)
        if saved:
            flash(_("Your message was sent to %(name)s.", name=teacher.full_name), "success")
            return redirect_to(url_for("conversations.messages.thread", thread_id=thread.id))
    settings = office_hours.settings_of(teacher.id)
    return render_form("conversations/start.html", "conversations/_start_form.html", form=form, child=child,
                       teacher=teacher, hours=office_hours.describe(settings),
                       opens=office_hours.next_opening(settings), enabled=settings.messages_enabled)


def _thread_context(thread, form=None, **extra) -> dict:
    page = paginate(threads.messages_query(thread), per_page=PER_PAGE)
    messages = list(reversed(page.items))
    other_read = thread.parent_read_at if current_user.role == Role.TEACHER else thread.teacher_read_at
    return {"thread": thread, "listing": page, "messages": messages, "authors": threads.authors_of(messages),
            "other_read_at": other_read, "form": form or MessageForm(formdata=None),
            "etag": freshness.etag_of(threads.thread_version(current_user, thread.id)), **extra}


@bp.route("/messages/<int:thread_id>")
@allow(Role.PARENT, Role.TEACHER, Role.ADMIN)  # an administrator: 404 (read through the review only)
def thread(thread_id: int):
    # the poll: one query decides whether anything changed
    if (unchanged := freshness.not_modified(lambda: threads.thread_version(current_user, thread_id))) is not None:
        return unchanged
    conversation = threads.get_thread_for(current_user, thread_id)
    if threads.mark_read(current_user, conversation):
        db.session.commit()
    context = _thread_context(conversation)
    response = render("conversations/thread.html", "conversations/_messages.html", **context)
    return freshness.tagged(response, context["etag"])


@bp.route("/messages/<int:thread_id>", methods=["POST"])
@allow(Role.PARENT, Role.TEACHER, Role.ADMIN)
@form_checks_text
@limiter.limit(config_limit("MESSAGE_LIMIT_PER_USER"), key_func=user_key)
def send(thread_id: int):
    conversation = threads.get_thread_for(current_user, thread_id)
    form = MessageForm()
    if form.validate_on_submit():
        with saving(form, field="body") as saved:
            threads.send(current_user, conversation, form.body.data)
        if saved:
            if not is_htmx():
                return redirect_to(url_for("conversations.messages.thread", thread_id=thread_id))
            conversation = threads.get_thread_for(current_user, thread_id)
            return render("conversations/thread.html", "conversations/_thread.html", **_thread_context(conversation))
    conversation = threads.get_thread_for(current_user, thread_id)
    return render_form("conversations/thread.html", "conversations/_thread.html",
                       **_thread_context(conversation, form))


@bp.route("/messages/settings", methods=["GET", "POST"])
@allow(Role.TEACHER)
@form_checks_text
def settings():
    current = office_hours.settings_of(current_user.id)
    windows = current.office_hours or []
    form = OfficeHoursForm(data={"enabled": current.messages_enabled, "days": [str(w[0]) for w in windows],
                                 "start": windows[0][1] if windows else "15:00",
                                 "end": windows[0][2] if windows else "16:00"})
    if form.validate_on_submit():
        with saving(form) as saved:
            chosen = office_hours.clean_windows(form.days.data, form.start.data, form.end.data)
            office_hours.save_settings(current_user, enabled=form.enabled.data, windows=chosen)
        if saved:
            flash(_("Your message settings were saved."), "success")
            return redirect_to(url_for("conversations.messages.settings"))
    return render_form("conversations/settings.html", "conversations/_settings_form.html", form=form,
                       hours=office_hours.describe(current))


@bp.route("/messages/<int:thread_id>/review", methods=["GET", "POST"])
@allow(Role.ADMIN)
@form_checks_text
def review(thread_id: int):
    """An administrator reads a conversation only after giving a reason (kept in the audit log)."""
    conversation = threads.get_thread_for_review(current_user, thread_id)
    form = ReviewForm()
    if form.validate_on_submit():
        with saving(form, field="reason") as saved:
            threads.open_for_review(current_user, conversation, form.reason.data)
        if saved:
            return render("conversations/review.html", **_thread_context(conversation, reviewing=True))
    return render_form("conversations/review_form.html", "conversations/_review_form.html", form=form,
                       thread=conversation)
