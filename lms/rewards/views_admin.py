"""``/admin/rewards`` (the point rules and the leaderboard switch) and ``/admin/badges`` (badge
definitions): administrators only."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import render_form, saving
from lms.common.htmx import redirect_to, render
from lms.common.navigation import nav_item
from lms.rewards import badges, labels, rules  # noqa: F401 - labels: registers the codes' labels
from lms.rewards.forms import BadgeForm, RulesForm
from lms.rewards.models import ICONS

bp = Blueprint("admin", __name__, url_prefix="/admin")

nav_item("rewards.admin.badges", _l("Badges and points"), Role.ADMIN, order=91, group="admin")


@bp.route("/rewards", methods=["GET", "POST"])
@allow(Role.ADMIN)
def rules_page():
    current = rules.current_rules()
    form = RulesForm(obj=current if request.method == "GET" else None)
    if form.validate_on_submit():
        with saving(form) as saved:
            rules.update_rules(current_user, {name: form[name].data for name in (*rules.POINT_FIELDS, "pass_percent",
                                                                                  "leaderboards_enabled")})
        if saved:
            flash(_("The point rules were saved."), "success")
            return redirect_to(url_for("rewards.admin.rules_page"))
    return render_form("rewards/rules.html", "rewards/_rules_form.html", form=form)


def _list_context(form=None) -> dict:
    return {"active": badges.all_badges(), "archived": badges.all_badges(archived=True),
            "form": form or BadgeForm(formdata=None, icon="star", criterion="SESSIONS_ATTENDED"), "icons": ICONS}


@bp.route("/badges")
@allow(Role.ADMIN)
def badges_page():
    return render("rewards/badges.html", **_list_context())


def _values(form: BadgeForm) -> dict:
    return {"name": form.name.data, "description": form.description.data, "icon": form.icon.data,
            "criterion": form.criterion.data, "threshold": form.threshold.data}


@bp.route("/badges/new", methods=["POST"])
@allow(Role.ADMIN)
def create_badge():
    form = BadgeForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            badge = badges.create_badge(current_user, _values(form))
        if saved:
            flash(_("The badge “%(name)s” was created.", name=badge.name), "success")
            return redirect_to(url_for("rewards.admin.badges_page"))
    return render_form("rewards/badges.html", "rewards/_badge_form.html", **_list_context(form))


@bp.route("/badges/<int:badge_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_badge(badge_id: int):
    badge = badges.get_badge(current_user, badge_id)
    form = BadgeForm(obj=badge if request.method == "GET" else None)
    if form.validate_on_submit():
        with saving(form) as saved:
            badges.update_badge(current_user, badge, _values(form))
        if saved:
            flash(_("Saved."), "success")
            return redirect_to(url_for("rewards.admin.badges_page"))
        badge = badges.get_badge(current_user, badge_id)
    return render_form("rewards/badge.html", "rewards/_badge_form.html", form=form, badge=badge, icons=ICONS)


@bp.route("/badges/<int:badge_id>/archive", methods=["POST"])
@allow(Role.ADMIN)
def archive_badge(badge_id: int):
    badge = badges.get_badge(current_user, badge_id)
    archive = request.form.get("restore") != "1"
    with saving() as saved:
        badges.set_archived(current_user, badge, archive)
    if saved:
        flash(_("The badge “%(name)s” was archived: it is no longer awarded.", name=badge.name) if archive
              else _("The badge “%(name)s” is awarded again.", name=badge.name), "success")
    return redirect_to(url_for("rewards.admin.badges_page"))
