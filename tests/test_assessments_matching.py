"""Matching questions: the pairs and their checks, GIFT (Moodle's ``=a -> b``) in and out, the
editor's pair rows, taking on the take page (drop-downs, a shuffle kept per attempt, autosave),
partial credit, re-scoring after a key change, the result pages, previews, item analysis, the
gradebook and the JSON export."""

import json
import re

import pytest
from sqlalchemy import select

from lms.assessments import gift, matching
from lms.assessments import questions as q
from lms.assessments.models import Answer, Question, Submission
from lms.common.errors import ValidationFailed
from tests.assessment_fixtures import HX, build_course

ANIMALS = {"type": "MATCHING", "text": "Match each animal with its home.", "points": 3,
           "options": [["ผึ้ง (bee)", "bird", "fish"], ["sea", "nest", "hive", "stable"]],
           "key": {"matches": [2, 1, 0]}}
# After cleaning the right items are sorted: hive 0, nest 1, sea 2, stable 3.
BEE, BIRD, FISH = 0, 1, 2
HIVE, NEST, SEA, STABLE = 0, 1, 2, 3


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def quiz(course, make):
    return make.assessment(course.teacher, title="Homes", questions=[ANIMALS], section_id=course.ids["Counting"],
                           publish=True)


def _clean(app, options, key, points=1):
    with app.test_request_context():
        return q.clean_question(q.QuestionInput(type="MATCHING", text="Match", points=points, options=options,
                                                key=key))


def _refusal(app, options, key) -> str:
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as err:
            q.clean_question(q.QuestionInput(type="MATCHING", text="Match", options=options, key=key))
    return err.value.message


# --- the question and its checks ----------------------------------------------------------------------


def test_pairs_are_stored_with_the_right_items_sorted_and_the_key_following_them(app):
    cleaned = _clean(app, ANIMALS["options"], ANIMALS["key"])
    assert cleaned["options"] == [["ผึ้ง (bee)", "bird", "fish"], ["hive", "nest", "sea", "stable"]]
    assert cleaned["key"] == {"matches": [HIVE, NEST, SEA]}
    assert matching.pairs_of(cleaned["options"], cleaned["key"]) == (
        [("ผึ้ง (bee)", "hive"), ("bird", "nest"), ("fish", "sea")], ["stable"])
    # An empty new question is a draft that says what it lacks; it cannot be published.
    empty = _clean(app, None, {})
    assert empty["options"] == [[], []] and empty["key"] == {}
    with app.test_request_context():
        assert q.problems_of("MATCHING", empty["options"], empty["key"], "Match") == ["it needs at least two pairs"]
        assert q.problems_of("MATCHING", cleaned["options"], cleaned["key"], "Match") == []


def test_two_pairs_may_share_a_right_item(app):
    options, key = matching.matching_input([("cat", "animal"), ("dog", "animal"), ("rose", "flower")], ["gas"])
    cleaned = _clean(app, options, key)
    assert cleaned["options"] == [["cat", "dog", "rose"], ["animal", "flower", "gas"]]
    assert cleaned["key"] == {"matches": [0, 0, 1]}


@pytest.mark.parametrize("pairs, extras, message", [
    ([("cat", "animal")], [], "needs at least two pairs"),
    ([("cat", "animal"), ("", "flower")], [], "Pair 2 has no left item"),
    ([("cat", "animal"), ("rose", "")], [], "Pair 2 (“rose”) has no right item"),
    ([("cat", "animal"), ("Cat", "pet")], [], "Two left items are the same: “Cat”"),
    ([("cat", "animal"), ("rose", "flower")], ["animal"], "The right item “animal” is there twice"),
    ([("cat", "animal"), ("rose", "Animal")], [], "The right item “Animal” is there twice"),
    ([(f"item {i}", f"match {i}") for i in range(13)], [], "at most 12 pairs"),
    ([("cat", "animal"), ("rose", "flower")], [f"extra {i}" for i in range(9)], "at most 8 extra wrong answers"),
    ([("x" * 301, "animal"), ("rose", "flower")], [], "A left item is at most 300 characters"),
    ([("cat", "y" * 201), ("rose", "flower")], [], "A right item is at most 200 characters"),
])
def test_bad_pairs_are_refused_with_a_clear_message(app, pairs, extras, message):
    options, key = matching.matching_input(pairs, extras)
    assert message in _refusal(app, options, key)


