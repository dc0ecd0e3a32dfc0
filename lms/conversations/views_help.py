"""Help requests: a student asks from a section, an assessment or a teaching session; the teachers'
queue (open first, the longest waiting first); answering and closing."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.common import freshness
from lms.common.access import allow
from lms.common.edge import form_checks_text
from lms.common.formviews import arg_int, render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.common.ratelimit import config_limit
from lms.common.types import utcnow
from lms.conversations import help_requests
from lms.conversations.forms import AnswerForm, HelpRequestForm
from lms.conversations.models import HelpStatus
from lms.conversations.views_messages import user_key
from lms.extensions import limiter

bp = Blueprint("help", __name__)
nav_item("conversations.help.index", _l("Help requests"), Role.TEACHER, Role.ADMIN, order=51,
         badge=help_requests.open_count)
nav_item("conversations.help.mine", _l("My help requests"), Role.STUDENT, order=51, badge=help_requests.open_count)


def _list(template: str):
    status = request.args.get("status", "")
    status = status if status in help_requests.STATUSES else ""
    version = help_requests.queue_version(current_user)
    if (unchanged := freshness.not_modified(version)) is not None:
        return unchanged
    etag = freshness.etag_of(version)
    listing = paginate(help_requests.queue_query(current_user, status))
    response = render(template, "conversations/_help_list.html", listing=listing, chosen=status, etag=etag,
                      titles=help_requests.titles_of(listing.items), waited=help_requests.waited_text, now=utcnow(),
                      labels=help_requests.STATUS_LABELS, statuses=help_requests.STATUSES)
    return freshness.tagged(response, etag)


@bp.route("/help-requests")
@allow(Role.TEACHER, Role.ADMIN)
def index():
    return _list("conversations/help_queue.html")


@bp.route("/my/help-requests")
@allow(Role.STUDENT)
def mine():
    return _list("conversations/help_mine.html")


@bp.route("/help-requests/new", methods=["GET", "POST"])
@allow(Role.STUDENT)
@form_checks_text
@limiter.limit(config_limit("HELP_REQUEST_LIMIT_PER_USER"), key_func=user_key, methods=["POST"])
def create():
    kind = request.args.get("kind", "")
    target = help_requests.context_target(current_user, kind, arg_int("id"))
    form = HelpRequestForm()
    if form.validate_on_submit():
        with saving(form, field="question") as saved:
            row = help_requests.raise_request(current_user, kind, target.id, form.question.data)
        if saved:
            flash(_("Your help request was sent to your teacher."), "success")
            return redirect_to(url_for("conversations.help.detail", request_id=row.id))
    title = getattr(target, "title", None) or getattr(target, "session_name", "")
    return render_form("conversations/help_new.html", "conversations/_help_form.html", form=form, kind=kind,
                       target=target, title=title)


def _detail(help_request, answer_form=None, status: int = 200):
    helper = help_requests.is_helper(current_user, help_request)
    return render("conversations/help_detail.html", "conversations/_help_detail.html", status=status,
                  help_request=help_request, helper=helper,
                  title=help_requests.titles_of([help_request]).get(help_request.id, ""),
                  link=help_requests.context_link(help_request, current_user),
                  waited=help_requests.waited_text(help_request), labels=help_requests.STATUS_LABELS,
                  form=answer_form or AnswerForm(formdata=None, data={"answer": help_request.answer or ""}),
                  closed=help_request.status == HelpStatus.CLOSED)


@bp.route("/help-requests/<int:request_id>")
@allow(Role.STUDENT, Role.TEACHER, Role.ADMIN)
def detail(request_id: int):
    return _detail(help_requests.get_request_for(current_user, request_id))


@bp.route("/help-requests/<int:request_id>/answer", methods=["POST"])
@allow(Role.TEACHER, Role.ADMIN)
@form_checks_text
def answer(request_id: int):
    help_request = help_requests.get_request_for(current_user, request_id)
    form = AnswerForm()
    if form.validate_on_submit():
        with saving(form, field="answer") as saved:
            help_requests.answer(current_user, help_request, form.answer.data)
        if saved:
            flash(_("Your answer was sent to %(name)s.", name=help_request.student.full_name), "success")
            if not is_htmx():
                return redirect_to(url_for("conversations.help.detail", request_id=request_id))
            return _detail(help_requests.get_request_for(current_user, request_id))
    return _detail(help_requests.get_request_for(current_user, request_id), form,
                   status=422 if is_htmx() else 200)


@bp.route("/help-requests/<int:request_id>/close", methods=["POST"])
@allow(Role.STUDENT, Role.TEACHER, Role.ADMIN)
def close(request_id: int):
    help_request = help_requests.get_request_for(current_user, request_id)
    with saving() as saved:
        help_requests.close(current_user, help_request)
    if saved:
        flash(_("The help request is closed."), "success")
    return redirect_to(url_for("conversations.help.detail", request_id=request_id))
