"""Assessments and their questions, media, attempts (submissions), answers and history.

* An ``Assessment`` is attached to nothing (it is in the bank) or to exactly one subject, unit,
  part or section (a CHECK allows at most one of the four columns).
* ``Question`` rows are what teachers edit.  When a student starts an attempt, each question
  they get is frozen as a ``QuestionVersion`` (re-used while the question does not change), and
  answers point at that version: editing a question later never changes what earlier students
  saw.  A correction of the key or the points alone is applied to the versions with the same
  text and options (and their answers re-scored); see ``lms.assessments.services``.
* ``AssessmentMedia`` links a resource to the assessment under a label; question text refers to
  it as ``[[media:label]]`` (``lms.assessments.media``).  A question version freezes the files
  its text showed (``QuestionVersionMedia``): replacing the file under a label makes a new version
  for new attempts, and earlier attempts keep showing the file they were shown.
* An ``Answer`` carries a ``revision``, raised by every save that changes it; a save based on an
  older revision (a second tab) is refused unless it is the same answer again.
* ``Submission`` is one attempt; IN_PROGRESS → SUBMITTED → GRADED → RETURNED.  At most one
  attempt per student and assessment is in progress (a partial unique index).
* A teacher who tries an assessment as a student (a *preview*) makes an attempt under their own
  account.  Only students' attempts count (``counted()``): previews are never in the gradebook,
  the grading queue, the counts or the "nobody has answered yet" rules.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, IdKey, Timestamps
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db

TITLE_MAX = 200
TAG_MAX = 40


class AssessmentStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


class ScoringPolicy(StrEnum):
    HIGHEST = "HIGHEST"
    LATEST = "LATEST"
    AVERAGE = "AVERAGE"


class LatePolicy(StrEnum):
    REFUSE = "REFUSE"
    ACCEPT = "ACCEPT"


class ResultsVisibility(StrEnum):
    AFTER_SUBMIT = "AFTER_SUBMIT"
    AFTER_DUE = "AFTER_DUE"
    NEVER = "NEVER"


class DisplayMode(StrEnum):
    ONE_PER_SCREEN = "ONE_PER_SCREEN"
    ALL_AT_ONCE = "ALL_AT_ONCE"


class QuestionType(StrEnum):
    SINGLE_CHOICE = "SINGLE_CHOICE"
    MULTIPLE_CHOICE = "MULTIPLE_CHOICE"
    TRUE_FALSE = "TRUE_FALSE"
    SHORT_ANSWER = "SHORT_ANSWER"
    NUMERIC = "NUMERIC"
    LONG_ANSWER = "LONG_ANSWER"
    FILE_UPLOAD = "FILE_UPLOAD"
    MATCHING = "MATCHING"


class SubmissionStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    SUBMITTED = "SUBMITTED"
    GRADED = "GRADED"
    RETURNED = "RETURNED"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _is_set(column: str) -> str:
    return f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"


class Assessment(IdKey, Timestamps, db.Model):
    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint(_in("status", AssessmentStatus), name="status_valid"),
        CheckConstraint(_in("scoring_policy", ScoringPolicy), name="scoring_policy_valid"),
        CheckConstraint(_in("late_policy", LatePolicy), name="late_policy_valid"),
        CheckConstraint(_in("results_visibility", ResultsVisibility), name="results_visibility_valid"),
        CheckConstraint(_in("display_mode", DisplayMode), name="display_mode_valid"),
        # Attached to at most one place (none: in the bank).
        CheckConstraint(" + ".join(_is_set(c) for c in ("subject_id", "unit_id", "part_id", "section_id"))
                        + " <= 1", name="attached_once"),
        CheckConstraint("attempts_allowed IS NULL OR attempts_allowed >= 1", name="attempts_positive"),
        CheckConstraint("opens_at IS NULL OR due_at IS NULL OR due_at > opens_at", name="due_after_opens"),
        CheckConstraint("late_deduction_percent BETWEEN 0 AND 100", name="late_deduction_range"),
        CheckConstraint("late_floor_percent BETWEEN 0 AND 100", name="late_floor_range"),
        CheckConstraint("time_limit_minutes IS NULL OR (time_limit_minutes BETWEEN 1 AND 1440)",
                        name="time_limit_range"),
        CheckConstraint("random_count IS NULL OR random_count >= 1", name="random_count_positive"),
        Index("ix_assessment_bank", "core_subject_id", "level_id", "status"),
        Index("ix_assessment_owner_updated", "owner_id", "updated_at"),
    )

    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # Markdown; shown only through lms.common.markdown.render_markdown.
    instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default=AssessmentStatus.DRAFT,
                                        server_default=AssessmentStatus.DRAFT.value)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    core_subject_id: Mapped[int | None] = mapped_column(ForeignKey("core_subject.id", ondelete="SET NULL"))
    level_id: Mapped[int | None] = mapped_column(ForeignKey("level.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    part_id: Mapped[int | None] = mapped_column(ForeignKey("part.id", ondelete="SET NULL"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"), index=True)
    # Settings.
    attempts_allowed: Mapped[int | None] = mapped_column(Integer, default=1)  # None: unlimited
    scoring_policy: Mapped[str] = mapped_column(String(16), default=ScoringPolicy.HIGHEST,
                                                server_default=ScoringPolicy.HIGHEST.value)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_policy: Mapped[str] = mapped_column(String(16), default=LatePolicy.REFUSE,
                                             server_default=LatePolicy.REFUSE.value)
    late_deduction_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    late_floor_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    results_visibility: Mapped[str] = mapped_column(String(16), default=ResultsVisibility.AFTER_SUBMIT,
                                                    server_default=ResultsVisibility.AFTER_SUBMIT.value)
    display_mode: Mapped[str] = mapped_column(String(16), default=DisplayMode.ALL_AT_ONCE,
                                              server_default=DisplayMode.ALL_AT_ONCE.value)
    random_count: Mapped[int | None] = mapped_column(Integer)
    random_tag: Mapped[str | None] = mapped_column(String(TAG_MAX))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner = relationship("User", lazy="joined")
    core_subject = relationship("CoreSubject", lazy="joined")
    level = relationship("Level", lazy="joined")

    @property
    def attached(self) -> bool:
        return any((self.subject_id, self.unit_id, self.part_id, self.section_id))

    @property
    def attachment(self) -> tuple[str, int] | None:
        """("section", 12) — where it is attached, or None in the bank."""
        for kind in ("section", "part", "unit", "subject"):
            value = getattr(self, f"{kind}_id")
            if value:
                return kind, value
        return None

    def __repr__(self) -> str:
        return f"<Assessment {self.id} {self.title!r} {self.status}>"


class Question(IdKey, Timestamps, db.Model):
    """A question as the teacher edits it now.  ``options`` is a list of strings (choice
    types); ``key`` depends on the type (``lms.assessments.questions``)."""

    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("assessment_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        CheckConstraint(_in("type", QuestionType), name="type_valid"),
        CheckConstraint("points >= 0 AND points <= 1000", name="points_range"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    # Markdown with [[media:label]] references.
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    points: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    options: Mapped[list] = mapped_column(JSON, default=list)
    key: Mapped[dict] = mapped_column(JSON, default=dict)
    # Shown to students with their results (an explanation, a worked answer).
    feedback: Mapped[str] = mapped_column(Text, default="", server_default="")

    tag_rows: Mapped[list[QuestionTag]] = relationship(
        back_populates="question", cascade="all, delete-orphan", lazy="selectin", order_by="QuestionTag.tag")

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class QuestionTag(IdKey, db.Model):
    """A tag of a question (lower-case), for the bank filter and random selection."""

    __tablename__ = "question_tag"
    __table_args__ = (
        UniqueConstraint("question_id", "tag"),
        CheckConstraint("length(tag) > 0", name="tag_not_empty"),
        Index("ix_question_tag_tag", "tag"),
    )

    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(TAG_MAX))

    question: Mapped[Question] = relationship(back_populates="tag_rows")


class QuestionVersion(IdKey, CreatedAt, db.Model):
    """What a student was shown: a frozen copy of a question (kept if the question is deleted)."""

    __tablename__ = "question_version"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(_in("type", QuestionType), name="type_valid"),
        CheckConstraint("points >= 0 AND points <= 1000", name="points_range"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id", ondelete="SET NULL"))
    number: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    points: Mapped[float] = mapped_column(Float)
    options: Mapped[list] = mapped_column(JSON, default=list)
    key: Mapped[dict] = mapped_column(JSON, default=dict)
    feedback: Mapped[str] = mapped_column(Text, default="", server_default="")


class QuestionVersionMedia(IdKey, db.Model):
    """The file a question version showed under a label, frozen with the version.  A label a
    version has no row for (versions made before media were frozen) shows the assessment's file."""

    __tablename__ = "question_version_media"
    __table_args__ = (
        UniqueConstraint("question_version_id", "label_key"),
        CheckConstraint("length(label_key) > 0", name="label_key_not_empty"),
    )

    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id", ondelete="CASCADE"))
    label_key: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="RESTRICT"), index=True)

    resource = relationship("Resource", lazy="joined", innerjoin=True)