@pytest.mark.parametrize("options, key", [
    (["cat", "animal"], {"matches": [0]}),           # not [left items, right items]
    ([["cat", "rose"], ["animal"]], {"matches": [0, 5]}),
    ([["cat", "rose"], ["animal", "flower"]], {"matches": [0, True]}),
    ([["cat", "rose"], ["animal", "flower"]], {"matches": [0, 1, 1]}),
    ([["cat", {"x": 1}], ["animal", "flower"]], {"matches": [0, 1]}),
])
def test_a_malformed_matching_question_from_a_file_is_refused(app, options, key):
    assert _refusal(app, options, key)


def test_partial_credit_is_proportional_to_the_correct_pairs(app):
    key = {"matches": [HIVE, NEST, SEA]}
    assert q.score("MATCHING", key, 3, {"matches": [HIVE, NEST, SEA]}) == 3
    assert q.score("MATCHING", key, 3, {"matches": [HIVE, STABLE, SEA]}) == 2
    assert q.score("MATCHING", key, 2, {"matches": [HIVE, None, None]}) == 0.67
    assert q.score("MATCHING", key, 3, {"matches": [NEST, HIVE, STABLE]}) == 0
    assert q.score("MATCHING", key, 3, {}) == 0 and q.score("MATCHING", {}, 3, {"matches": [0]}) == 0


def test_responses_are_one_field_per_left_item(app):
    options = _clean(app, ANIMALS["options"], ANIMALS["key"])["options"]
    with app.test_request_context():
        response = q.clean_response("MATCHING", options, {"answer": ["0:0", "", "2:3"]})
        assert response == {"matches": [0, None, 3]}
        assert q.is_answered("MATCHING", response) and not q.is_answered("MATCHING", {"matches": [None] * 3})
        assert q.response_fields("MATCHING", response) == ["0:0", "2:3"]
        assert q.response_text("MATCHING", options, response) == "ผึ้ง (bee) → hive; bird → –; fish → stable"
        for bad in (["3:0"], ["0:4"], ["0"], ["a:b"], ["0:1", "0:2"], ["-1:0"]):
            with pytest.raises(ValidationFailed):
                q.clean_response("MATCHING", options, {"answer": bad})


# --- GIFT ---------------------------------------------------------------------------------------------------


def test_moodles_matching_syntax_is_imported(app):
    with app.test_request_context():
        items = gift.parse_gift("::Title:: Match these { =cat -> animal =rose -> flower =iron -> metal }\n")
        cleaned = q.clean_question(items[0])
    assert cleaned["type"] == "MATCHING" and cleaned["text"] == "Match these"
    assert matching.pairs_of(cleaned["options"], cleaned["key"]) == (
        [("cat", "animal"), ("rose", "flower"), ("iron", "metal")], [])


def test_gift_export_and_import_keep_pairs_extras_feedback_and_points(app):
    options, key = matching.matching_input(
        [("แมว", "สัตว์"), ("a -> b", "x = y"), ("{braces}", "a: b")], ["ก๊าซ", "~tilde"])
    with app.test_request_context():
        cleaned = q.clean_question(q.QuestionInput(type="MATCHING", text="Match: these", points=2.5,
                                                   options=options, key=key, feedback="Think first.",
                                                   tags=["ไทย"]))

    class _Q:
        type, text, points, options, key = "MATCHING", cleaned["text"], 2.5, cleaned["options"], cleaned["key"]
        feedback, tags = cleaned["feedback"], cleaned["tags"]

    class _A:
        id, title = 1, "Round trip"

    text = gift.export_gift(_A(), [_Q()])
    assert "// [tag:ไทย] [points:2.5]" in text and "=แมว -> สัตว์" in text and "= -> ก๊าซ" in text
    with app.test_request_context():
        back = q.clean_question(gift.parse_gift(text)[0])
    assert back == cleaned


