"""The periodic job of badges and points (declared in ``lms/periodic.py``; every 10 minutes).

``award_points_and_badges()`` writes the ledger rows of the events not yet rewarded, then awards
each criterion badge (not archived) to the students who reached its threshold.  Idempotent and safe
to run twice at once: every insert skips rows the unique keys already hold (``lms.rewards.ledger``).
It works in batches and commits after each; the next run carries on where a big one stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.common.types import utcnow
from lms.extensions import db
from lms.jobs import background_job
from lms.rewards import ledger
from lms.rewards.models import Badge, BadgeAward, Criterion, PointEntry
from lms.rewards.rules import current_rules

BATCH = 2000
MAX_BATCHES = 10


@dataclass
class AwardRun:
    points: int = 0   # ledger rows written
    badges: int = 0   # badges awarded


def award_points(now) -> int:
    rules = current_rules()
    written = 0
    for _batch in range(MAX_BATCHES):
        rows = ledger.point_candidates(rules, now, BATCH)
        inserted = ledger.insert_ignoring_duplicates(PointEntry, rows)
        db.session.commit()
        written += inserted
        if len(rows) < BATCH or not inserted:
            break
    return written


def award_badges(now) -> int:
    rules = current_rules()
    badges = list(db.session.scalars(select(Badge).where(Badge.archived_at.is_(None),
                                                         Badge.criterion != Criterion.MANUAL).order_by(Badge.id)))
    awarded = 0
    for badge in badges:
        for _batch in range(MAX_BATCHES):
            students = ledger.badge_candidates(badge, rules, now, BATCH)
            inserted = ledger.insert_ignoring_duplicates(BadgeAward, [
                {"badge_id": badge.id, "student_id": sid, "awarded_at": now} for sid in students])
            db.session.commit()
            awarded += inserted
            if len(students) < BATCH or not inserted:
                break
    return awarded


@background_job
def award_points_and_badges(now=None) -> AwardRun:
    """Points first (the POINTS badges count them), then badges."""
    now = now or utcnow()
    run = AwardRun(points=award_points(now))
    run.badges = award_badges(now)
    return run
