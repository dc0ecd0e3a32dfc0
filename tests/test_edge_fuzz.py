"""Acceptance: hostile input at every URL never answers a server error.

Walks ``app.url_map`` (every rule, every method) as an anonymous visitor, a student, a teacher and an
administrator, with ids filled from real objects made by the factories, and sends NUL bytes (other
control characters: tests/test_edge_input.py), huge numbers (``page=10**30``, ids ``10**30``), 10,000-character strings and
JSON nested 10,000 deep in the path, the query string, form bodies and JSON bodies.  No response may
be 500 or above.  Field names come from each view's forms (their field types choose the values), the
names the view reads from ``request.args``/``request.form``, and the API's OpenAPI schemas.

Bounded: one request per payload kind per (route, method, role), plus, for the teacher and the
administrator, each form or JSON field alone made too long / too large / too old with the other
fields plausible; most hostile requests are refused at the edge before a view runs.  Runs on SQLite and PostgreSQL (where NUL and integer overflow
used to be 500s).
"""

from __future__ import annotations

import inspect
import json
import re
import time

import pytest
from flask import url_for

from tests.api_helpers import bearer
from tests.conftest import TEST_PASSWORD, AuthActions
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS

ROLES = ["ANONYMOUS", "STUDENT", "TEACHER", "ADMIN"]
NUL = "fuzz\x00nul"
CONTROL = "fuzz\x1bcontrol"
HUGE = 10**30
LONG = "x" * 10_000
DEEP = "[" * 10_000 + "]" * 10_000
COMMON_QUERY = ("page", "per_page", "q", "sort", "status", "limit", "classroom", "level")
DATE_QUERY = {"from", "to", "date", "startDate", "endDate", "day", "week", "month"}
THOROUGH = {"TEACHER", "ADMIN"}  # they reach the most forms: one bad field at a time, the rest plausible
TIME_BUDGET_SECONDS = 90  # per role; the whole test stays around a minute on SQLite


# --- which names each route reads ------------------------------------------------------------------

_GET_NAME = re.compile(r"""\.get(?:list)?\(\s*["']([A-Za-z_][A-Za-z0-9_\-]*)["']""")
_FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\b")


