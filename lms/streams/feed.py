"""Reading a stream: a page of posts (pinned first, then newest) with their comments and reaction
counts, each in a fixed number of queries whatever the page holds.

What a reader sees: teachers of the space see everything (scheduled, held and hidden items are
marked); everyone else sees visible, published items, plus their own hidden or held ones (marked
"hidden by your teacher" / "waiting for review").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from lms.common.errors import NotFound
from lms.common.pagination import paginate
from lms.common.services import get_visible
from lms.common.types import utcnow
from lms.extensions import db
from lms.streams.models import REACTIONS, ItemStatus, StreamComment, StreamPost, StreamReaction
from lms.streams.spaces import Space

PER_PAGE = 15


def _readable(model, space: Space, reader):
    if space.is_manager:
        return ()
    return (or_(model.status == ItemStatus.VISIBLE, model.author_id == reader.id),)


def posts_query(space: Space, reader):
    stmt = select(StreamPost).where(StreamPost.stream_id == space.stream.id, *_readable(StreamPost, space, reader))
    if not space.is_manager:
        stmt = stmt.where(or_(StreamPost.publish_at <= utcnow(), StreamPost.author_id == reader.id))
    return (stmt.options(joinedload(StreamPost.author))
            .order_by(StreamPost.pinned.desc(), StreamPost.publish_at.desc(), StreamPost.id.desc()))


def get_post(space: Space, reader, post_id) -> StreamPost:
    return get_visible(posts_query(space, reader).order_by(None), StreamPost, post_id,
                       NotFound(_("That post does not exist or was deleted.")))


def get_comment(space: Space, reader, comment_id) -> StreamComment:
    stmt = (select(StreamComment).join(StreamPost, StreamPost.id == StreamComment.post_id)
            .where(StreamPost.stream_id == space.stream.id, *_readable(StreamComment, space, reader)))
    return get_visible(stmt, StreamComment, comment_id, NotFound(_("That comment does not exist or was deleted.")))


@dataclass
class PostView:
    post: StreamPost
    comments: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)    # emoji -> count
    mine: str | None = None                       # the reader's reaction


def page_of_posts(space: Space, reader):
    """The requested page, each item a ``PostView`` (three more queries: comments, counts, mine)."""
    page = paginate(posts_query(space, reader), per_page=PER_PAGE)
    page.items = views_of(space, reader, page.items)
    return page


def views_of(space: Space, reader, posts) -> list[PostView]:
    views = {p.id: PostView(p) for p in posts}
    ids = list(views)
    if not ids:
        return []
    comments = db.session.scalars(
        select(StreamComment).where(StreamComment.post_id.in_(ids), *_readable(StreamComment, space, reader))
        .options(joinedload(StreamComment.author)).order_by(StreamComment.created_at, StreamComment.id))
    for comment in comments:
        views[comment.post_id].comments.append(comment)
    counts = defaultdict(dict)
    for post_id, emoji, count in db.session.execute(
            select(StreamReaction.post_id, StreamReaction.emoji, func.count())
            .where(StreamReaction.post_id.in_(ids)).group_by(StreamReaction.post_id, StreamReaction.emoji)):
        counts[post_id][emoji] = count
    for post_id, emoji in db.session.execute(select(StreamReaction.post_id, StreamReaction.emoji).where(
            StreamReaction.post_id.in_(ids), StreamReaction.user_id == reader.id)):
        views[post_id].mine = emoji
    for post_id, view in views.items():
        view.counts = {e: counts[post_id][e] for e in REACTIONS if counts[post_id].get(e)}
    return [views[i] for i in ids]
