"""Demo content for the home pages (a ``DEMO_STEPS`` step; idempotent).

"Comparing numbers homework" (published, due in three days, late work accepted) is due soon for
student@example.org; "Number check" (objective questions only) was already taken by them and scored,
so parent@example.org sees a recent grade.  Both are attached to the section "Comparing numbers" of
"Mathematics P1" by teacher@example.org.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.assessments import authoring, services, taking
from lms.assessments.models import Assessment, AssessmentStatus, Submission
from lms.assessments.questions import QuestionInput
from lms.auth.models import User
from lms.common.types import utcnow
from lms.curriculum.models import Part, Section, Subject, Unit
from lms.extensions import db

HOMEWORK = "Comparing numbers homework"
QUIZ = "Number check"


def _section() -> Section | None:
    return db.session.scalar(
        select(Section).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
        .join(Subject, Subject.id == Unit.subject_id)
        .where(Subject.name == "Mathematics P1", Section.title == "Comparing numbers"))


def _published(teacher: User, section: Section, title: str, questions: list[QuestionInput], **settings):
    assessment = db.session.scalar(select(Assessment).where(Assessment.title == title,
                                                            Assessment.owner_id == teacher.id))
    if assessment is None:
        assessment = services.create_assessment(teacher, title)
        for name, value in settings.items():
            setattr(assessment, name, value)
        authoring.add_questions(teacher, assessment, questions)
        services.attach(teacher, assessment, "section", section.id)
        services.publish(teacher, assessment)
        db.session.flush()
    return assessment


def seed_home(users: dict[str, User]) -> None:
    teacher, student = users["teacher@example.org"], users["student@example.org"]
    section = _section()
    if section is None:
        return
    _published(teacher, section, HOMEWORK, [
        QuestionInput(type="SINGLE_CHOICE", text="Which is bigger: 38 or 83?", options=["38", "83"],
                      key={"correct": 1}, points=1),
        QuestionInput(type="TRUE_FALSE", text="61 is smaller than 16.", key={"correct": False}, points=1),
    ], due_at=utcnow() + timedelta(days=3), late_policy="ACCEPT", attempts_allowed=None)
    quiz = _published(teacher, section, QUIZ, [
        QuestionInput(type="NUMERIC", text="4 tens and 2 ones = ?", key={"value": 42, "tolerance": 0}, points=1),
        QuestionInput(type="TRUE_FALSE", text="90 is 9 tens.", key={"correct": True}, points=1),
    ])
    if quiz.status == AssessmentStatus.PUBLISHED and not db.session.scalar(
            select(Submission.id).where(Submission.assessment_id == quiz.id, Submission.student_id == student.id)):
        attempt = taking.start_attempt(student, quiz)
        answers = {"NUMERIC": ["42"], "TRUE_FALSE": ["false"]}
        for version in taking.versions_of(attempt):
            if version.type in answers:
                taking.save_answer(student, attempt, version.id, {"answer": answers[version.type]})
        taking.submit(student, attempt)
    db.session.flush()
