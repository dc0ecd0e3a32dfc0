"""Badges and points: the organization's point rules, the points ledger, badge definitions, the
badges students earned and the students who keep off the leaderboards.

The database holds the rules that make the periodic job safe to run twice, or twice at once: one
ledger row per student, kind of event and source (``uq_point_entry_event``) and one award per badge
and student (``uq_badge_award_badge_student``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, IdKey, Timestamps
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db

POINTS_MAX = 1000
THRESHOLD_MAX = 1000
BADGE_NAME_MAX = 80
BADGE_DESCRIPTION_MAX = 300
REASON_MAX = 300


class PointKind(StrEnum):
    ATTENDANCE = "ATTENDANCE"   # present or late at a teaching-session meeting (source: the meeting)
    SECTION = "SECTION"         # a section marked as done (source: the section)
    ASSESSMENT = "ASSESSMENT"   # an assessment passed (source: the assessment)


class Criterion(StrEnum):
    SESSIONS_ATTENDED = "SESSIONS_ATTENDED"      # teaching-session meetings attended (present or late)
    SECTIONS_COMPLETED = "SECTIONS_COMPLETED"
    ASSESSMENTS_PASSED = "ASSESSMENTS_PASSED"
    PERFECT_SCORES = "PERFECT_SCORES"
    POINTS = "POINTS"                            # points earned in total
    MANUAL = "MANUAL"                            # given by a teacher, with a reason


# The fixed set of badge icons (emoji: nothing to upload, readable in both themes).
ICONS = {"star": "⭐", "trophy": "🏆", "medal": "🏅", "rocket": "🚀", "books": "📚", "target": "🎯",
         "fire": "🔥", "sparkles": "✨", "calendar": "📅", "brain": "🧠", "crown": "👑", "heart": "💖"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class RewardSettings(db.Model):
    """The organization's point rules and the leaderboard switch: one row (``id`` 1)."""

    __tablename__ = "reward_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(f"points_present BETWEEN 0 AND {POINTS_MAX} AND points_late BETWEEN 0 AND {POINTS_MAX}"
                        f" AND points_section BETWEEN 0 AND {POINTS_MAX}"
                        f" AND points_assessment BETWEEN 0 AND {POINTS_MAX}", name="points_range"),
        CheckConstraint("pass_percent BETWEEN 1 AND 100", name="pass_percent_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    points_present: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    points_late: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    points_section: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    points_assessment: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    # An assessment is passed at this percentage of its points (its best graded attempt).
    pass_percent: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    leaderboards_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class PointEntry(IdKey, db.Model):
    """One award of points: the student, the kind of event and its source (meeting, section or
    assessment id).  Never given twice for the same event (unique), never changed afterwards."""

    __tablename__ = "point_entry"
    __table_args__ = (
        UniqueConstraint("student_id", "kind", "source_id", name="uq_point_entry_event"),
        CheckConstraint(_in("kind", PointKind), name="kind_valid"),
        CheckConstraint(f"points BETWEEN 0 AND {POINTS_MAX}", name="points_range"),
        Index("ix_point_entry_student_awarded", "student_id", "awarded_at"),
    )

    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Badge(IdKey, Timestamps, db.Model):
    """A badge definition: a criterion with a threshold ("10 sessions attended"), or MANUAL (a
    teacher gives it with a reason).  Archived badges are no longer awarded; earned ones stay."""

    __tablename__ = "badge"
    __table_args__ = (
        CheckConstraint(f"length(trim(name)) BETWEEN 1 AND {BADGE_NAME_MAX}", name="name_length"),
        CheckConstraint(f"length(description) <= {BADGE_DESCRIPTION_MAX}", name="description_length"),
        CheckConstraint(_in("criterion", Criterion), name="criterion_valid"),
        CheckConstraint(_in("icon", ICONS), name="icon_valid"),
        CheckConstraint(f"(criterion = 'MANUAL' AND threshold IS NULL) OR "
                        f"(criterion <> 'MANUAL' AND threshold BETWEEN 1 AND {THRESHOLD_MAX})",
                        name="threshold_range"),
    )

    name: Mapped[str] = mapped_column(String(BADGE_NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(2 * BADGE_NAME_MAX), unique=True)  # casefolded name
    description: Mapped[str] = mapped_column(String(BADGE_DESCRIPTION_MAX), default="", server_default="")
    icon: Mapped[str] = mapped_column(String(16))
    criterion: Mapped[str] = mapped_column(String(24))
    threshold: Mapped[int | None] = mapped_column(Integer)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    @property
    def emoji(self) -> str:
        return ICONS.get(self.icon, "⭐")

    @property
    def is_manual(self) -> bool:
        return self.criterion == Criterion.MANUAL


class BadgeAward(IdKey, db.Model):
    """A badge a student earned: by the periodic job (``awarded_by_id`` empty) or given by a
    teacher with a reason.  One per badge and student."""

    __tablename__ = "badge_award"
    __table_args__ = (
        UniqueConstraint("badge_id", "student_id", name="uq_badge_award_badge_student"),
        CheckConstraint(f"reason IS NULL OR length(reason) BETWEEN 1 AND {REASON_MAX}", name="reason_length"),
        Index("ix_badge_award_student_awarded", "student_id", "awarded_at"),
    )

    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))

    badge = relationship("Badge", lazy="joined", innerjoin=True)


class LeaderboardOptOut(CreatedAt, db.Model):
    """A student who keeps off every leaderboard (a row present = opted out)."""

    __tablename__ = "leaderboard_opt_out"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