@pytest.mark.parametrize("block, message", [
    ("Match {\n=cat -> animal\n=rose flower\n=iron -> metal\n}", "line 6: the pair “rose flower” has no ->"),
    ("Match {\n=cat -> animal\n}", "a matching question needs at least two pairs =left -> right (this one has 1)"),
    ("Match {\n=cat -> animal\n=rose -> flower\n~iron -> metal\n}", "line 7: a matching question has only"),
    ("Match {\n=cat -> animal\n=rose -> flower\n~gas\n}", "line 7: a matching question has only"),
    ("Match {\n=cat -> animal\n=%50%rose -> flower\n}", "line 6: a matching pair has no %weight% or #feedback"),
    ("Match {\n=cat -> animal # yes\n=rose -> flower\n}", "line 5: a matching pair has no %weight%"),
    ("Match {\n=cat -> animal\n=rose ->\n}", "line 6: the pair has nothing after ->"),
])
def test_malformed_matching_blocks_are_refused_with_the_line(app, block, message):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as err:
            gift.parse_gift(f"Fine question {{=yes ~no}}\n\n// a comment\n{block}\n")
    assert "Question 2 (line 4)" in err.value.message and message in err.value.message


def test_gift_import_through_the_editor_adds_a_matching_question(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[])
    auth.login(course.teacher)
    text = "// [points:3]\n::Title:: Match these { =cat -> animal =rose -> flower =iron -> metal }\n"
    response = client.post(f"/assessments/{quiz.id}/questions/import", data={"gift": text}, headers=HX)
    assert response.status_code == 200 and "1 question was imported" in response.get_data(as_text=True)
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    assert (question.type, question.points, question.key) == ("MATCHING", 3, {"matches": [0, 1, 2]})
    page = client.get(f"/assessments/{quiz.id}").get_data(as_text=True)
    assert "Matching" in page and "cat → animal; rose → flower; iron → metal" in page
    exported = client.get(f"/assessments/{quiz.id}/export.gift").get_data(as_text=True)
    assert "// [points:3]" in exported and "=cat -> animal" in exported


# --- the editor -----------------------------------------------------------------------------------------------


def _row_fields(pairs, extras=""):
    fields = {"type": "MATCHING", "text": "Match each animal with its home.", "points": "3", "extras": extras}
    for index, (left, right) in enumerate(pairs):
        fields[f"pair-left-{index}"], fields[f"pair-right-{index}"] = left, right
    return fields


def test_the_editor_shows_pair_rows_and_saves_them(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[])
    auth.login(course.teacher)
    created = client.post(f"/assessments/{quiz.id}/questions", data={"type": "MATCHING"})
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert page.count('name="pair-left-') == 4 and "Add more pairs" in page
    assert "Still missing before publishing: it has no text; it needs at least two pairs" in page
    fields = _row_fields([("ผึ้ง (bee)", "hive"), ("", ""), ("bird", "nest"), ("fish", "sea")], "stable\n")
    saved = client.post(f"/assessments/{quiz.id}/questions/{question.id}", data=fields)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    question = db.get(Question, question.id)
    assert question.options == [["ผึ้ง (bee)", "bird", "fish"], ["hive", "nest", "sea", "stable"]]
    assert question.key == {"matches": [HIVE, NEST, SEA]} and question.points == 3
    page = client.get(f"/assessments/{quiz.id}/questions/{question.id}").get_data(as_text=True)
    assert 'value="ผึ้ง (bee)"' in page and 'value="sea"' in page and ">stable</textarea>" in page
    assert page.count('name="pair-left-') == 5  # the three pairs and two empty rows


