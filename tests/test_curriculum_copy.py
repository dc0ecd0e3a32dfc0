"""Copying a subject to another level, classroom or school year: the preview, the copy (tree,
content, resource links, assessments as drafts), what stays behind, one copy per form, all or
nothing, and who may copy."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.assessments.models import (
    Assessment,
    AssessmentExtension,
    AssessmentMedia,
    Question,
    QuestionRubric,
    Rubric,
    Submission,
)
from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.common.errors import ValidationFailed
from lms.core import signals
from lms.curriculum import copying
from lms.curriculum.models import Part, Section, SectionProgress, Subject, SubjectCopy, SubjectTeacher, Unit
from lms.extensions import db as sa
from lms.resources.models import Resource, SectionResource, StoredFile
from lms.resources.storage import path_of
from tests.conftest import TEST_DATABASE_URL
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS

HX = {"HX-Request": "true"}
NOW = datetime.now(UTC).replace(microsecond=0)
OPENS, DUE = NOW - timedelta(days=1), NOW + timedelta(days=30)


@pytest.fixture
def school(make):
    """A teacher of P1/1 this year (2026) and next year, and their subject with a tree, a picture
    shown in a section, a published quiz with dates, a whole-subject test, an archived quiz, and a
    student who did the work."""
    this_year = make.classroom("P1/1")
    next_year = make.classroom("P1/1", academic_year="2027")
    teacher = make.teacher(this_year)
    make.assign(teacher, next_year)
    subject = make.subject("P1/1", name="Maths P1/1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Counting": ["Ones", "Tens"], "Comparing": ["More or less"]},
                              "Shapes": {"Flat shapes": ["Squares"]}})
    picture = make.resource(teacher, section_id=ids["Ones"], title="Dots", label="dots")
    link_only = make.resource(teacher, section_id=ids["Ones"], filename="other.png", title="Other picture")
    with make.app.app_context():
        section = sa.session.get(Section, ids["Ones"])
        section.content = f"## Ones\n\n![dots](/resources/{picture.id}/download)\n\nCount **one by one**."
        sa.session.commit()
        sa.session.remove()
    quiz = make.assessment(teacher, title="Counting quiz", questions=ONE_OF_EACH[:3], section_id=ids["Tens"],
                           publish=True, opens_at=OPENS, due_at=DUE, attempts_allowed=2, shuffle_options=True,
                           time_limit_minutes=20, media=[("dots", picture)])
    whole = make.assessment(teacher, title="End of term test", questions=ONE_OF_EACH[3:5], subject_id=subject.id,
                            publish=True)
    make.assessment(teacher, title="Old quiz", subject_id=subject.id, status="ARCHIVED")
    student = make.student(this_year)
    make.attempt(student, quiz, RIGHT_ANSWERS)
    make._save(AssessmentExtension(assessment_id=quiz.id, student_id=student.id, extra_attempts=1))
    make._save(SectionProgress(section_id=ids["Ones"], student_id=student.id))
    return {"teacher": teacher, "subject": subject, "ids": ids, "picture": picture, "other": link_only,
            "quiz": quiz, "whole": whole, "student": student, "this_year": this_year, "next_year": next_year}


def _form_token(client, subject_id) -> str:
    page = client.get(f"/subjects/{subject_id}/copy").get_data(as_text=True)
    match = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    return match.group(1)


def _copy(client, subject_id, *, audience, name, token, keep_published=False, **extra):
    data = {"audience": audience, "name": name, "token": token, **extra}
    if keep_published:
        data["keep_published"] = "y"
    return client.post(f"/subjects/{subject_id}/copy/confirm", data=data)


def _tree(db, subject_id):
    """The tree as ((unit, published), [((part, published), [(section, content, published)])]) in order."""
    units = db.scalars(select(Unit).where(Unit.subject_id == subject_id).order_by(Unit.position))
    result = []
    for unit in units:
        parts = db.scalars(select(Part).where(Part.unit_id == unit.id).order_by(Part.position))
        result.append(((unit.title, unit.position), [
            ((part.title, part.position), [(s.title, s.position, s.content) for s in db.scalars(
                select(Section).where(Section.part_id == part.id).order_by(Section.position))])
            for part in parts]))
    return result


def _section_id(db, subject_id, title):
    return db.scalar(select(Section.id).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
                     .where(Unit.subject_id == subject_id, Section.title == title))


def _questions(db, assessment_id):
    return [(q.position, q.type, q.text, q.points, q.options, q.key, q.feedback, q.tags)
            for q in db.scalars(select(Question).where(Question.assessment_id == assessment_id)
                                .order_by(Question.position))]


# --- the form and the preview ------------------------------------------------------------------


def test_the_subject_page_offers_the_copy_to_its_teachers_and_admins_only(client, auth, make, school, as_role):
    subject = school["subject"]
    auth.login(school["teacher"])
    assert f"/subjects/{subject.id}/copy" in client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    auth.logout()
    auth.login(school["student"])
    assert "/copy" not in client.get(f"/subjects/{subject.id}").get_data(as_text=True)


def test_the_preview_lists_what_is_copied_and_what_is_not(client, auth, school, db):
    subject = school["subject"]
    auth.login(school["teacher"])
    form = client.get(f"/subjects/{subject.id}/copy").get_data(as_text=True)
    assert 'value="Maths P1/1 (copy)"' in form
    assert "P1/1 of 2027 only" in form and f"classroom:{school['next_year'].id}" in form
    response = client.get(f"/subjects/{subject.id}/copy", query_string={
        "audience": f"classroom:{school['next_year'].id}", "name": "Maths P1/1", "token": "t" * 32}, headers=HX)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A new subject “Maths P1/1” for P1/1 of 2027 only" in page
    assert "2 units" in page and "3 parts" in page and "4 sections" in page
    assert "Resource links in sections: <strong>2</strong>" in page
    assert "Assessments: <strong>2</strong>" in page
    assert "Counting quiz — 3 questions" in page and "End of term test — 2 questions" in page
    assert "Old quiz" not in page
    left_behind = page.split('id="copy-left-behind"')[1].split("</ul>")[0]
    for text in ("progress (sections marked as done)", "attempts, answers, scores, grades and feedback", "Extensions and excusals",
                 "Opening and due dates, and publication", "1 archived assessment",
                 "Files are not duplicated"):
        assert text in left_behind
    assert "Nothing is published" in page
    assert db.count(Subject) == 1  # a preview stores nothing


def test_the_copy_pages_speak_thai(client, auth, school):
    subject = school["subject"]
    auth.login(school["teacher"])
    client.post("/language", data={"locale": "th", "next": "/"})
    form = client.get(f"/subjects/{subject.id}/copy").get_data(as_text=True)
    assert "คัดลอก Maths P1/1" in form and 'value="Maths P1/1 (สำเนา)"' in form
    assert "เฉพาะ ป.1/1 ปีการศึกษา 2027" in form
    page = client.get(f"/subjects/{subject.id}/copy", query_string={
        "audience": f"classroom:{school['next_year'].id}", "name": "คณิตศาสตร์ ป.1/1", "token": "t" * 32}).get_data(
        as_text=True)
    assert "สิ่งที่จะคัดลอก" in page and "Counting quiz — 3 คำถาม" in page
    assert "การขยายเวลาและการยกเว้น" in page and "คัดลอกรายวิชา" in page


def test_a_name_a_subject_of_the_same_students_has_is_refused(client, auth, make, school, db):
    subject = school["subject"]
    make.subject("P1", name="Maths for everyone")  # the whole level's: P1/1 of 2027 sees it too
    auth.login(school["teacher"])
    token = _form_token(client, subject.id)
    response = client.get(f"/subjects/{subject.id}/copy", query_string={
        "audience": f"classroom:{school['this_year'].id}", "name": "maths p1/1", "token": token}, headers=HX)
    assert response.status_code == 422
    assert "There is already a subject called “maths p1/1” for P1/1 only. Choose another name." in \
        response.get_data(as_text=True)
    response = _copy(client, subject.id, audience=f"classroom:{school['next_year'].id}",
                     name="MATHS FOR EVERYONE", token=token)
    assert "There is already a subject called" in response.get_data(as_text=True)
    assert db.count(Subject) == 2
    # Next year's P1/1 has no "Maths P1/1": the same name is fine there.
    response = _copy(client, subject.id, audience=f"classroom:{school['next_year'].id}", name="Maths P1/1",
                     token=token)
    assert response.status_code == 303


def test_an_empty_or_too_long_name_or_no_target_is_refused(client, auth, school, db):
    subject = school["subject"]
    auth.login(school["teacher"])
    token = _form_token(client, subject.id)
    for data, message in (({"audience": "", "name": "X"}, "Choose where the copy is for."),
                          ({"audience": f"classroom:{school['next_year'].id}", "name": "  "},
                           "Give the copy a name."),
                          ({"audience": f"classroom:{school['next_year'].id}", "name": "x" * 101},
                           "Field cannot be longer than 100 characters."),
                          ({"audience": "level:999999", "name": "X"}, "Choose a level or a classroom you teach."),
                          ({"audience": f"classroom:{school['next_year'].id}", "name": "A\x00B"}, None)):
        response = client.get(f"/subjects/{subject.id}/copy", query_string={**data, "token": token}, headers=HX)
        if message is None:  # a NUL byte: refused by the app (400) or as an error, never a 500
            assert response.status_code in (400, 422)
        else:
            assert response.status_code == 422, data
            assert message in response.get_data(as_text=True)
    assert db.count(Subject) == 1


# --- the copy ---------------------------------------------------------------------------------


def test_a_teacher_copies_a_subject_to_next_years_classroom(client, auth, school, db):
    subject, teacher = school["subject"], school["teacher"]
    auth.login(teacher)
    response = _copy(client, subject.id, audience=f"classroom:{school['next_year'].id}", name="Maths P1/1 2027",
                     token=_form_token(client, subject.id))
    assert response.status_code == 303
    copy = db.scalar(select(Subject).where(Subject.name == "Maths P1/1 2027"))
    assert response.headers["Location"].endswith(f"/subjects/{copy.id}")
    assert (copy.classroom_id, copy.level_id, copy.core_subject_id) == (
        school["next_year"].id, subject.level_id, subject.core_subject_id)
    assert db.scalars(select(SubjectTeacher.teacher_id).where(SubjectTeacher.subject_id == copy.id)) == [teacher.id]
    # The same tree in the same order, with the section content; nothing published yet.
    assert _tree(db, copy.id) == _tree(db, subject.id)
    assert db.count(Unit, Unit.subject_id == copy.id, Unit.published.is_(True)) == 0
    assert db.count(Section, Section.id.in_(
        select(Section.id).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
        .where(Unit.subject_id == copy.id)), Section.published.is_(True)) == 0
    # Resource links: the same resources, in the same order (no file duplicated).
    ones = _section_id(db, copy.id, "Ones")
    assert db.scalars(select(SectionResource.resource_id).where(SectionResource.section_id == ones)
                      .order_by(SectionResource.position)) == [school["picture"].id, school["other"].id]
    assert db.count(Resource) == 2 and db.count(StoredFile) == 1
    # Assessments: drafts owned by the teacher, at the same places, without dates, same questions.
    copies = {a.title: a for a in db.scalars(select(Assessment).where(Assessment.id.not_in(
        [school["quiz"].id, school["whole"].id]), Assessment.title != "Old quiz"))}
    assert set(copies) == {"Counting quiz", "End of term test"}
    quiz, whole = copies["Counting quiz"], copies["End of term test"]
    assert quiz.section_id == _section_id(db, copy.id, "Tens") and quiz.subject_id is None
    assert whole.subject_id == copy.id and whole.section_id is None
    for made in (quiz, whole):
        assert (made.status, made.published_at, made.opens_at, made.due_at, made.owner_id) == (
            "DRAFT", None, None, None, teacher.id)
    assert (quiz.attempts_allowed, quiz.shuffle_options, quiz.time_limit_minutes) == (2, True, 20)
    assert _questions(db, quiz.id) == _questions(db, school["quiz"].id)
    assert _questions(db, whole.id) == _questions(db, school["whole"].id)
    assert db.scalars(select(AssessmentMedia.resource_id).where(AssessmentMedia.assessment_id == quiz.id)) == [
        school["picture"].id]
    # No student data came along; the original still has its own.
    copied = [quiz.id, whole.id]
    assert db.count(Submission, Submission.assessment_id.in_(copied)) == 0
    assert db.count(AssessmentExtension, AssessmentExtension.assessment_id.in_(copied)) == 0
    assert db.count(SectionProgress, SectionProgress.section_id == ones) == 0
    assert db.count(Submission) == 1 and db.count(SectionProgress) == 1
    original = db.get(Assessment, school["quiz"].id)
    assert original.status == "PUBLISHED" and original.due_at == DUE
    # One audit entry says what was copied from where.
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "subject.copy"))
    assert entry.entity_id == copy.id and entry.actor_id == teacher.id
    assert entry.details["copied_from"] == "Maths P1/1"
    assert {k: entry.details[k] for k in ("units", "parts", "sections", "resource_links", "assessments",
                                          "questions")} == {"units": 2, "parts": 3, "sections": 4,
                                                            "resource_links": 2, "assessments": 2, "questions": 5}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Maths P1/1 2027" in page and "Its assessments are drafts" in page


def test_published_content_stays_published_when_asked(client, auth, school, db):
    subject = school["subject"]
    auth.login(school["teacher"])
    _copy(client, subject.id, audience=f"classroom:{school['next_year'].id}", name="Published copy",
          token=_form_token(client, subject.id), keep_published=True)
    copy_id = db.scalar(select(Subject.id).where(Subject.name == "Published copy"))
    assert db.count(Unit, Unit.subject_id == copy_id, Unit.published.is_(False)) == 0
    assert db.count(Assessment, Assessment.status == "PUBLISHED") == 2  # the originals only


def test_the_copy_keeps_its_files_when_the_original_is_deleted(client, auth, school, db, app):
    subject, picture = school["subject"], school["picture"]
    auth.login(school["teacher"])
    _copy(client, subject.id, audience=f"classroom:{school['next_year'].id}", name="Maths 2027",
          token=_form_token(client, subject.id))
    copy_id = db.scalar(select(Subject.id).where(Subject.name == "Maths 2027"))
    # The original's units go (through the page), then its assessment and the subject itself (the
    # app archives subjects rather than deleting them; the database allows it).
    for unit_id in db.scalars(select(Unit.id).where(Unit.subject_id == subject.id)):
        assert client.post(f"/units/{unit_id}/delete", headers=HX).status_code == 200
    with app.app_context():
        sa.session.delete(sa.session.get(Assessment, school["whole"].id))
        sa.session.delete(sa.session.get(Subject, subject.id))
        sa.session.commit()
        sa.session.remove()
    assert db.get(Subject, subject.id) is None
    assert db.scalar(select(SubjectCopy.source_id).where(SubjectCopy.copy_id == copy_id)) is None
    # The picture is still used by the copy: it cannot be deleted, and the copy shows it.
    response = client.post(f"/resources/{picture.id}/delete", headers=HX)
    assert "still used in" in response.get_data(as_text=True)
    assert db.get(Resource, picture.id) is not None
    ones = _section_id(db, copy_id, "Ones")
    page = client.get(f"/sections/{ones}").get_data(as_text=True)
    assert f"/resources/{picture.id}/download" in page
    download = client.get(f"/resources/{picture.id}/download")
    assert download.status_code == 200 and download.data.startswith(b"\x89PNG")
    stored = db.scalar(select(StoredFile))
    with app.app_context():
        assert path_of(stored.storage_name).is_file()


def test_a_student_of_the_copy_sees_its_files(client, auth, make, school, db):
    """A level-wide copy for P2: its student reads the section and downloads the picture."""
    subject = school["subject"]
    admin = make.user(role="ADMIN")
    auth.login(admin)
    level_p2 = make.classroom("P2/1")
    response = _copy(client, subject.id, audience=f"level:{level_p2.level_id}", name="Maths P2",
                     token=_form_token(client, subject.id), keep_published=True)
    assert response.status_code == 303
    copy_id = db.scalar(select(Subject.id).where(Subject.name == "Maths P2"))
    # An administrator's copy keeps the original's teachers.
    assert db.scalars(select(SubjectTeacher.teacher_id).where(SubjectTeacher.subject_id == copy_id)) == [
        school["teacher"].id]
    auth.logout()
    auth.login(make.student(level_p2))
    ones = _section_id(db, copy_id, "Ones")
    assert client.get(f"/sections/{ones}").status_code == 200
    assert client.get(f"/resources/{school['picture'].id}/download").status_code == 200


# --- one copy per form, all or nothing --------------------------------------------------------


def test_sending_the_confirmation_twice_makes_one_copy(client, auth, school, db):
    subject = school["subject"]
    auth.login(school["teacher"])
    token = _form_token(client, subject.id)
    target = f"classroom:{school['next_year'].id}"
    first = _copy(client, subject.id, audience=target, name="Maths twice", token=token)
    second = _copy(client, subject.id, audience=target, name="Maths twice", token=token)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.count(Subject, Subject.name == "Maths twice") == 1
    assert db.count(SubjectCopy) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "This copy was already made" in page
    # Back to the preview: it says the form made its copy (not "the name is taken").
    page = client.get(f"/subjects/{subject.id}/copy", query_string={
        "audience": target, "name": "Maths twice", "token": token}).get_data(as_text=True)
    assert "This form has already made the copy “Maths twice”." in page and "Copy the subject" not in page
    # Another tab, its own form, the same name: refused by the name.
    other = _copy(client, subject.id, audience=target, name="Maths twice", token=_form_token(client, subject.id))
    assert other.status_code == 200 and "There is already a subject called" in other.get_data(as_text=True)
    assert db.count(Subject, Subject.name == "Maths twice") == 1


def test_a_confirmation_without_a_valid_token_copies_nothing(client, auth, school, db):
    subject = school["subject"]
    auth.login(school["teacher"])
    response = _copy(client, subject.id, audience=f"classroom:{school['next_year'].id}", name="No token",
                     token="<script>")
    page = response.get_data(as_text=True)
    assert "This copy form is out of date. Start the copy again." in page
    assert db.count(Subject) == 1
    # The form shown again has a new token: sending it works.
    token = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', page).group(1)
    assert _copy(client, subject.id, audience=f"classroom:{school['next_year'].id}", name="No token",
                 token=token).status_code == 303


def test_a_failure_half_way_leaves_nothing_behind(client, auth, school, db):
    subject = school["subject"]
    counts = {model: db.count(model) for model in (Subject, SubjectCopy, SubjectTeacher, Unit, Part, Section,
                                                   SectionResource, Assessment, Question, AssessmentMedia,
                                                   AuditLog)}

    def refuse(_subject, **_kwargs):
        raise ValidationFailed("A domain refused the copy.")

    signals.subject_copying.connect(refuse)
    try:
        auth.login(school["teacher"])
        counts[AuditLog] = db.count(AuditLog)  # the sign-in
        response = _copy(client, subject.id, audience=f"classroom:{school['next_year'].id}", name="Broken",
                         token=_form_token(client, subject.id))
    finally:
        signals.subject_copying.disconnect(refuse)
    assert response.status_code == 200 and "A domain refused the copy." in response.get_data(as_text=True)
    assert {model: db.count(model) for model in counts} == counts


def test_the_copy_takes_the_same_number_of_queries_for_a_bigger_subject(client, auth, make, count_queries, db):
    """Units, parts, sections, resource links, questions and tags are copied in one statement per
    table.  (Assessments are one statement on PostgreSQL but one per assessment on SQLite: both
    subjects have two here.)"""
    teacher = make.teacher("P1/1")
    make.assign(teacher, make.classroom("P1/1", academic_year="2027"))
    small = make.subject("P1/1", name="Small", teachers=[teacher])
    big = make.subject("P1/1", name="Big", core="Science", teachers=[teacher])
    make.tree(small, {"U": {"P": ["S1"]}})
    make.tree(big, {f"U{u}": {f"P{u}.{p}": [f"S{u}.{p}.{s}" for s in range(6)] for p in range(4)} for u in range(5)})
    for subject, questions, sections in ((small, ONE_OF_EACH[:1], ["S1"]),
                                         (big, ONE_OF_EACH, ["S0.0.0", "S1.2.3", "S4.3.5"])):
        first = _section_id(db, subject.id, sections[0])
        make.assessment(teacher, title=f"Quiz {subject.name}", questions=questions, section_id=first)
        make.assessment(teacher, title=f"Test {subject.name}", questions=questions, subject_id=subject.id)
        for index, title in enumerate(sections):
            make.resource(teacher, filename=f"{subject.name}{index}.png", section_id=_section_id(db, subject.id, title))
    auth.login(teacher)
    target = f"classroom:{db.scalar(select(Subject.classroom_id).where(Subject.id == small.id))}"
    statements = []
    for subject in (small, big):
        token = _form_token(client, subject.id)
        with count_queries() as counter:
            response = _copy(client, subject.id, audience=target, name=f"{subject.name} again", token=token)
        assert response.status_code == 303
        statements.append(counter.count)
    assert statements[0] == statements[1], statements
    big_copy = db.scalar(select(Subject.id).where(Subject.name == "Big again"))
    assert _tree(db, big_copy) == _tree(db, big.id)
    assert db.count(Question) == 2 * (1 + len(ONE_OF_EACH)) * 2


# --- who may copy -----------------------------------------------------------------------------


def test_only_who_may_change_the_subject_and_the_target_copies_it(client, auth, make, school, db):
    subject = school["subject"]
    target = f"classroom:{school['next_year'].id}"
    auth.login(school["student"])
    assert client.get(f"/subjects/{subject.id}/copy").status_code == 403
    assert _copy(client, subject.id, audience=target, name="S", token="t" * 32).status_code == 403
    auth.logout()
    # A teacher who does not teach it does not see it.
    stranger = make.teacher(make.classroom("P1/1", academic_year="2027"))
    auth.login(stranger)
    assert client.get(f"/subjects/{subject.id}/copy").status_code == 404
    assert _copy(client, subject.id, audience=target, name="S", token="t" * 32).status_code == 404
    auth.logout()
    # The subject's teacher cannot copy into a classroom they do not teach.
    auth.login(school["teacher"])
    elsewhere = make.classroom("P3/1")
    response = _copy(client, subject.id, audience=f"classroom:{elsewhere.id}", name="S", token="t" * 32)
    assert "Choose a level or a classroom you teach." in response.get_data(as_text=True)
    assert f"classroom:{elsewhere.id}" not in client.get(f"/subjects/{subject.id}/copy").get_data(as_text=True)
    assert db.count(Subject) == 1


@pytest.mark.committed
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="parallel transactions need PostgreSQL (LMS_TEST_DATABASE_URL); "
                                                  "SQLite serialises writers")
def test_two_tabs_confirming_at_the_same_moment_make_one_copy(app, make, db):
    teacher = make.teacher("P1/1")
    next_year = make.classroom("P1/1", academic_year="2027")
    make.assign(teacher, next_year)
    subject = make.subject("P1/1", name="Maths", teachers=[teacher])
    make.tree(subject, {"Numbers": {"Counting": [f"Section {n}" for n in range(30)]}})
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def confirm(token, name):
        try:
            with app.test_request_context():
                actor = sa.session.get(User, teacher.id)
                source = sa.session.get(Subject, subject.id)
                barrier.wait(timeout=10)
                try:
                    outcome = copying.copy_subject(actor, source, audience=f"classroom:{next_year.id}", name=name,
                                                   token=token)
                    sa.session.commit()
                    outcomes.append((outcome.subject.id, outcome.made))
                except ValidationFailed as err:
                    sa.session.rollback()
                    errors.append(err.message)
                finally:
                    sa.session.remove()
        except Exception as err:  # reported below
            errors.append(repr(err))

    def run(*calls):
        threads = [threading.Thread(target=confirm, args=call) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    token = copying.new_token()
    run((token, "Maths again"), (token, "Maths again"))
    assert errors == []
    assert sorted(made for _id, made in outcomes) == [False, True]
    assert outcomes[0][0] == outcomes[1][0]
    assert db.count(Subject, Subject.name == "Maths again") == 1
    # Two forms (two tokens) with the same name: the second is refused by the name.
    run((copying.new_token(), "Maths twice"), (copying.new_token(), "Maths twice"))
    assert len(errors) == 1 and "There is already a subject called" in errors[0]
    assert db.count(Subject, Subject.name == "Maths twice") == 1
    assert db.count(Section) == 3 * 30


def test_the_copy_keeps_the_rubrics_its_copier_may_use(client, auth, make, school, db):
    """A question's rubric comes along (the same rubric); another teacher's private one stays behind."""
    teacher, whole = school["teacher"], school["whole"]
    colleague = make.teacher()
    own = make._save(Rubric(title="Explaining", owner_id=teacher.id))
    private = make._save(Rubric(title="Someone else's", owner_id=colleague.id))
    first, second = _questions_ids(db, whole.id)
    make._save(QuestionRubric(question_id=first, rubric_id=own.id))
    make._save(QuestionRubric(question_id=second, rubric_id=private.id))
    auth.login(teacher)
    _copy(client, school["subject"].id, audience=f"classroom:{school['next_year'].id}", name="Maths with rubrics",
          token=_form_token(client, school["subject"].id))
    copy = db.scalar(select(Subject).where(Subject.name == "Maths with rubrics"))
    copied = db.scalar(select(Assessment).where(Assessment.subject_id == copy.id))
    copy_first, copy_second = _questions_ids(db, copied.id)
    assert db.scalars(select(QuestionRubric.rubric_id).where(QuestionRubric.question_id == copy_first)) == [own.id]
    assert db.scalars(select(QuestionRubric.rubric_id).where(QuestionRubric.question_id == copy_second)) == []
    assert db.count(Rubric) == 2


def _questions_ids(db, assessment_id):
    return db.scalars(select(Question.id).where(Question.assessment_id == assessment_id).order_by(Question.position))
