"""Demo badges and points (a ``DEMO_STEPS`` step, after the home page's demo; idempotent).

Eight badge definitions (six with a goal, two that teachers give), the points and goal badges that
student@example.org's demo work earns (the job's own rules, run once here), and the manual badge
"Helping hand" teacher@example.org gave them with a reason.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.common.types import utcnow
from lms.extensions import db
from lms.rewards import ledger
from lms.rewards.models import Badge, BadgeAward, Criterion, PointEntry
from lms.rewards.rules import current_rules

BADGES = [
    ("First steps", "Came to a first teaching-session meeting.", "calendar", Criterion.SESSIONS_ATTENDED, 1),
    ("Ten sessions", "Came to ten teaching-session meetings.", "trophy", Criterion.SESSIONS_ATTENDED, 10),
    ("Five sections", "Completed five sections.", "books", Criterion.SECTIONS_COMPLETED, 5),
    ("First assessment passed", "Passed a first assessment.", "target", Criterion.ASSESSMENTS_PASSED, 1),
    ("First perfect score", "Got every point of an assessment.", "star", Criterion.PERFECT_SCORES, 1),
    ("Hundred points", "Earned 100 points.", "rocket", Criterion.POINTS, 100),
    ("Helping hand", "Helped a classmate.", "heart", Criterion.MANUAL, None),
    ("Great effort", "Worked especially hard.", "sparkles", Criterion.MANUAL, None),
]


def _badge(name: str, description: str, icon: str, criterion: str, threshold: int | None, admin: User) -> Badge:
    found = db.session.scalar(select(Badge).where(Badge.name_key == name.casefold()))
    if found is None:
        found = Badge(name=name, name_key=name.casefold(), description=description, icon=icon, criterion=criterion,
                      threshold=threshold, created_by_id=admin.id)
        db.session.add(found)
        db.session.flush()
    return found


def seed_rewards(users: dict[str, User]) -> None:
    admin, teacher, student = users["admin@example.org"], users["teacher@example.org"], users["student@example.org"]
    badges = {name: _badge(name, description, icon, criterion, threshold, admin)
              for name, description, icon, criterion, threshold in BADGES}
    now, rules = utcnow(), current_rules()
    ledger.insert_ignoring_duplicates(PointEntry, ledger.point_candidates(rules, now, 10_000))
    for badge in badges.values():
        if not badge.is_manual:
            ledger.insert_ignoring_duplicates(BadgeAward, [
                {"badge_id": badge.id, "student_id": sid, "awarded_at": now}
                for sid in ledger.badge_candidates(badge, rules, now, 10_000)])
    ledger.insert_ignoring_duplicates(BadgeAward, [{
        "badge_id": badges["Helping hand"].id, "student_id": student.id, "awarded_at": now,
        "awarded_by_id": teacher.id, "reason": "Helped a classmate count in tens."}])