def test_add_and_remove_pair_rows_without_saving_with_or_without_htmx(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ANIMALS])
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    auth.login(course.teacher)
    url = f"/assessments/{quiz.id}/questions/{question.id}/pairs"
    fields = _row_fields([("ผึ้ง (bee)", "hive"), ("bird", "nest"), ("fish", "sea"), ("cow", ""), ("", "")])
    more = client.post(url, data={**fields, "pairs": "add"}, headers=HX)
    body = more.get_data(as_text=True)
    assert more.status_code == 200 and body.lstrip().startswith('<div id="question-editor"')
    assert body.count('name="pair-left-') == 8 and 'value="cow"' in body  # typed text kept, 3 more rows
    plain = client.post(url, data={**fields, "pairs": "add"})  # no JavaScript: the whole page
    assert plain.status_code == 200 and "<html" in plain.get_data(as_text=True)
    fewer = client.post(url, data={**fields, "pairs": "remove-1"}, headers=HX).get_data(as_text=True)
    assert 'value="bird"' not in fewer and 'value="fish"' in fewer and 'value="cow"' in fewer
    assert db.get(Question, question.id).options == [["ผึ้ง (bee)", "bird", "fish"],
                                                      ["hive", "nest", "sea", "stable"]]  # nothing saved
    # The ceiling: never more rows than pairs allowed.
    many = _row_fields([(f"item {i}", f"m {i}") for i in range(11)])
    body = client.post(url, data={**many, "pairs": "add"}, headers=HX).get_data(as_text=True)
    assert body.count('name="pair-left-') == 12 and "Add more pairs" not in body


def _ids(body: str) -> list[str]:
    """The ids in an editor's fragment (not the flash messages htmx gets out of band)."""
    return [found for found in re.findall(r' id="([^"]+)"', body) if found != "messages"]


