"""Moderation routes: hide, show, delete, lock, pin, mute and unmute in one stream; the moderation
queue (``/streams/moderation``: reports and held items of the streams the reader moderates); the
organization's word filter (``/admin/word-filter``)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.markdown import render_markdown
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.extensions import db
from lms.streams import feed, moderation, posting, words
from lms.streams.forms import MuteForm, WordForm
from lms.streams.models import Stream, StreamComment, StreamPost
from lms.streams.spaces import space_of_stream
from lms.streams.views_stream import answer_list, answer_post, load_space

bp = Blueprint("moderation", __name__)
nav_item("streams.moderation.queue", _l("Moderation queue"), Role.ADMIN, Role.TEACHER, order=38, group="school")
nav_item("streams.moderation.word_filter", _l("Word filter"), Role.ADMIN, order=85, group="admin")
STAFF = (Role.ADMIN, Role.TEACHER)


def _back(space, post_id: int | None = None, *, whole_list: bool = False, saved=True):
    """htmx: the post (or the list) again; a post from the queue (``from=queue``): back to it."""
    if request.form.get("from") == "queue":
        return redirect_to(url_for("streams.moderation.queue"))
    status = 200 if saved else 422
    if whole_list or post_id is None:
        return answer_list(space, status=status)
    return answer_post(space, post_id, status=status)


def _load_item(stream_id: int, item: str, item_id: int):
    """The stream's space and the post or comment in it (404 when not visible)."""
    space = load_space(stream_id)
    return space, (feed.get_post if item == "post" else feed.get_comment)(space, current_user, item_id)


def _moderate(stream_id: int, item: str, item_id: int, act, message: str):
    """Load the post or comment, run ``act(space, found)`` in a saving block, answer with its post."""
    space, found = _load_item(stream_id, item, item_id)
    post_id = found.id if item == "post" else found.post_id
    with saving() as saved:
        act(space, found)
    if saved:
        flash(message, "success")
    return _back(load_space(stream_id), post_id, saved=saved)


@bp.route("/streams/<int:stream_id>/<any(post, comment):item>/<int:item_id>/<any(hide, show):visibility>",
          methods=["POST"])
@allow(*STAFF)
def hide(stream_id: int, item: str, item_id: int, visibility: str):
    hidden = visibility == "hide"
    return _moderate(stream_id, item, item_id,
                     lambda space, found: moderation.set_hidden(current_user, space, found, hidden),
                     _("Hidden: only its author sees it, marked as hidden.") if hidden else _("Shown again."))


@bp.route("/streams/<int:stream_id>/<any(post, comment):item>/<int:item_id>/<any(approve, reject):decision>",
          methods=["POST"])
@allow(*STAFF)
def review(stream_id: int, item: str, item_id: int, decision: str):
    approve = decision == "approve"
    return _moderate(stream_id, item, item_id,
                     lambda space, found: moderation.review_held(current_user, space, found, approve),
                     _("Approved: everyone sees it now.") if approve else _("Rejected: it stays hidden."))


@bp.route("/streams/<int:stream_id>/<any(post, comment):item>/<int:item_id>/delete", methods=["POST"])
@allow(*STAFF)
def delete(stream_id: int, item: str, item_id: int):
    space, found = _load_item(stream_id, item, item_id)
    post_id = None if item == "post" else found.post_id
    with saving() as saved:
        moderation.delete_item(current_user, space, found)
    if saved:
        flash(_("Deleted."), "success")
    if post_id is None and saved and is_htmx() and request.form.get("from") != "queue":
        return render("streams/_gone.html", "streams/_gone.html")
    return _back(load_space(stream_id), post_id if post_id else item_id, saved=saved)


@bp.route("/streams/<int:stream_id>/post/<int:post_id>/<any(lock, unlock, pin, unpin):flag>", methods=["POST"])
@allow(*STAFF)
def post_flag(stream_id: int, post_id: int, flag: str):
    space = load_space(stream_id)
    post = feed.get_post(space, current_user, post_id)
    with saving() as saved:
        if flag in ("lock", "unlock"):
            moderation.set_locked(current_user, space, post, flag == "lock")
        else:
            posting.set_pinned(current_user, space, post, flag == "pin")
    if saved:
        flash({"lock": _("Locked: no new comments."), "unlock": _("Unlocked."), "pin": _("Pinned to the top."),
               "unpin": _("Unpinned.")}[flag], "success")
    return _back(load_space(stream_id), post_id, whole_list=flag in ("pin", "unpin"), saved=saved)


