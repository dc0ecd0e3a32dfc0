"""A student's badges page (the student, their parents, their teachers): points, badges earned,
badges still to earn with the progress towards each."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.assessments.models import Assessment
from lms.auth.models import User
from lms.common.types import utcnow
from lms.curriculum.models import Section
from lms.extensions import db
from lms.rewards import ledger
from lms.rewards.badges import all_badges
from lms.rewards.models import BadgeAward, PointEntry, PointKind
from lms.rewards.rules import current_rules
from lms.teaching.models import CourseSession, CourseSessionMeeting

RECENT = 10


@dataclass
class PointEvent:
    entry: PointEntry
    title: str      # what earned it (a session's name, a section's or an assessment's title)
    when: object    # the meeting's date, else when the points were given


@dataclass
class BadgeProgress:
    badge: object
    done: int

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.badge.threshold) if self.badge.threshold else 0


@dataclass
class Overview:
    student: User
    total: int = 0
    recent: list[PointEvent] = field(default_factory=list)
    earned: list[BadgeAward] = field(default_factory=list)
    to_earn: list[BadgeProgress] = field(default_factory=list)


def points_total(student_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(PointEntry.points), 0))
                                 .where(PointEntry.student_id == student_id)) or 0)


def _titles(kind: str, ids: set[int]) -> dict[int, tuple[str, object]]:
    if not ids:
        return {}
    if kind == PointKind.ATTENDANCE:
        rows = db.session.execute(select(CourseSessionMeeting.id, CourseSession.session_name,
                                         CourseSessionMeeting.meeting_date)
                                  .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
                                  .where(CourseSessionMeeting.id.in_(ids)))
        return {i: (name, day) for i, name, day in rows}
    model, column = (Section, Section.title) if kind == PointKind.SECTION else (Assessment, Assessment.title)
    return {i: (title, None) for i, title in db.session.execute(select(model.id, column).where(model.id.in_(ids)))}


def recent_points(student_id: int, limit: int = RECENT) -> list[PointEvent]:
    entries = list(db.session.scalars(select(PointEntry).where(PointEntry.student_id == student_id)
                                      .order_by(PointEntry.awarded_at.desc(), PointEntry.id.desc()).limit(limit)))
    titles: dict[str, dict] = {}
    for kind in PointKind:
        titles[kind] = _titles(kind, {e.source_id for e in entries if e.kind == kind})
    events = []
    for entry in entries:
        title, day = titles[entry.kind].get(entry.source_id, ("", None))
        events.append(PointEvent(entry, title, day or entry.awarded_at))
    return events


def earned_badges(student_id: int) -> list[BadgeAward]:
    return list(db.session.scalars(select(BadgeAward).where(BadgeAward.student_id == student_id)
                                   .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())))


def overview(student: User) -> Overview:
    """Everything the badges page shows (a few queries per criterion badge still to earn)."""
    view = Overview(student, total=points_total(student.id), recent=recent_points(student.id),
                    earned=earned_badges(student.id))
    have = {a.badge_id for a in view.earned}
    rules, now, counted = current_rules(), utcnow(), {}
    for badge in all_badges():
        if badge.is_manual or badge.id in have:
            continue
        if badge.criterion not in counted:
            counted[badge.criterion] = ledger.progress_of(student.id, badge.criterion, rules, now)
        view.to_earn.append(BadgeProgress(badge, min(counted[badge.criterion], badge.threshold)))
    view.to_earn.sort(key=lambda p: (-p.percent, p.badge.name_key))
    return view