def _form_classes() -> dict:
    from flask_wtf import FlaskForm

    found, todo = {}, [FlaskForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found[sub.__name__] = sub
            todo.append(sub)
    return found


def _form_fields(form_cls) -> dict[str, type]:
    from wtforms.fields.core import UnboundField

    fields = {}
    for name in dir(form_cls):
        value = getattr(form_cls, name, None)
        if isinstance(value, UnboundField):
            fields[name] = value.field_class
    return fields


def _view_source(view) -> str:
    try:
        return inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return ""


def _field_value(field_class, kind: str):
    from wtforms import fields as f

    numeric = issubclass(field_class, (f.IntegerField, f.DecimalField, f.FloatField))
    dated = issubclass(field_class, (f.DateField, f.DateTimeField, f.DateTimeLocalField, f.TimeField))
    if kind == "huge":
        if numeric:
            return str(HUGE)
        if dated:
            return "99999-12-31" if issubclass(field_class, f.DateField) else "99999-12-31T10:00"
        return "fuzz@example.org" if issubclass(field_class, f.EmailField) else "Fuzz 1"
    if kind == "plausible":
        if numeric:
            return "1"
        if dated:
            return "2026-06-01" if issubclass(field_class, f.DateField) else "2026-06-01T10:00"
        return "fuzz@example.org" if issubclass(field_class, f.EmailField) else "Fuzz 1"
    if kind == "one_bad":
        if numeric:
            return str(HUGE)
        if dated:
            return "0001-01-01" if issubclass(field_class, f.DateField) else "0001-01-01T10:00"
        return LONG
    if kind == "old_date":
        if dated:
            return "0001-01-01" if issubclass(field_class, f.DateField) else "0001-01-01T10:00"
        return "1" if numeric else "Fuzz 1"
    return {"nul": NUL, "control": CONTROL, "long": LONG}[kind]


class RouteInputs:
    """Form fields (with their classes) and query names for each endpoint."""

    def __init__(self, app):
        from lms.api.core import OPERATIONS
        from lms.api.openapi import SCHEMAS

        forms = _form_classes()
        self.form: dict[str, dict] = {}
        self.query: dict[str, set] = {}
        self.json: dict[str, dict] = {}
        for endpoint, view in app.view_functions.items():
            source = _view_source(view)
            fields = {}
            for name in _FORM_CLASS.findall(source):
                if name in forms:
                    fields.update(_form_fields(forms[name]))
            for name in _GET_NAME.findall(source):
                fields.setdefault(name, None)
            self.form[endpoint] = fields
            self.query[endpoint] = set(COMMON_QUERY) | {n for n in _GET_NAME.findall(source)}
        for op in OPERATIONS:
            endpoint = f"api.v1.{op['operation_id']}"
            self.query.setdefault(endpoint, set()).update(op["query"])
            body = SCHEMAS.get(op["body"] or "", {}).get("properties", {})
            self.json[endpoint] = {name: schema.get("type", "string") for name, schema in body.items()}

    def form_data(self, endpoint: str, kind: str) -> dict:
        from wtforms import StringField

        return {name: _field_value(cls or StringField, kind) for name, cls in self.form.get(endpoint, {}).items()}

    def one_bad_field_at_a_time(self, endpoint: str, is_api: bool):
        """Plausible values everywhere but one field, which is too long, too large or too old."""
        from wtforms import StringField

        if is_api:
            fields = self.json.get(endpoint, {})
            plausible = {name: 1 if kind == "integer" else "Fuzz 1" for name, kind in fields.items()}
            for name, kind in fields.items():
                bad = HUGE if kind == "integer" else ("0001-01-01T00:00:00Z" if name.endswith(("_date", "_at"))
                                                     else LONG)
                yield name, {**plausible, name: bad}
            return
        fields = self.form.get(endpoint, {})
        plausible = {name: _field_value(cls or StringField, "plausible") for name, cls in fields.items()}
        for name, cls in fields.items():
            yield name, {**plausible, name: _field_value(cls or StringField, "one_bad")}

    def takes_dates(self, endpoint: str) -> bool:
        from wtforms import fields as f

        dated = (f.DateField, f.DateTimeField, f.DateTimeLocalField)
        return bool(self.query.get(endpoint, set()) & DATE_QUERY
                    or any(cls is not None and issubclass(cls, dated) for cls in self.form.get(endpoint, {}).values())
                    or any(name.endswith(("_date", "_at", "deadline")) for name in self.json.get(endpoint, {})))

    def query_args(self, endpoint: str, kind: str) -> dict:
        names = self.query.get(endpoint, set(COMMON_QUERY))
        if kind == "huge":
            return {name: str(HUGE) for name in names}
        return {name: _field_value(str, kind) if kind != "old_date" else "0001-01-01" for name in names}

    def json_body(self, endpoint: str, kind: str) -> dict:
        body = {}
        for name, kind_of in self.json.get(endpoint, {"name": "string"}).items():
            if kind == "huge":
                body[name] = HUGE if kind_of == "integer" else (
                    "99999-12-31T00:00:00Z" if name.endswith(("_date", "_at", "deadline")) else "Fuzz 1")
            elif kind == "old_date":
                body[name] = "0001-01-01T00:00:00Z" if kind_of == "string" else 1
            else:
                body[name] = {"nul": NUL, "control": CONTROL, "long": LONG}[kind]
        return body


# --- demo objects ------------------------------------------------------------------------------


def _samples(make) -> tuple[dict, dict]:
    """Ids of real objects for every URL argument, and the users to sign in as."""
    from sqlalchemy import select

    from lms.assessments.models import AssessmentMedia, Question
    from lms.common.types import utcnow
    from lms.extensions import db
    from lms.school.models import Cohort, CohortMembership, Level

    admin = make.user(role="ADMIN")
    classroom = make.classroom("P1/1")
    student = make.student(classroom, full_name="Fuzz Student")
    teacher = make.teacher(classroom, role="HOMEROOM")
    parent = make.parent_of(student)
    invitation, _raw = make.invitation(admin)
    subject = make.subject("P1/1", teachers=[teacher])
    nodes = make.tree(subject, {"Unit": {"Part": ["Section"]}})
    resource = make.resource(teacher, section_id=nodes["Section"])
    course_session = make.course_session(teacher, subject)
    enrollment = make.enrollment(course_session, student)
    meeting = make.meeting(course_session)
    announcement = make.announcement(admin)
    notification = make.notification(student)
    quiz = make.assessment(teacher, title="Fuzz quiz", questions=ONE_OF_EACH, section_id=nodes["Section"],
                           publish=True, media=[("pic", resource)])
    attempt = make.attempt(student, quiz, RIGHT_ANSWERS)
    with make.app.app_context():
        from lms.assessments import rubrics
        from lms.auth.models import User

        with make.app.test_request_context():
            rubric_id = rubrics.create_rubric(db.session.get(User, teacher.id), rubrics.RubricInput(
                title="Fuzz rubric", criteria=[rubrics.CriterionInput("Ideas", levels=[
                    rubrics.LevelInput(2, "Clear"), rubrics.LevelInput(0, "Missing")])])).id
        db.session.commit()
        level_id = db.session.scalar(select(Level.id).where(Level.code == "P1"))
        question_id = db.session.scalar(select(Question.id).where(Question.assessment_id == quiz.id)
                                        .order_by(Question.position).limit(1))
        media_id = db.session.scalar(select(AssessmentMedia.id).where(AssessmentMedia.assessment_id == quiz.id))
        # A cohort of the teacher's, so that the teacher's walk reaches its changes too.
        cohort = Cohort(name="Fuzz cohort", name_key="fuzz cohort", created_by_id=teacher.id)
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMembership(cohort_id=cohort.id, student_id=student.id, added_at=utcnow()))
        db.session.commit()
        cohort_id = cohort.id
        from lms.rewards.models import Badge, BadgeAward

        badge = Badge(name="Fuzz badge", name_key="fuzz badge", icon="star", criterion="MANUAL")
        db.session.add(badge)
        db.session.flush()
        award = BadgeAward(badge_id=badge.id, student_id=student.id, awarded_by_id=teacher.id, reason="Kind",
                           awarded_at=utcnow())
        db.session.add(award)
        db.session.commit()
        badge_id, award_id = badge.id, award.id
        db.session.remove()
    centre = make.centre("Fuzz centre", rooms=["Fuzz room"], members=[teacher, student])
    samples = {
        "user_id": student.id, "invitation_id": invitation.id, "token": "not-a-real-token", "provider": "google", "code": "NOSUCHCD",
        "classroom_id": classroom.id, "student_id": student.id, "staff_id": teacher.id, "parent_id": parent.id,
        "assignment_id": 1, "batch_id": 1, "level_id": level_id, "announcement_id": announcement.id,
        "notification_id": notification.id, "core_id": subject.core_subject_id, "subject_id": subject.id,
        "unit_id": nodes["Unit"], "part_id": nodes["Part"], "section_id": nodes["Section"], "kinds": "sections",
        "node_id": nodes["Section"], "resource_id": resource.id, "teacher_id": teacher.id,
        "session_id": course_session.id, "enrollment_id": enrollment.id, "meeting_id": meeting.id,
        "token_id": 1, "assessment_id": quiz.id, "question_id": question_id, "media_id": media_id,
        "version_id": attempt.question_order[0], "submission_id": attempt.id, "cohort_id": cohort_id,
        "rubric_id": rubric_id, "badge_id": badge_id, "award_id": award_id,
        "centre_id": centre.id, "room_id": centre.room_ids["Fuzz room"], "child_id": student.id,
        # Streams, messages and help requests: ids that do not exist (their own tests fuzz the forms).
        "stream_id": 999999, "post_id": 999999, "item": "post", "item_id": 999999, "report_id": 999999,
        "visibility": "hide", "decision": "approve", "flag": "lock", "word_id": 999999, "thread_id": 999999,
        "request_id": 999999,
    }
    return samples, {"STUDENT": student, "TEACHER": teacher, "ADMIN": admin}