def test_pairs_are_added_in_place_in_a_new_unsaved_question_then_saved(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ANIMALS])
    auth.login(course.teacher)
    editor = client.get(f"/assessments/{quiz.id}/questions/new?type=MATCHING", headers=HX).get_data(as_text=True)
    pairs_url = f"/assessments/{quiz.id}/questions/new/pairs"
    assert f'hx-post="{pairs_url}" hx-target="#qnew-question-editor"' in editor
    assert 'id="qnew-pair-left-0"' in editor and 'id="qnew-q-extras"' in editor and 'name="inplace"' in editor
    fields = {**_row_fields([("cat", "animal"), ("rose", "flower"), ("iron", "metal"), ("แมว", "สัตว์")]),
              "inplace": "1"}

    more = client.post(pairs_url, data={**fields, "pairs": "add"}, headers=HX)
    body = more.get_data(as_text=True)
    # Only this editor's form comes back, with its prefix, what was typed and three more rows;
    # the first new row takes the focus.
    assert more.status_code == 200 and body.lstrip().startswith('<div id="qnew-question-editor"')
    assert body.count('name="pair-left-') == 7 and 'value="แมว"' in body and 'value="สัตว์"' in body
    assert re.search(r'id="qnew-pair-left-4"[^>]*autofocus', body)
    assert f'hx-post="/assessments/{quiz.id}/questions"' in body  # Save still adds the new question
    fewer = client.post(pairs_url, data={**fields, "pairs": "remove-1"}, headers=HX).get_data(as_text=True)
    assert 'value="rose"' not in fewer and 'value="iron"' in fewer
    assert re.search(r'id="qnew-pair-left-1"[^>]*value="iron"[^>]*autofocus', fewer)
    assert len(db.scalars(select(Question).where(Question.assessment_id == quiz.id))) == 1

    # Without JavaScript: the new question's editor page, ids without a prefix.
    page = client.post(pairs_url, data={**_row_fields([("cat", "animal")]), "pairs": "add"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and 'id="pair-left-0"' in html and 'value="cat"' in html
    assert 'id="qnew-' not in html

    saved = client.post(f"/assessments/{quiz.id}/questions", data={**fields, "extras": "gas"}, headers=HX)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    questions = db.scalars(select(Question).where(Question.assessment_id == quiz.id)
                           .order_by(Question.position))
    assert questions[1].options == [["cat", "rose", "iron", "แมว"], ["animal", "flower", "gas", "metal", "สัตว์"]]
    assert questions[1].key == {"matches": [0, 1, 3, 4]}


def test_two_open_editors_have_distinct_pair_ids(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ANIMALS, {**ANIMALS, "text": "Again."}])
    first, second = db.scalars(select(Question).where(Question.assessment_id == quiz.id)
                               .order_by(Question.position))
    auth.login(course.teacher)
    base = f"/assessments/{quiz.id}/questions"
    editors = [client.get(f"{base}/{first.id}", headers=HX).get_data(as_text=True),
               client.get(f"{base}/{second.id}", headers=HX).get_data(as_text=True),
               client.get(f"{base}/new?type=MATCHING", headers=HX).get_data(as_text=True)]
    ids = [set(_ids(editor)) for editor in editors]
    assert f"q{first.id}-pair-left-0" in ids[0] and f"q{second.id}-pair-left-0" in ids[1]
    assert "qnew-pair-right-0" in ids[2]
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    for editor in editors:  # and no id twice within one editor (the hint, the extras, every row)
        assert len(_ids(editor)) == len(set(_ids(editor)))
    # Adding pairs in the second editor answers only its form, with its own ids.
    fields = {**_row_fields([("cat", "animal"), ("rose", "flower")]), "inplace": "1"}
    body = client.post(f"{base}/{second.id}/pairs", data={**fields, "pairs": "add"},
                       headers=HX).get_data(as_text=True)
    assert body.lstrip().startswith(f'<div id="q{second.id}-question-editor"')
    assert f'hx-target="#q{second.id}-question-editor"' in body and f"q{first.id}-" not in body


def test_the_two_tab_check_covers_the_pairs_and_survives_adding_rows(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ANIMALS])
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    auth.login(course.teacher)
    url = f"/assessments/{quiz.id}/questions/{question.id}"
    old_tab = client.get(url, headers=HX).get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', old_tab).group(1)
    # The first tab adds rows (the version goes along), the second tab changes only a pair.
    fields = {**_row_fields([("ผึ้ง (bee)", "hive"), ("bird", "nest"), ("fish", "sea")]), "inplace": "1",
              "version": version}
    rows = client.post(f"{url}/pairs", data={**fields, "pairs": "add"}, headers=HX).get_data(as_text=True)
    assert f'name="version" value="{version}"' in rows
    other = _row_fields([("ผึ้ง (bee)", "sea"), ("bird", "nest"), ("fish", "hive")])
    assert client.post(url, data={**other, "version": version}, headers=HX).status_code == 200
    stale = client.post(url, data={**fields, "text": "Mine"}, headers=HX)
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Reload the question" in body
    assert re.search(r'id="q\d+-pair-right-0"[^>]*value="hive"', body)  # what was typed in this tab
    assert db.get(Question, question.id).key == {"matches": [SEA, NEST, HIVE]}


