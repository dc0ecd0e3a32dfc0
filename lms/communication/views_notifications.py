"""Notifications: the list (mark one or all read through htmx) and the navigation's unread badge."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.view_as import viewing as viewing_as_someone
from lms.common.access import SIGNED_IN, allow
from lms.common.htmx import is_htmx, redirect_to, render, trigger
from lms.common.pagination import paginate
from lms.communication import announcements, notifications
from lms.communication.views_announcements import _LOADED, READ_EVENT, _context
from lms.extensions import db

bp = Blueprint("notifications", __name__)
bp.record_once(lambda _state: notifications.connect_signals())

UNREAD_ANNOUNCEMENTS_SHOWN = 3


def _list_context() -> dict:
    results = paginate(notifications.notifications_of(current_user), per_page=20)
    unread = db.session.execute(announcements.inbox(current_user, unread_only=True).options(*_LOADED)
                                .limit(UNREAD_ANNOUNCEMENTS_SHOWN + 1)).all()
    return _context(results=results, message_of=notifications.message_of, unread_announcements=unread,
                    shown=UNREAD_ANNOUNCEMENTS_SHOWN)


@bp.route("/notifications")
@allow(SIGNED_IN)
def index():
    return render("communication/notifications.html", "communication/_notifications.html", **_list_context())


@bp.route("/notifications/badge")
@allow(SIGNED_IN)
def badge():
    """The unread count (announcements + notifications) for the navigation: one query."""
    count = announcements.unread_count(current_user)
    response = render_template("communication/_unread_badge.html", count=count, initial=False)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@allow(SIGNED_IN)
def read(notification_id: int):
    notification = notifications.get_notification_for(current_user, notification_id)
    notifications.mark_read(current_user, notification)
    db.session.commit()
    if is_htmx():
        response = make_response(render_template("communication/_notification.html", notification=notification,
                                                 message_of=notifications.message_of))
        return trigger(response, READ_EVENT)
    return redirect_to(url_for("communication.notifications.index"))


@bp.route("/notifications/<int:notification_id>/open")
@allow(SIGNED_IN)
def open_link(notification_id: int):
    """Follow a notification's link, marking it read on the way."""
    notification = notifications.get_notification_for(current_user, notification_id)
    if not viewing_as_someone():  # an admin viewing as the user marks nothing read
        notifications.mark_read(current_user, notification)
        db.session.commit()
    return redirect_to(notifications.safe_link(notification.link) or url_for("communication.notifications.index"), status=302)


@bp.route("/notifications/read-all", methods=["POST"])
@allow(SIGNED_IN)
def read_all():
    count = notifications.mark_all_read(current_user)
    db.session.commit()
    if is_htmx():
        response = render("communication/notifications.html", "communication/_notifications.html",
                          **_list_context())
        return trigger(response, READ_EVENT)
    flash(ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.", count, n=count)
          if count else _("Everything was already read."), "success")
    return redirect_to(url_for("communication.notifications.index"))