# --- the walk -------------------------------------------------------------------------------------


def _routes(app):
    """Every (rule, method); signing out and deleting come last so the rest sees the objects."""
    routes = [(rule, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(routes, key=lambda rm: (rm[0].endpoint == "auth.logout",
                                          "delete" in rm[0].endpoint or rm[1] == "DELETE", rm[0].rule, rm[1]))


def _is_text(rule, arg) -> bool:
    from werkzeug.routing import UnicodeConverter

    return type(rule._converters[arg]) is UnicodeConverter


def _url(app, rule, samples, *, huge_ids: bool = False, bad_text: str | None = None) -> str:
    values = {}
    for arg in rule.arguments:
        if bad_text is not None and _is_text(rule, arg):
            values[arg] = bad_text
        else:
            values[arg] = HUGE if huge_ids and isinstance(samples.get(arg), int) else samples[arg]
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _requests(app, rule, method, samples, inputs: RouteInputs, *, thorough: bool):
    """(label, url, request kwargs) for each hostile payload."""
    endpoint = rule.endpoint
    url = _url(app, rule, samples)
    has_body = method in ("POST", "PUT", "PATCH", "DELETE")
    is_api = rule.rule.startswith("/api/")
    if any(isinstance(samples.get(arg), int) for arg in rule.arguments):
        yield "huge ids", _url(app, rule, samples, huge_ids=True), {}
    if any(_is_text(rule, arg) for arg in rule.arguments):
        yield "NUL in the path", _url(app, rule, samples, bad_text=NUL), {}
    for kind in ("nul", "huge", "long", "old_date"):
        if kind == "old_date" and not inputs.takes_dates(endpoint):
            continue
        kwargs = {"query_string": inputs.query_args(endpoint, kind)}
        if has_body:
            if is_api:
                kwargs["data"] = json.dumps(inputs.json_body(endpoint, kind))
                kwargs["content_type"] = "application/json"
            else:
                kwargs["data"] = inputs.form_data(endpoint, kind)
        yield f"{kind} in query/body", url, kwargs
    if has_body and thorough:
        for name, body in inputs.one_bad_field_at_a_time(endpoint, is_api):
            if is_api:
                yield f"bad {name}", url, {"data": json.dumps(body), "content_type": "application/json"}
            else:
                yield f"bad {name}", url, {"data": body}
    if has_body:
        yield "nested JSON", url, {"data": DEEP, "content_type": "application/json"}
        yield "bad multipart", url, {"data": b"--x\r\nbroken", "content_type": "multipart/form-data"}


def _signed_in_client(app, role, users):
    client = app.test_client()
    headers = {}
    if role != "ANONYMOUS":
        AuthActions(client).login(users[role])
        response = client.post("/api/v1/auth/token", json={"email": users[role].email, "password": TEST_PASSWORD})
        assert response.status_code == 200, response.json
        headers = bearer(response.json["data"]["access_token"])
    return client, headers


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_a_server_error_to_hostile_input(app, make, role):
    samples, users = _samples(make)
    inputs = RouteInputs(app)
    client, api_headers = _signed_in_client(app, role, users)
    problems, sent, started = [], 0, time.monotonic()
    for rule, method in _routes(app):
        for label, url, kwargs in _requests(app, rule, method, samples, inputs, thorough=role in THOROUGH):
            headers = api_headers if rule.rule.startswith("/api/") else {}
            response = client.open(url, method=method, headers=headers, **kwargs)
            sent += 1
            if response.status_code >= 500:
                problems.append(f"{role} {method} {rule.rule} ({label}) -> {response.status_code}")
        if rule.endpoint == "auth.logout" and role != "ANONYMOUS":
            client, api_headers = _signed_in_client(app, role, users)
    elapsed = time.monotonic() - started
    assert not problems, "\n".join(problems)
    assert sent > 1000
    assert elapsed < TIME_BUDGET_SECONDS, f"{sent} requests took {elapsed:.0f} s"
