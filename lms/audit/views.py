"""``/admin/audit``: browse the audit log (filtered by person, action and date) and export it as CSV."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.audit import reading, services
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.csvexport import csv_response, local_datetime
from lms.common.edge import year_in_range
from lms.common.htmx import render
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
bp.record_once(lambda _state: services.connect_signals())
nav_item("audit.index", _l("Audit log"), Role.ADMIN, order=82, group="admin")


def _day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if year_in_range(day) else None


def _filters() -> dict:
    return {
        "actor": request.args.get("actor", "").strip()[:100],
        "action": request.args.get("action", "").strip()[:64],
        "date_from": request.args.get("date_from", ""),
        "date_to": request.args.get("date_to", ""),
    }


def _query(filters: dict):
    return reading.audit_query(actor=filters["actor"], action=filters["action"],
                               date_from=_day(filters["date_from"]), date_to=_day(filters["date_to"]))


@bp.route("")
@allow(Role.ADMIN)
def index():
    filters = _filters()
    page = paginate(_query(filters), per_page=50)
    return render("audit/index.html", "audit/_list.html", results=page, entries=reading.readable(page.items),
                  filters=filters, actions=reading.action_choices())


EXPORT_LIMIT = 50_000


@bp.route("/export.csv")
@allow(Role.ADMIN)
def export_csv():
    """The entries the filters select, as the page shows them (newest first, at most 50,000)."""
    header = [_("When"), _("Who"), _("Email or username"), _("Action"), _("Target"), _("Details"), _("IP"),
              _("Action code")]
    entries = reading.readable(db.session.scalars(_query(_filters()).limit(EXPORT_LIMIT)))
    rows = ([local_datetime(e.entry.created_at), e.entry.actor.full_name if e.entry.actor else _("system"),
             e.entry.actor.sign_in_name if e.entry.actor else "", e.action, e.target, e.details_text(),
             e.entry.ip or "", e.entry.action] for e in entries)
    return csv_response(f"audit-log-{date.today().isoformat()}.csv", header, rows)
