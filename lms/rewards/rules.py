"""The organization's point rules and leaderboard switch (``/admin/rewards``, administrators).

These org-wide rules are what the points ledger uses.  A teaching session's own
``points_present``/``points_late``... (``lms.teaching.settings``) stay what they were: they weigh
attendance inside that one session's grade, and the ledger does not read them (a student's points
must mean the same in every classroom and session to be compared on a leaderboard).

A rule applies to events not yet in the ledger: changing it never rewrites points already given.
A rule of 0 gives nothing for that kind of event (and records nothing, so a later rule above 0
counts those events then).
"""

from __future__ import annotations

from flask_babel import gettext as _

from lms.audit.services import record
from lms.common.errors import Conflict, ValidationFailed
from lms.common.services import flush_or_raise
from lms.extensions import db
from lms.rewards.models import POINTS_MAX, RewardSettings
from lms.school.services import require_admin
from lms.teaching.rules import parse_int

POINT_FIELDS = ("points_present", "points_late", "points_section", "points_assessment")


def current_rules() -> RewardSettings:
    """The rules (defaults, unsaved, until an administrator saves them)."""
    found = db.session.get(RewardSettings, 1)
    if found is None:
        found = RewardSettings(id=1)
        for column in RewardSettings.__table__.columns:
            if column.default is not None and getattr(found, column.key) is None:
                setattr(found, column.key, column.default.arg)
    return found


def leaderboards_enabled() -> bool:
    return bool(current_rules().leaderboards_enabled)


def validate_rules(values: dict) -> dict:
    """Checked rules; ValidationFailed names the first bad field."""
    cleaned = {}
    for name in POINT_FIELDS:
        cleaned[name] = parse_int(values.get(name), name, _("Enter a whole number from 0 to %(max)d.", max=POINTS_MAX),
                                  minimum=0, maximum=POINTS_MAX)
    cleaned["pass_percent"] = parse_int(values.get("pass_percent"), "pass_percent",
                                        _("Enter a whole number from 1 to 100."), minimum=1, maximum=100)
    flag = values.get("leaderboards_enabled")
    if flag not in (None, True, False, "", "y", "on", "1", "0"):
        raise ValidationFailed(_("Choose on or off."), field="leaderboards_enabled")
    cleaned["leaderboards_enabled"] = flag in (True, "y", "on", "1")
    return cleaned


def update_rules(actor, values: dict) -> RewardSettings:
    require_admin(actor)
    cleaned = validate_rules(values)
    found = db.session.get(RewardSettings, 1)
    if found is None:  # the first save; two at once: the second is told to try again
        found = RewardSettings(id=1)
        with flush_or_raise(Conflict(_("The rules were saved by someone else at the same moment. Try again."))):
            db.session.add(found)
    before = {name: getattr(found, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(found, name, value)
    found.updated_by_id = actor.id
    db.session.flush()
    changed = {name: value for name, value in cleaned.items() if before[name] != value}
    if changed:
        record(actor, "rewards.rules.update", found, **changed)
    return found