def test_bad_pairs_in_place_answer_422_with_the_typed_pairs_and_the_prefix(client, auth, course, make, db):
    quiz = make.assessment(course.teacher, questions=[ANIMALS])
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    auth.login(course.teacher)
    bad = {**_row_fields([("cat", "animal"), ("Cat", "pet"), ("dog", "pet")]), "inplace": "1"}
    response = client.post(f"/assessments/{quiz.id}/questions/{question.id}", data=bad, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Two left items are the same" in body
    assert re.search(rf'id="q{question.id}-pair-left-2"[^>]*value="dog"', body)
    new = client.post(f"/assessments/{quiz.id}/questions", data=bad, headers=HX)
    assert new.status_code == 422 and re.search(r'id="qnew-pair-left-1"[^>]*value="Cat"', new.get_data(as_text=True))


@pytest.mark.parametrize("pairs, message", [
    ([("cat", "animal"), ("Cat", "pet")], "Two left items are the same: “Cat”."),
    ([("cat", "animal")], "A matching question needs at least two pairs."),
    ([("cat", "animal"), ("", "flower")], "Pair 2 has no left item"),
])
def test_bad_pairs_in_the_editor_are_shown_and_nothing_changes(client, auth, course, make, db, pairs, message):
    quiz = make.assessment(course.teacher, questions=[ANIMALS])
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    auth.login(course.teacher)
    response = client.post(f"/assessments/{quiz.id}/questions/{question.id}", data=_row_fields(pairs), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert 'value="cat"' in body  # what was typed is still there
    assert db.get(Question, question.id).key == {"matches": [HIVE, NEST, SEA]}


# --- taking and scoring ---------------------------------------------------------------------------------------


def _attempt(db, student):
    return db.scalar(select(Submission).where(Submission.student_id == student.id))


def _option_order(page: str, version_id: int) -> list[str]:
    select_html = re.search(rf'<select id="match-{version_id}-0".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="0:(\d+)"', select_html)


def test_a_student_matches_on_the_take_page_and_gets_partial_credit(client, auth, course, quiz, db):
    auth.login(course.student)
    client.post(f"/assessments/{quiz.id}/start")
    attempt = _attempt(db, course.student)
    version_id = attempt.question_order[0]
    page = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
    for left in range(3):  # each left item labels its own drop-down
        assert f'<label for="match-{version_id}-{left}" class="match-left">' in page
        assert f'<select id="match-{version_id}-{left}" name="answer">' in page
    assert sorted(_option_order(page, version_id)) == ["0", "1", "2", "3"]
    assert attempt.option_order[str(version_id)] == [int(i) for i in _option_order(page, version_id)]
    again = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
    assert _option_order(again, version_id) == _option_order(page, version_id)  # the same order after a reload

    url = f"/submissions/{attempt.id}/answers/{version_id}"
    saved = client.post(url, data={"answer": [f"{BEE}:{HIVE}", f"{BIRD}:{STABLE}", f"{FISH}:{SEA}"]}, headers=HX)
    assert saved.status_code == 200 and "Saved" in saved.get_data(as_text=True)
    page = client.get(f"/assessments/{quiz.id}/take").get_data(as_text=True)
    assert f'<option value="{BIRD}:{STABLE}" selected>' in page and "1 of 1 answered" in page
    assert client.post(url, data={"answer": ["0:9"]}, headers=HX).status_code == 422
    assert client.post(url, data={"answer": ["0:1", "0:2"]}, headers=HX).status_code == 422

    assert client.post(f"/submissions/{attempt.id}/submit").status_code == 303
    done = db.get(Submission, attempt.id)
    assert (done.status, done.auto_score, done.final_score, done.max_score) == ("GRADED", 2, 2, 3)
    result = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "2 of 3 points" in result
    assert "<strong>bird</strong> → stable" in result and "Correct: nest" in result
    assert "<strong>ผึ้ง (bee)</strong> → hive" in result and "✓ right" in result


def test_answers_sent_as_json_and_the_stale_tab_answer_use_the_same_fields(client, auth, course, quiz, db):
    auth.login(course.student)
    client.post(f"/assessments/{quiz.id}/start")
    attempt = _attempt(db, course.student)
    url = f"/submissions/{attempt.id}/answers/{attempt.question_order[0]}"
    assert client.post(url, json={"answer": ["0:0", "1:1"], "revision": 0}, headers=HX).status_code == 200
    stale = client.post(url, data={"answer": ["2:2"], "revision": "0"}, headers=HX)
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "ผึ้ง (bee) → hive; bird → nest; fish → –" in body
    assert "0:0" in body and "1:1" in body  # the newer answer's fields, for the tab's form


def test_a_key_correction_rescores_matching_answers(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, {0: [f"{BEE}:{HIVE}", f"{BIRD}:{STABLE}", f"{FISH}:{SEA}"]})
    assert db.get(Submission, attempt.id).final_score == 2
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    auth.login(course.teacher)
    fields = _row_fields([("ผึ้ง (bee)", "hive"), ("bird", "stable"), ("fish", "sea")], "nest")
    response = client.post(f"/assessments/{quiz.id}/questions/{question.id}", data=fields)
    assert response.status_code == 303
    assert "earlier answer was re-scored" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.get(Submission, attempt.id).final_score == 3
    assert db.scalar(select(Answer.auto_points).where(Answer.submission_id == attempt.id)) == 3


def test_the_teachers_grading_pages_show_the_pairing(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, {0: [f"{BEE}:{HIVE}", f"{FISH}:{NEST}"]})
    auth.login(course.teacher)
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "<strong>bird</strong> → <span class=\"muted\">not chosen</span>" in page and "Correct: sea" in page
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    by_question = client.get(f"/assessments/{quiz.id}/questions/{question.id}/grading").get_data(as_text=True)
    assert "<strong>fish</strong> → nest" in by_question


def test_a_teacher_tries_a_matching_question_as_a_student(client, auth, course, quiz, db):
    auth.login(course.teacher)
    assert client.post(f"/assessments/{quiz.id}/preview").status_code == 303
    preview = db.scalar(select(Submission).where(Submission.student_id == course.teacher.id))
    version_id = preview.question_order[0]
    page = client.get(f"/assessments/{quiz.id}/preview").get_data(as_text=True)
    assert f'<select id="match-{version_id}-0" name="answer">' in page
    saved = client.post(f"/assessments/{quiz.id}/preview/answers/{version_id}",
                        data={"answer": [f"{BEE}:{HIVE}", f"{BIRD}:{NEST}", f"{FISH}:{SEA}"]}, headers=HX)
    assert saved.status_code == 200
    assert client.post(f"/assessments/{quiz.id}/preview/submit").status_code == 303
    result = client.get(f"/assessments/{quiz.id}/preview").get_data(as_text=True)
    assert "3 of 3 points" in result and "Preview — not counted" in result


def test_item_analysis_gradebook_and_json_export_handle_matching(client, auth, course, quiz, make, db):
    others = make.students(2, "P1/1")
    make.attempt(course.student, quiz, {0: [f"{BEE}:{HIVE}", f"{BIRD}:{NEST}", f"{FISH}:{SEA}"]})
    make.attempt(others[0], quiz, {0: [f"{BEE}:{HIVE}", f"{BIRD}:{STABLE}"]})
    make.attempt(others[1], quiz, {})
    auth.login(course.teacher)
    page = client.get(f"/assessments/{quiz.id}/analysis").get_data(as_text=True)
    assert page.count('class="correct"') == 3 and "ผึ้ง (bee) → hive" in page
    csv_text = client.get(f"/assessments/{quiz.id}/analysis.csv").data.decode("utf-8")
    assert "Matching" in csv_text and "ผึ้ง (bee) → hive (✓): 2; bird → nest (✓): 1; fish → sea (✓): 1" in csv_text
    room = make.classroom("P1/1")
    book = client.get(f"/classrooms/{room.id}/gradebook/{course.subject.id}").get_data(as_text=True)
    assert "3/3 (100%)" in book and "1/3 (33.3%)" in book and "0/3 (0%)" in book
    document = json.loads(client.get(f"/assessments/{quiz.id}/export.json").data)
    exported = document["assessment"]["questions"][0]
    assert exported["type"] == "MATCHING" and exported["options"][1] == ["hive", "nest", "sea", "stable"]
    imported = client.post("/assessments/import", data={"text": json.dumps(document)})
    assert imported.status_code == 303
    copies = db.scalars(select(Question).where(Question.assessment_id != quiz.id))
    assert [(c.type, c.options, c.key, c.points) for c in copies] == [
        ("MATCHING", exported["options"], exported["key"], 3)]
