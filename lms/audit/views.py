"""``/admin/audit``: browse the audit log, filtered by actor, action and date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lms.audit.models import AuditLog
from lms.auth.models import Role, User
from lms.common.access import allow
from lms.common.edge import year_in_range
from lms.common.htmx import render
from lms.common.i18n import select_timezone
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
nav_item("audit.index", _l("Audit log"), Role.ADMIN, order=82, group="admin")


def _day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if year_in_range(day) else None


def _utc_start_of(day: date) -> datetime:
    """Midnight of ``day`` in the organization's timezone, as an aware UTC datetime."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(select_timezone()))
    return local.astimezone(ZoneInfo("UTC"))


def audit_query(*, actor: str = "", action: str = "", date_from: date | None = None,
                date_to: date | None = None):
    stmt = select(AuditLog)
    if actor:
        like = f"%{actor.strip().lower()}%"
        stmt = stmt.join(User, User.id == AuditLog.actor_id).where(
            or_(User.email.like(like), func.lower(User.full_name).like(like)))
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if date_from:
        stmt = stmt.where(AuditLog.created_at >= _utc_start_of(date_from))
    if date_to:
        stmt = stmt.where(AuditLog.created_at < _utc_start_of(date_to + timedelta(days=1)))
    return stmt.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())


@bp.route("")
@allow(Role.ADMIN)
def index():
    filters = {
        "actor": request.args.get("actor", "").strip()[:100],
        "action": request.args.get("action", "").strip()[:64],
        "date_from": request.args.get("date_from", ""),
        "date_to": request.args.get("date_to", ""),
    }
    page = paginate(audit_query(actor=filters["actor"], action=filters["action"],
                                date_from=_day(filters["date_from"]), date_to=_day(filters["date_to"])),
                    per_page=50)
    actions = list(db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)))
    return render("audit/index.html", "audit/_list.html", results=page, filters=filters, actions=actions)