@bp.route("/streams/<int:stream_id>/mute/<int:student_id>", methods=["POST"])
@allow(*STAFF)
def mute(stream_id: int, student_id: int):
    space = load_space(stream_id)
    form = MuteForm()
    with saving() as saved:
        found = moderation.mute(current_user, space, student_id, form.duration.data or "")
    if saved:
        flash(_("Muted in this stream until %(when)s.", when=posting.to_local(found.until).strftime("%Y-%m-%d %H:%M")),
              "success")
    return _back(load_space(stream_id), as_post_id(), saved=saved)


@bp.route("/streams/<int:stream_id>/unmute/<int:student_id>", methods=["POST"])
@allow(*STAFF)
def unmute(stream_id: int, student_id: int):
    space = load_space(stream_id)
    with saving() as saved:
        moderation.unmute(current_user, space, student_id)
    if saved:
        flash(_("They can write again."), "success")
    return redirect_to(posting.stream_url(load_space(stream_id)))


def as_post_id() -> int | None:
    from lms.common.formviews import form_int

    return form_int("post_id")


# --- the queue -----------------------------------------------------------------------------------


def _stream_urls(stream_ids) -> dict[int, tuple]:
    """``{stream id: (kind, target id)}`` for the queue's links (one query)."""
    rows = db.session.scalars(select(Stream).where(Stream.id.in_(set(stream_ids)))) if stream_ids else []
    return {stream.id: space_of_stream(stream) for stream in rows}


def _queue_context() -> dict:
    reports = moderation.open_reports(current_user)
    post_ids = {r.post_id for r in reports if r.post_id}
    comment_ids = {r.comment_id for r in reports if r.comment_id}
    posts = {p.id: p for p in db.session.scalars(select(StreamPost).where(StreamPost.id.in_(post_ids)))} \
        if post_ids else {}
    comments = {c.id: c for c in db.session.scalars(select(StreamComment).where(StreamComment.id.in_(comment_ids)))} \
        if comment_ids else {}
    held_posts = moderation.held_posts(current_user)
    held_comments = moderation.held_comments(current_user)
    stream_ids = [r.stream_id for r in reports] + [p.stream_id for p in held_posts] + [s for _c, s in held_comments]
    return {"reports": reports, "posts": posts, "comments": comments, "held_posts": held_posts,
            "held_comments": held_comments, "spaces": _stream_urls(stream_ids), "render_markdown": render_markdown}


@bp.route("/streams/moderation")
@allow(*STAFF)
def queue():
    return render("streams/queue.html", "streams/_queue.html", **_queue_context())


@bp.route("/streams/reports/<int:report_id>/dismiss", methods=["POST"])
@allow(*STAFF)
def dismiss(report_id: int):
    entry = moderation.get_report_for(current_user, report_id)
    with saving() as saved:
        moderation.dismiss_report(current_user, entry)
    if saved:
        flash(_("Report dismissed."), "success")
    return redirect_to(url_for("streams.moderation.queue"))


# --- the word filter -----------------------------------------------------------------------------


@bp.route("/admin/word-filter", methods=["GET", "POST"])
@allow(Role.ADMIN)
def word_filter():
    form = WordForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        with saving(form) as saved:
            entry = words.add_word(current_user, form.word.data)
        if saved:
            flash(_("“%(word)s” was added.", word=entry.word), "success")
            form = WordForm(formdata=None)
        elif is_htmx():
            status = 422
    return render("streams/word_filter.html", "streams/_word_filter.html", status=status,
                  form=form, results=paginate(words.words_query(), per_page=50))


@bp.route("/admin/word-filter/<int:word_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def remove_word(word_id: int):
    with saving() as saved:
        word = words.remove_word(current_user, word_id)
    if saved:
        flash(_("“%(word)s” was removed.", word=word), "success")
    return redirect_to(url_for("streams.moderation.word_filter"))
