"""Demo assessments (a ``DEMO_STEPS`` step; idempotent).

"Tens and ones check" by teacher@example.org: published, attached to the section "Counting in
tens" of "Mathematics P1", one question of each type (the picture of dots is its media
``dots``), and one submitted attempt by student@example.org whose long answer waits for
grading, with the shared rubric "Explaining a comparison" attached.  "Shapes warm-up" is a draft
in the bank (with a matching question).
"""

from __future__ import annotations

from sqlalchemy import select

from lms.assessments import authoring, rubrics, services, taking
from lms.assessments.models import Assessment, AssessmentStatus, Question, QuestionType, Rubric, Submission
from lms.assessments.questions import QuestionInput
from lms.auth.models import User
from lms.curriculum.models import Part, Section, Subject, Unit
from lms.extensions import db
from lms.resources.models import Resource

TITLE = "Tens and ones check"


def _questions(picture: bool) -> list[QuestionInput]:
    return [
        QuestionInput(type="SINGLE_CHOICE", text="How many dots are there?\n\n[[media:dots]]" if picture else
                      "How many dots are in three rows of ten?",
                      options=["3", "30", "300"], key={"correct": 1}, points=1, tags=["tens"]),
        QuestionInput(type="MULTIPLE_CHOICE", text="Which numbers have **4 tens**?",
                      options=["40", "14", "45", "54"], key={"correct": [0, 2], "partial": True}, points=2,
                      tags=["tens"]),
        QuestionInput(type="TRUE_FALSE", text="7 tens make 70.", key={"correct": True}, points=1, tags=["tens"]),
        QuestionInput(type="SHORT_ANSWER", text="Write the number *fifty* in words or digits.",
                      key={"accepted": ["50", "fifty", "ห้าสิบ"]}, points=1, tags=["numbers"]),
        QuestionInput(type="NUMERIC", text="3 tens and 6 ones = ?", key={"value": 36, "tolerance": 0}, points=1,
                      tags=["tens"]),
        QuestionInput(type="LONG_ANSWER", text="Explain how you compare 45 and 54.", points=3,
                      feedback="Compare the tens first: 5 tens is more than 4 tens."),
        QuestionInput(type="FILE_UPLOAD", text="Take a photo of your counting sheet and upload it.", points=2),
    ]


def _section(title: str) -> Section | None:
    return db.session.scalar(
        select(Section).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
        .join(Subject, Subject.id == Unit.subject_id)
        .where(Subject.name == "Mathematics P1", Section.title == title))


def _seed_rubric(teacher: User, assessment: Assessment) -> None:
    """The shared rubric "Explaining a comparison" (3 points), on the long answer."""
    if db.session.scalar(select(Rubric.id).where(Rubric.title == "Explaining a comparison")):
        return
    level = rubrics.LevelInput
    rubric = rubrics.create_rubric(teacher, rubrics.RubricInput(
        title="Explaining a comparison", shared=True, description="For “explain how you compare” questions.",
        criteria=[rubrics.CriterionInput("Uses tens and ones", levels=[
                      level(2, "Compares the tens first, then the ones"), level(1, "Mentions tens or ones"),
                      level(0, "Neither")]),
                  rubrics.CriterionInput("Says which is bigger", levels=[
                      level(1, "Names the bigger number"), level(0, "Does not say")])]))
    question = db.session.scalar(select(Question).where(Question.assessment_id == assessment.id,
                                                        Question.type == QuestionType.LONG_ANSWER))
    if question is not None:
        rubrics.attach_rubric(teacher, assessment, question, rubric.id)


def seed_assessments(users: dict[str, User]) -> None:
    teacher, student = users["teacher@example.org"], users["student@example.org"]
    section = _section("Counting in tens")
    if section is None:
        return
    assessment = db.session.scalar(select(Assessment).where(Assessment.title == TITLE,
                                                            Assessment.owner_id == teacher.id))
    if assessment is None:
        assessment = services.create_assessment(
            teacher, TITLE, instructions="Answer every question. You can come back later: answers are saved.",
            core_subject_id=None, level_id=None)
        assessment.attempts_allowed = 2
        picture = db.session.scalar(select(Resource).where(Resource.owner_id == teacher.id,
                                                           Resource.label == "tens-dots"))
        if picture is not None:
            authoring.set_media(teacher, assessment, picture, "dots")
        authoring.add_questions(teacher, assessment, _questions(picture is not None))
        services.attach(teacher, assessment, "section", section.id)
        services.publish(teacher, assessment)
        db.session.flush()
    _seed_rubric(teacher, assessment)
    if assessment.status == AssessmentStatus.PUBLISHED and not db.session.scalar(
            select(Submission.id).where(Submission.assessment_id == assessment.id,
                                        Submission.student_id == student.id)):
        attempt = taking.start_attempt(student, assessment)
        answers = {"SINGLE_CHOICE": ["1"], "MULTIPLE_CHOICE": ["0", "2"], "TRUE_FALSE": ["true"],
                   "SHORT_ANSWER": ["fifty"], "NUMERIC": ["36"],
                   "LONG_ANSWER": ["I look at the tens first. 54 has 5 tens, so 54 is bigger."]}
        for version in taking.versions_of(attempt):
            if version.type in answers:
                taking.save_answer(student, attempt, version.id, {"answer": answers[version.type]})
        taking.submit(student, attempt)
    if not db.session.scalar(select(Assessment.id).where(Assessment.title == "Shapes warm-up",
                                                         Assessment.owner_id == teacher.id)):
        draft = services.create_assessment(teacher, "Shapes warm-up",
                                           instructions="A short draft in the bank, not attached yet.")
        authoring.add_questions(teacher, draft, [
            QuestionInput(type="SINGLE_CHOICE", text="How many sides has a triangle?", options=["3", "4", "5"],
                          key={"correct": 0}, tags=["shapes"]),
            QuestionInput(type="TRUE_FALSE", text="A square has four equal sides.", key={"correct": True},
                          tags=["shapes"]),
            QuestionInput(type="MATCHING", text="Match each shape with its number of sides.", points=3,
                          options=[["triangle", "square", "pentagon"], ["3", "4", "5", "6"]],
                          key={"matches": [0, 1, 2]}, tags=["shapes"])])
        draft.core_subject_id = section.part.unit.subject.core_subject_id
        draft.level_id = section.part.unit.subject.level_id
    db.session.flush()
