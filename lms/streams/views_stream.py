"""``/classrooms/<id>/stream``, ``/subjects/<id>/stream``, ``/sessions/<id>/stream``: read a stream
(htmx polls it with conditional requests), post, comment, react, report; ``/streams/<id>/...``
holds the actions on one stream."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.common import freshness
from lms.common.access import allow
from lms.common.errors import DomainError
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.ids import as_id
from lms.common.markdown import render_markdown
from lms.common.navigation import nav_item
from lms.common.types import utcnow
from lms.extensions import db
from lms.streams import feed, moderation, posting
from lms.streams.forms import CommentForm, MuteForm, PostForm, ReportForm, SwitchForm
from lms.streams.models import REACTIONS, Stream
from lms.streams.spaces import Space, not_found, open_space, poll_version, space_of_stream

bp = Blueprint("stream", __name__)
nav_item("streams.stream.mine", _l("Class stream"), Role.STUDENT, order=36)
READERS = (Role.ADMIN, Role.TEACHER, Role.STUDENT)
PAGE, LIST, POST = "streams/stream.html", "streams/_posts.html", "streams/_post.html"


def load_space(stream_id: int) -> Space:
    stream = db.session.get(Stream, as_id(stream_id) or 0)
    if stream is None:
        raise not_found()
    return open_space(current_user, *space_of_stream(stream))


def stream_etag(stream: Stream) -> str:
    """The list's tag: the same wherever it is drawn (its page, after a post or a moderation)."""
    return freshness.etag_of((stream.id, stream.version), per_url=False)


def context(space: Space, **extra) -> dict:
    return {"space": space, "reactions": REACTIONS, "render_markdown": render_markdown,
            "refusal": posting.refusal(space, current_user),
            "stream_url": posting.stream_url(space), "stream_endpoint": posting.stream_endpoint(space), "mute_form": MuteForm(), "report_form": ReportForm(),
            "comment_form": CommentForm(formdata=None), "now": utcnow(), "etag": stream_etag(space.stream),
            "mutes": (lambda: moderation.mutes_of(space)),
            "switch_form": SwitchForm(formdata=None, students_may_post=space.stream.students_may_post), **extra}


def _show(kind: str, target_id: int):
    if request.args.get(freshness.POLL_ARG):
        unchanged = freshness.not_modified(lambda: poll_version(current_user, kind, target_id), per_url=False)
        if unchanged is not None:
            return unchanged
    space = open_space(current_user, kind, target_id)
    if space.stream.next_publish_at is not None and space.stream.next_publish_at <= utcnow():
        posting.publish_due(space)
    db.session.commit()  # a stream made on first visit, a due scheduled post
    page = feed.page_of_posts(space, current_user)
    response = render(PAGE, LIST, **context(space, posts=page, form=PostForm(formdata=None)))
    return freshness.tagged(response, stream_etag(space.stream), space.stream.changed_at)


@bp.route("/classrooms/<int:classroom_id>/stream")
@allow(*READERS)
def classroom(classroom_id: int):
    return _show("classroom", classroom_id)


@bp.route("/subjects/<int:subject_id>/stream")
@allow(*READERS)
def subject(subject_id: int):
    return _show("subject", subject_id)


@bp.route("/sessions/<int:session_id>/stream")
@allow(*READERS)
def course_session(session_id: int):
    return _show("session", session_id)


# --- writing -------------------------------------------------------------------------------------


def answer_post(space: Space, post_id: int, *, status: int = 200, **extra):
    """htmx: the post again (after a change); a plain form post: back to the stream."""
    if not is_htmx():
        return redirect_to(posting.stream_url(space) + f"#post-{post_id}")
    try:
        post = feed.get_post(space, current_user, post_id)
    except DomainError:
        return make_response("", 200)  # gone (deleted): the swap removes it
    view = feed.views_of(space, current_user, [post])[0]
    return render(POST, POST, status=status, **context(space, view=view, **extra))


def answer_list(space: Space, *, status: int = 200, **extra):
    if not is_htmx():
        return redirect_to(posting.stream_url(space))
    page = feed.page_of_posts(space, current_user)
    return render(LIST, LIST, status=status, **context(space, posts=page, **extra))


@bp.route("/streams/<int:stream_id>/posts", methods=["POST"])
@allow(*READERS)
def create_post(stream_id: int):
    space = load_space(stream_id)
    form = PostForm()
    with saving(form) as saved:
        post = posting.create_post(current_user, space, form.body.data, form.when())
    if saved:
        flash(_("Waiting for your teacher's review.") if post.status == "HELD" else _("Posted."), "success")
        if not is_htmx():
            return redirect_to(posting.stream_url(space))
        form = PostForm(formdata=None)
    return render(PAGE, "streams/_main.html", status=200 if saved or not is_htmx() else 422,
                  **_main_context(load_space(stream_id), form))


def _main_context(space: Space, form) -> dict:
    page = feed.page_of_posts(space, current_user)
    return context(space, posts=page, form=form)


@bp.route("/streams/<int:stream_id>/posts/<int:post_id>/comments", methods=["POST"])
@allow(*READERS)
def comment(stream_id: int, post_id: int):
    space = load_space(stream_id)
    post = feed.get_post(space, current_user, post_id)
    form = CommentForm()
    with saving(quiet=True) as saved:
        created = posting.create_comment(current_user, space, post, form.body.data)
    if saved:
        flash(_("Waiting for your teacher's review.") if created.status == "HELD" else _("Comment added."),
              "success")
        return answer_post(load_space(stream_id), post_id)
    if not is_htmx():
        flash(saved.message, "error")
    return answer_post(load_space(stream_id), post_id, status=422, comment_error=saved.message,
                       comment_form=form)


@bp.route("/streams/<int:stream_id>/posts/<int:post_id>/react", methods=["POST"])
@allow(*READERS)
def react(stream_id: int, post_id: int):
    space = load_space(stream_id)
    post = feed.get_post(space, current_user, post_id)
    with saving() as saved:
        posting.react(current_user, space, post, request.form.get("emoji", ""))
    return answer_post(load_space(stream_id), post_id, status=200 if saved else 422)


@bp.route("/streams/<int:stream_id>/report/<any(post, comment):item>/<int:item_id>", methods=["POST"])
@allow(Role.STUDENT)
def report(stream_id: int, item: str, item_id: int):
    space = load_space(stream_id)
    found = (feed.get_post if item == "post" else feed.get_comment)(space, current_user, item_id)
    form = ReportForm()
    with saving() as saved:
        moderation.report(current_user, space, found, form.reason.data)
    if saved:
        flash(_("Thank you: your teacher will look at it."), "success")
    post_id = found.id if item == "post" else found.post_id
    return answer_post(load_space(stream_id), post_id, status=200 if saved else 422)


@bp.route("/streams/<int:stream_id>/settings", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def settings(stream_id: int):
    space = load_space(stream_id)
    if space.kind == "session":
        abort(404)  # a teaching session's own setting ("allow student discussions") decides
    form = SwitchForm()
    with saving() as saved:
        moderation.set_students_may_post(current_user, space, bool(form.students_may_post.data))
    if saved:
        flash(_("Saved."), "success")
    return redirect_to(posting.stream_url(space))


@bp.route("/my/stream")
@allow(Role.STUDENT)
def mine():
    """A student's classroom stream (this year's classroom), from the home page."""
    from lms.school.services import current_classroom_of

    classroom = current_classroom_of(current_user)
    if classroom is None:
        raise not_found()
    return redirect_to(url_for("streams.stream.classroom", classroom_id=classroom.id))