class AssessmentMedia(IdKey, CreatedAt, db.Model):
    """A resource used by an assessment under a label (unique, case-insensitive), in order."""

    __tablename__ = "assessment_media"
    __table_args__ = (
        UniqueConstraint("assessment_id", "label_key"),
        UniqueConstraint("assessment_id", "position"),
        CheckConstraint("length(label) > 0", name="label_not_empty"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    label_key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)

    resource = relationship("Resource", lazy="joined", innerjoin=True)


class Submission(IdKey, db.Model):
    """One attempt of a student at an assessment."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("assessment_id", "student_id", "attempt_number"),
        CheckConstraint("attempt_number >= 1", name="attempt_number_positive"),
        CheckConstraint(_in("status", SubmissionStatus), name="status_valid"),
        CheckConstraint("status = 'IN_PROGRESS' OR submitted_at IS NOT NULL", name="submitted_at_set"),
        CheckConstraint("max_score >= 0", name="max_score_not_negative"),
        # One attempt in progress per student and assessment (two taps on "Start" make one).
        Index("uq_submission_in_progress", "assessment_id", "student_id", unique=True,
              postgresql_where=text("status = 'IN_PROGRESS'"), sqlite_where=text("status = 'IN_PROGRESS'")),
        # The periodic job: attempts in progress whose time is up.
        Index("ix_submission_open_deadline", "deadline_at",
              postgresql_where=text("status = 'IN_PROGRESS'"), sqlite_where=text("status = 'IN_PROGRESS'")),
        # The grading queue (ungraded first, oldest first) and the gradebook.
        Index("ix_submission_assessment_status", "assessment_id", "status", "submitted_at"),
        Index("ix_submission_student_assessment", "student_id", "assessment_id"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="RESTRICT"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    attempt_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=SubmissionStatus.IN_PROGRESS,
                                        server_default=SubmissionStatus.IN_PROGRESS.value)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the timer / the due date
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    auto_score: Mapped[float | None] = mapped_column(Float)     # objective questions
    manual_score: Mapped[float | None] = mapped_column(Float)   # points given by hand
    final_score: Mapped[float | None] = mapped_column(Float)    # all points, after any late deduction
    max_score: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    feedback: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Question version ids in the order this student sees them; {version id: [option indexes]}.
    question_order: Mapped[list] = mapped_column(JSON, default=list)
    option_order: Mapped[dict] = mapped_column(JSON, default=dict)
    resubmitted_after_grading: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 server_default=func.now())

    assessment: Mapped[Assessment] = relationship(lazy="joined", innerjoin=True)
    student = relationship("User", foreign_keys=[student_id], lazy="joined", innerjoin=True)

    @property
    def is_open(self) -> bool:
        return self.status == SubmissionStatus.IN_PROGRESS


def counted():
    """The condition for attempts that count: those taken by students.  Only students start real
    attempts (``taking.start_attempt``); staff attempts are previews (``lms.assessments.preview``)."""
    from lms.auth.models import Role, User

    return Submission.student_id.in_(select(User.id).where(User.role == Role.STUDENT))


class Answer(IdKey, db.Model):
    """A student's answer to one question version; kept up to date while the attempt is open."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("submission_id", "question_version_id"),
        CheckConstraint("manual_points IS NULL OR manual_points >= 0", name="manual_points_not_negative"),
        CheckConstraint("auto_points IS NULL OR auto_points >= 0", name="auto_points_not_negative"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id", ondelete="RESTRICT"),
                                                     index=True)
    response: Mapped[dict] = mapped_column(JSON, default=dict)
    # Raised by each save that changes the response; the take page sends the one it shows.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    auto_points: Mapped[float | None] = mapped_column(Float)
    manual_points: Mapped[float | None] = mapped_column(Float)
    feedback: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A file answer: a resource owned by the student.
    file_resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id", ondelete="RESTRICT"),
                                                         index=True)

    @property
    def points(self) -> float | None:
        return self.manual_points if self.manual_points is not None else self.auto_points


