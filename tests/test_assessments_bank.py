"""The bank and the list: creating drafts, filters, who sees what, attaching (picker), publishing
(the completeness check), duplicating, archiving, deleting; curriculum pages; resources."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.assessments.models import Assessment, AssessmentMedia, Question, QuestionTag, Submission
from lms.audit.models import AuditLog
from lms.common.types import utcnow
from tests.assessment_fixtures import HX, build_course
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS, png_bytes


@pytest.fixture
def course(make):
    return build_course(make)


# --- creating ------------------------------------------------------------------------------------------


def test_teacher_creates_a_draft_in_the_bank(client, auth, course, db):
    auth.login(course.teacher)
    assert client.get("/assessments/new").status_code == 200
    response = client.post("/assessments/new", data={"title": "  Tens  quiz ", "instructions": "Be **careful**",
                                                     "core_subject_id": str(course.subject.core_subject_id),
                                                     "level_id": ""})
    assert response.status_code == 303
    assessment = db.scalar(select(Assessment))
    assert assessment.title == "Tens quiz" and assessment.status == "DRAFT"
    assert assessment.owner_id == course.teacher.id and assessment.attachment is None
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "In the bank" in page and "<strong>careful</strong>" in page and "It has no questions yet." in page
    assert db.count(AuditLog, AuditLog.action == "assessment.create") == 1


def test_creating_without_a_title_says_so_and_stores_nothing(client, auth, course, db):
    auth.login(course.teacher)
    response = client.post("/assessments/new", data={"title": "   "}, headers=HX)
    assert response.status_code == 422
    assert "Give a title." in response.get_data(as_text=True) or "This field is required" in response.get_data(
        as_text=True)
    bad_core = client.post("/assessments/new", data={"title": "X", "core_subject_id": "99999"}, headers=HX)
    assert bad_core.status_code == 422 and "Choose a core subject from the list." in bad_core.get_data(as_text=True)
    assert db.count(Assessment) == 0


@pytest.mark.parametrize("role, status", [("STUDENT", 403), ("PARENT", 403)])
def test_only_staff_create_assessments(client, as_role, role, status):
    as_role(role)
    assert client.get("/assessments/new").status_code == status
    assert client.post("/assessments/new", data={"title": "X"}).status_code == status


# --- the list and the bank -------------------------------------------------------------------------------


def test_the_bank_filters_by_core_level_type_status_tag_and_text(client, auth, course, make, db):
    t = course.teacher
    make.assessment(t, title="Fractions quiz", questions=[{**ONE_OF_EACH[0], "tags": ["fractions"]}],
                    core_subject_id=course.subject.core_subject_id, level_id=course.subject.level_id)
    make.assessment(t, title="Essay", questions=[{**ONE_OF_EACH[5], "text": "Describe a rainbow"}])
    make.assessment(t, title="Attached one", section_id=course.ids["Counting"], publish=True)
    auth.login(t)

    def titles(url):
        body = client.get(url, headers=HX).get_data(as_text=True)
        return {title for title in ("Fractions quiz", "Essay", "Attached one") if title in body}

    assert titles("/assessments") == {"Fractions quiz", "Essay", "Attached one"}
    assert titles("/assessments/bank") == {"Fractions quiz", "Essay"}
    assert titles(f"/assessments/bank?core={course.subject.core_subject_id}") == {"Fractions quiz"}
    assert titles(f"/assessments/bank?level={course.subject.level_id}") == {"Fractions quiz"}
    assert titles("/assessments?type=LONG_ANSWER") == {"Essay"}
    assert titles("/assessments?status=PUBLISHED") == {"Attached one"}
    assert titles("/assessments?tag=Fractions") == {"Fractions quiz"}
    assert titles("/assessments?q=rainbow") == {"Essay"}
    assert titles("/assessments?q=fractions") == {"Fractions quiz"}
    assert titles("/assessments?place=attached") == {"Attached one"}
    fragment = client.get("/assessments/bank", headers=HX).get_data(as_text=True)
    assert fragment.startswith('<section id="assessment-list"') and "<html" not in fragment


def test_list_queries_do_not_grow_with_rows(client, auth, course, make, count_queries):
    auth.login(course.teacher)
    make.assessment(course.teacher, title="A0", section_id=course.ids["Counting"])
    client.get("/assessments")
    with count_queries() as few:
        assert client.get("/assessments").status_code == 200
    for n in range(6):
        make.assessment(course.teacher, title=f"B{n}", questions=ONE_OF_EACH[:2],
                        section_id=course.ids["Comparing"] if n % 2 else None)
    with count_queries() as many:
        assert client.get("/assessments").status_code == 200
    assert many.count == few.count


def test_students_see_only_published_assessments_of_their_sections(client, auth, course, make):
    t = course.teacher
    published = make.assessment(t, title="Open quiz", section_id=course.ids["Counting"], publish=True)
    draft = make.assessment(t, title="Draft quiz", section_id=course.ids["Counting"])
    banked = make.assessment(t, title="Bank quiz", publish=True)
    others = make.assessment(course.other_teacher, title="P2 quiz", section_id=course.other_ids["Saying hello"],
                             publish=True)
    auth.login(course.student)
    body = client.get("/assessments").get_data(as_text=True)
    assert "Open quiz" in body and "Draft quiz" not in body and "Bank quiz" not in body and "P2 quiz" not in body
    assert client.get(f"/assessments/{published.id}").status_code == 200
    for hidden in (draft, banked, others):
        assert client.get(f"/assessments/{hidden.id}").status_code == 404
    assert client.get("/assessments/bank").status_code == 403
    section_page = client.get(f"/sections/{course.ids['Counting']}").get_data(as_text=True)
    assert "Open quiz" in section_page and "Draft quiz" not in section_page
    subject_page = client.get(f"/subjects/{course.subject.id}").get_data(as_text=True)
    assert "Open quiz" in subject_page


def test_unpublished_sections_hide_their_assessments_from_students(client, auth, make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"U": {"P": ["Hidden"]}}, published=False)
    quiz = make.assessment(teacher, section_id=ids["Hidden"], publish=True)
    auth.login(make.student("P1/1"))
    assert client.get(f"/assessments/{quiz.id}").status_code == 404


def test_teachers_share_the_bank_but_change_only_their_own(client, auth, course, make, db):
    mine = make.assessment(course.other_teacher, title="Other's bank item")
    attached = make.assessment(course.other_teacher, title="Other's attached",
                               section_id=course.other_ids["Saying hello"])
    auth.login(course.teacher)
    page = client.get(f"/assessments/{mine.id}")
    assert page.status_code == 200 and "Duplicate it to make your own copy" in page.get_data(as_text=True)
    assert client.post(f"/assessments/{mine.id}/settings", data={"title": "Hijack"}).status_code == 403
    assert client.post(f"/assessments/{mine.id}/publish").status_code == 403
    assert client.get(f"/assessments/{attached.id}").status_code == 404
    assert db.get(Assessment, mine.id).title == "Other's bank item"


def test_admins_see_and_change_everything(client, as_role, course, make):
    quiz = make.assessment(course.other_teacher, title="Anything", section_id=course.other_ids["Saying hello"])
    as_role("ADMIN")
    assert client.get(f"/assessments/{quiz.id}").status_code == 200
    assert client.post(f"/assessments/{quiz.id}/archive").status_code == 303


# --- settings ------------------------------------------------------------------------------------------


def _settings(**overrides):
    data = {"title": "Quiz", "instructions": "", "attempts_allowed": "2", "scoring_policy": "LATEST",
            "opens_at": "", "due_at": "", "late_policy": "ACCEPT", "late_deduction_percent": "10",
            "late_floor_percent": "50", "time_limit_minutes": "20", "shuffle_questions": "y",
            "results_visibility": "AFTER_SUBMIT", "display_mode": "ONE_PER_SCREEN", "random_count": "",
            "random_tag": ""}
    data.update(overrides)
    return data


def test_settings_are_saved_and_checked(client, auth, course, make, db):
    quiz = make.assessment(course.teacher)
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/settings",
                           data=_settings(opens_at="2026-06-01T08:00", due_at="2026-06-02T08:00"), headers=HX)
    assert response.status_code == 200 and "Settings saved." in response.get_data(as_text=True)
    saved = db.get(Assessment, quiz.id)
    assert (saved.attempts_allowed, saved.scoring_policy, saved.late_policy, saved.time_limit_minutes) == (
        2, "LATEST", "ACCEPT", 20)
    assert saved.shuffle_questions and not saved.shuffle_options and saved.display_mode == "ONE_PER_SCREEN"
    assert saved.opens_at.hour == 1  # 08:00 in Bangkok is 01:00 UTC
    unlimited = client.post(f"/assessments/{quiz.id}/settings", data=_settings(attempts_allowed=""), headers=HX)
    assert unlimited.status_code == 200 and db.get(Assessment, quiz.id).attempts_allowed is None
    for bad, message in (
            ({"due_at": "2026-06-01T08:00", "opens_at": "2026-06-02T08:00"}, "The due date must be after"),
            ({"attempts_allowed": "0"}, "Attempts allowed"),
            ({"late_deduction_percent": "150"}, "late deduction"),
            ({"time_limit_minutes": "abc"}, "time limit"),
            ({"random_tag": "fractions"}, "how many random questions"),
            ({"scoring_policy": "BEST"}, "Not a valid choice"),
    ):
        response = client.post(f"/assessments/{quiz.id}/settings", data=_settings(**bad), headers=HX)
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True), (bad, message)
    assert db.get(Assessment, quiz.id).attempts_allowed is None


def test_a_random_draw_from_a_tag_without_questions_is_refused_at_save_and_at_publish(client, auth, course, make, db):
    tagged = [{**ONE_OF_EACH[0], "text": f"Plant {n}", "tags": ["plants"]} for n in range(3)]
    quiz = make.assessment(course.teacher, questions=tagged, section_id=course.ids["Counting"], publish=True)
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/settings", headers=HX,
                           data=_settings(random_count="2", random_tag="plantz"))
    assert response.status_code == 422
    assert "No question of this assessment has the tag “plantz”" in response.get_data(as_text=True)
    assert db.get(Assessment, quiz.id).random_tag is None
    kept = client.post(f"/assessments/{quiz.id}/settings", headers=HX, data=_settings(random_count="2",
                                                                                     random_tag="Plants"))
    assert kept.status_code == 200 and db.get(Assessment, quiz.id).random_tag == "plants"

    draft = make.assessment(course.teacher, questions=tagged, random_count=2, random_tag="plantz")
    client.post(f"/assessments/{draft.id}/publish")
    page = client.get(f"/assessments/{draft.id}").get_data(as_text=True)
    assert "No question has the tag “plantz” that the random questions are drawn from." in page
    assert db.get(Assessment, draft.id).status == "DRAFT"


# --- attaching -------------------------------------------------------------------------------------------


def test_attach_through_the_picker_reattach_and_detach(client, auth, course, make, db):
    quiz = make.assessment(course.teacher)
    auth.login(course.teacher)
    picker = client.get(f"/assessments/{quiz.id}/attach").get_data(as_text=True)
    assert course.subject.name in picker and course.other_subject.name not in picker
    tree = client.get(f"/assessments/{quiz.id}/attach?subject={course.subject.id}", headers=HX).get_data(as_text=True)
    assert f'value="section:{course.ids["Counting"]}"' in tree and f'value="unit:{course.ids["Numbers"]}"' in tree
    response = client.post(f"/assessments/{quiz.id}/attach", data={"target": f"section:{course.ids['Counting']}"})
    assert response.status_code == 303
    saved = db.get(Assessment, quiz.id)
    assert saved.attachment == ("section", course.ids["Counting"])
    assert saved.core_subject_id == course.subject.core_subject_id and saved.level_id == course.subject.level_id
    client.post(f"/assessments/{quiz.id}/attach", data={"target": f"unit:{course.ids['Shapes']}"})
    assert db.get(Assessment, quiz.id).attachment == ("unit", course.ids["Shapes"])
    client.post(f"/assessments/{quiz.id}/attach", data={"target": f"subject:{course.subject.id}"})
    assert db.get(Assessment, quiz.id).attachment == ("subject", course.subject.id)
    assert client.post(f"/assessments/{quiz.id}/detach").status_code == 303
    assert db.get(Assessment, quiz.id).attachment is None
    assert db.count(AuditLog, AuditLog.action == "assessment.attach") == 3


def test_attaching_to_somewhere_the_teacher_cannot_edit_is_refused(client, auth, course, make, db):
    quiz = make.assessment(course.teacher)
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/attach",
                           data={"target": f"section:{course.other_ids['Saying hello']}"})
    assert response.status_code == 303  # back to the picker with the message
    assert db.get(Assessment, quiz.id).attachment is None
    assert client.get(f"/assessments/{quiz.id}/attach?subject={course.other_subject.id}").status_code == 404
    client.post(f"/assessments/{quiz.id}/attach", data={"target": "planet:1"})
    assert db.get(Assessment, quiz.id).attachment is None


def test_the_database_allows_one_attachment_at_most(app, course, make):
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db as _db

    quiz = make.assessment(course.teacher)
    with app.app_context():
        row = _db.session.get(Assessment, quiz.id)
        row.section_id, row.unit_id = course.ids["Counting"], course.ids["Numbers"]
        with pytest.raises(IntegrityError):
            _db.session.flush()
        _db.session.rollback()


# --- publishing -------------------------------------------------------------------------------------------


def test_publish_lists_everything_missing_at_once(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[
        {"type": "SINGLE_CHOICE", "text": "Pick [[media:chart]]", "options": ["only one"]},
        {"type": "SHORT_ANSWER", "text": "Name it"},
        {"type": "LONG_ANSWER", "text": "Write"},
    ], random_count=5, results_visibility="AFTER_DUE")
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/publish")
    assert response.status_code == 303
    page = client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    for expected in ("Question 1: it needs at least two options.", "Question 1: the correct option is not chosen.",
                     "Question 2: it has no accepted answer.", "No media file has the label “chart”",
                     "It draws 5 random questions but only 3 are available.",
                     "Results are shown after the due date, but there is no due date."):
        assert expected in page, expected
    assert db.get(Assessment, quiz.id).status == "DRAFT"
    empty = make.assessment(course.teacher, questions=[])
    client.post(f"/assessments/{empty.id}/publish")
    assert "It has no questions yet." in client.get(f"/assessments/{empty.id}").get_data(as_text=True)
    assert db.get(Assessment, empty.id).status == "DRAFT"


def test_a_complete_assessment_is_published_and_can_go_back_to_draft(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH, section_id=course.ids["Counting"])
    auth.login(course.teacher)
    client.post(f"/assessments/{quiz.id}/publish")
    assert db.get(Assessment, quiz.id).status == "PUBLISHED"
    client.post(f"/assessments/{quiz.id}/unpublish")
    assert db.get(Assessment, quiz.id).status == "DRAFT"
    client.post(f"/assessments/{quiz.id}/publish")
    make.attempt(course.student, quiz, {0: ["1"]})
    client.post(f"/assessments/{quiz.id}/unpublish")
    assert db.get(Assessment, quiz.id).status == "PUBLISHED"  # students started it: archive instead


def test_archive_hides_it_from_students_and_keeps_results(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=ONE_OF_EACH[:1], section_id=course.ids["Counting"],
                           publish=True)
    attempt = make.attempt(course.student, quiz, {0: ["1"]})
    auth.login(course.teacher)
    client.post(f"/assessments/{quiz.id}/archive")
    assert db.get(Assessment, quiz.id).status == "ARCHIVED"
    auth.logout()
    auth.login(course.student)
    assert client.get(f"/assessments/{quiz.id}").status_code == 404
    result = client.get(f"/submissions/{attempt.id}")
    assert result.status_code == 200 and "1/1" in result.get_data(as_text=True)
    auth.logout()
    auth.login(course.teacher)
    client.post(f"/assessments/{quiz.id}/restore")
    assert db.get(Assessment, quiz.id).status == "DRAFT"


def test_duplicate_is_a_deep_copy_as_a_new_draft(client, auth, course, make, db):
    picture = make.resource(course.teacher, png_bytes(), "dots.png")
    quiz = make.assessment(course.teacher, title="Original",
                           questions=[{**ONE_OF_EACH[0], "tags": ["tens"]}, ONE_OF_EACH[5]],
                           section_id=course.ids["Counting"], publish=True, media=[("dots", picture)],
                           attempts_allowed=3, time_limit_minutes=15)
    make.attempt(course.student, quiz, {0: ["1"]})
    auth.login(course.other_teacher)  # attached in a subject they do not teach: not visible to them
    assert client.post(f"/assessments/{quiz.id}/duplicate").status_code == 404
    auth.logout()
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/duplicate")
    copy = db.scalar(select(Assessment).where(Assessment.title == "Copy of Original"))
    assert response.headers["Location"].endswith(f"/assessments/{copy.id}")
    assert copy.status == "DRAFT" and copy.attachment is None and copy.owner_id == course.teacher.id
    assert (copy.attempts_allowed, copy.time_limit_minutes) == (3, 15)
    questions = db.scalars(select(Question).where(Question.assessment_id == copy.id).order_by(Question.position))
    assert [qq.type for qq in questions] == ["SINGLE_CHOICE", "LONG_ANSWER"]
    assert questions[0].key == {"correct": 1}
    assert db.count(QuestionTag, QuestionTag.question_id == questions[0].id) == 1
    assert db.count(AssessmentMedia, AssessmentMedia.assessment_id == copy.id) == 1
    assert db.count(Submission, Submission.assessment_id == copy.id) == 0


def test_delete_only_without_submissions(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, section_id=course.ids["Counting"], publish=True)
    spare = make.assessment(course.teacher)
    make.attempt(course.student, quiz, {0: ["1"]})
    auth.login(course.teacher)
    client.post(f"/assessments/{quiz.id}/delete")
    assert db.get(Assessment, quiz.id) is not None
    assert client.post(f"/assessments/{spare.id}/delete").status_code == 303
    assert db.get(Assessment, spare.id) is None
    assert db.count(Question, Question.assessment_id == spare.id) == 0


# --- resources used by assessments ----------------------------------------------------------------------------


def test_media_are_downloadable_by_those_who_see_the_assessment_and_cannot_be_deleted(client, auth, course,
                                                                                      make, db):
    picture = make.resource(course.teacher, png_bytes(), "dots.png", title="Dots")
    quiz = make.assessment(course.teacher, title="Dots quiz", section_id=course.ids["Counting"], publish=True,
                           media=[("dots", picture)])
    auth.login(course.student)
    assert client.get(f"/resources/{picture.id}/download").status_code == 200
    auth.logout()
    auth.login(course.other_student)
    assert client.get(f"/resources/{picture.id}/download").status_code == 404
    auth.logout()
    auth.login(course.teacher)
    response = client.post(f"/resources/{picture.id}/delete")
    assert response.status_code == 422 and "Dots quiz" in response.get_data(as_text=True)
    assert db.count(AssessmentMedia, AssessmentMedia.assessment_id == quiz.id) == 1


def test_section_pages_list_published_attached_assessments_with_the_students_state(client, auth, course, make):
    quiz = make.assessment(course.teacher, title="Counting check", questions=ONE_OF_EACH[:1],
                           section_id=course.ids["Counting"], publish=True)
    auth.login(course.student)
    page = client.get(f"/sections/{course.ids['Counting']}").get_data(as_text=True)
    assert "Counting check" in page and f"/assessments/{quiz.id}" in page and "state-done" not in page
    make.attempt(course.student, quiz, RIGHT_ANSWERS)
    page = client.get(f"/sections/{course.ids['Counting']}").get_data(as_text=True)
    assert "state-done" in page
    other = client.get(f"/sections/{course.ids['Comparing']}").get_data(as_text=True)
    assert "Counting check" not in other


def test_the_subject_page_shows_students_where_each_assessment_is_and_its_state(client, auth, course, make,
                                                                                 count_queries):
    now = utcnow()
    make.assessment(course.teacher, title="Due soon", section_id=course.ids["Counting"], publish=True,
                    due_at=now + timedelta(days=2))
    make.assessment(course.teacher, title="Missed", section_id=course.ids["Comparing"], publish=True,
                    opens_at=now - timedelta(days=5), due_at=now - timedelta(days=1))
    make.assessment(course.teacher, title="Late is fine", subject_id=course.subject.id, publish=True,
                    opens_at=now - timedelta(days=5), due_at=now - timedelta(days=1), late_policy="ACCEPT")
    make.assessment(course.teacher, title="Next week", subject_id=course.subject.id, publish=True,
                    opens_at=now + timedelta(days=7))
    done = make.assessment(course.teacher, title="Finished", section_id=course.ids["Counting"], publish=True,
                           questions=ONE_OF_EACH[:1])
    make.attempt(course.student, done, RIGHT_ANSWERS)
    auth.login(course.student)
    with count_queries() as few:
        page = client.get(f"/subjects/{course.subject.id}").get_data(as_text=True)
    rows = {title: row for row in page.split('<li class="attached-assessment">')[1:]
            for title in ("Due soon", "Missed", "Late is fine", "Next week", "Finished") if f">{title}</a>" in row}
    assert "state-due" in rows["Due soon"] and "Counting" in rows["Due soon"]
    assert "state-closed" in rows["Missed"] and "Late: not accepted" in rows["Missed"] and "Comparing" in rows["Missed"]
    assert "state-late" in rows["Late is fine"]
    assert "state-not-open" in rows["Next week"]
    assert "state-done" in rows["Finished"]
    for title in ("Due soon", "Missed", "Finished"):
        make.assessment(course.teacher, title=f"{title} again", section_id=course.ids["Comparing"], publish=True)
    with count_queries() as more:
        client.get(f"/subjects/{course.subject.id}")
    assert more.count == few.count