class SubmissionEvent(IdKey, CreatedAt, db.Model):
    """The history of an attempt: who did what, when."""

    __tablename__ = "submission_event"
    __table_args__ = (Index("ix_submission_event_submission", "submission_id", "created_at"),)

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(24))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User", lazy="joined")


class AssessmentExcusal(IdKey, CreatedAt, db.Model):
    """A teacher excused a student from an assessment (not "missing", not in averages)."""

    __tablename__ = "assessment_excusal"
    __table_args__ = (UniqueConstraint("assessment_id", "student_id"),)

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    excused_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


EXTENSION_MAX_ATTEMPTS = 20
EXTENSION_REASON_MAX = 500


class AssessmentExtension(IdKey, Timestamps, db.Model):
    """A student's own due date and/or extra attempts for one assessment.

    ``due_at`` (when set) replaces the assessment's due date for this student everywhere it is
    enforced; ``extra_attempts`` is added to the attempts allowed.  At least one of the two."""

    __tablename__ = "assessment_extension"
    __table_args__ = (
        UniqueConstraint("assessment_id", "student_id"),
        CheckConstraint(f"extra_attempts BETWEEN 0 AND {EXTENSION_MAX_ATTEMPTS}", name="extra_attempts_range"),
        CheckConstraint("due_at IS NOT NULL OR extra_attempts > 0", name="grants_something"),
        CheckConstraint(f"length(reason) <= {EXTENSION_REASON_MAX}", name="reason_length"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason: Mapped[str] = mapped_column(String(EXTENSION_REASON_MAX), default="", server_default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


# --- rubrics ------------------------------------------------------------------------------------------

RUBRIC_TITLE_MAX = 200
RUBRIC_NAME_MAX = 200
RUBRIC_TEXT_MAX = 2000
RUBRIC_MAX_CRITERIA = 20
RUBRIC_MAX_LEVELS = 10
RUBRIC_POINTS_MAX = 1000


class Rubric(IdKey, Timestamps, db.Model):
    """A teacher's grading grid for long and file answers: criteria (rows), each with its levels
    (columns) worth some points.  Private to its owner unless ``shared`` with the school's staff;
    reused by any number of questions (``QuestionRubric``).  Once an answer was graded with it
    (``AnswerRubricLevel``) its criteria and levels are not changed any more (``lms.assessments.rubrics``)."""

    __tablename__ = "rubric"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint(f"length(description) <= {RUBRIC_TEXT_MAX}", name="description_length"),
        Index("ix_rubric_owner_title", "owner_id", "title"),
    )

    title: Mapped[str] = mapped_column(String(RUBRIC_TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    owner = relationship("User", lazy="joined")
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="rubric", cascade="all, delete-orphan", lazy="selectin", order_by="RubricCriterion.position")

    @property
    def max_points(self) -> float:
        """The best level of every criterion, added up."""
        return sum(max((level.points for level in c.levels), default=0.0) for c in self.criteria)


class RubricCriterion(IdKey, db.Model):
    """One row of a rubric."""

    __tablename__ = "rubric_criterion"
    __table_args__ = (
        UniqueConstraint("rubric_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(f"length(description) <= {RUBRIC_TEXT_MAX}", name="description_length"),
    )

    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(RUBRIC_NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")
    levels: Mapped[list[RubricLevel]] = relationship(
        back_populates="criterion", cascade="all, delete-orphan", lazy="selectin", order_by="RubricLevel.position")


class RubricLevel(IdKey, db.Model):
    """One cell of a criterion's row: what an answer at this level does, and its points."""

    __tablename__ = "rubric_level"
    __table_args__ = (
        UniqueConstraint("criterion_id", "position"),
        # Target of the chosen level's (criterion, level) foreign key: a level of that criterion.
        UniqueConstraint("criterion_id", "id"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        CheckConstraint(f"points >= 0 AND points <= {RUBRIC_POINTS_MAX}", name="points_range"),
        CheckConstraint("length(description) > 0", name="description_not_empty"),
        CheckConstraint(f"length(description) <= {RUBRIC_TEXT_MAX}", name="description_length"),
    )

    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    points: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text)

    criterion: Mapped[RubricCriterion] = relationship(back_populates="levels")


class QuestionRubric(IdKey, CreatedAt, db.Model):
    """The rubric a long-answer or file-upload question is graded with (at most one).  Attaching
    one does not change what students saw, so it is not part of the question's versions."""

    __tablename__ = "question_rubric"
    __table_args__ = (UniqueConstraint("question_id"),)

    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"), index=True)

    rubric: Mapped[Rubric] = relationship(lazy="joined", innerjoin=True)


class AnswerRubricLevel(IdKey, db.Model):
    """The level a grader chose for one criterion of an answer, with an optional comment.  The
    level must belong to the criterion (a composite foreign key), and a rubric whose levels were
    chosen cannot lose them (RESTRICT)."""

    __tablename__ = "answer_rubric_level"
    __table_args__ = (
        UniqueConstraint("answer_id", "criterion_id"),
        ForeignKeyConstraint(["criterion_id", "level_id"], ["rubric_level.criterion_id", "rubric_level.id"],
                             ondelete="RESTRICT"),
        CheckConstraint(f"length(comment) <= {RUBRIC_TEXT_MAX}", name="comment_length"),
    )

    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="RESTRICT"), index=True)
    level_id: Mapped[int] = mapped_column(Integer, index=True)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")


# --- a student's reply to the feedback --------------------------------------------------------------

FEEDBACK_REPLY_MAX = 2000


class FeedbackReply(IdKey, CreatedAt, db.Model):
    """The student's one reply to the teacher's feedback on an attempt (one per attempt: a UNIQUE
    constraint, so two tabs sending at once make one)."""

    __tablename__ = "feedback_reply"
    __table_args__ = (
        UniqueConstraint("submission_id"),
        CheckConstraint("length(body) > 0", name="body_not_empty"),
        CheckConstraint(f"length(body) <= {FEEDBACK_REPLY_MAX}", name="body_length"),
    )

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)

    student = relationship("User", lazy="joined")
