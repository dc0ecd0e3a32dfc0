"""Property-based fuzzing of the JSON API with schemathesis, as a teacher, a student and an admin.

Every operation of ``/api/v1/openapi.json`` is called with generated requests (the examples,
coverage and fuzzing phases; positive and negative data) and every response is checked with all of
schemathesis's checks (server errors, status codes and bodies against the document, content types,
schema-valid data accepted and invalid data refused, ignored auth, unsupported methods, ...).  Then
the stateful phase follows the document's links (list or create a session → read, edit, publish,
delete it; its enrollments → status and grade; announcements → edit, delete; meetings → attendance;
students → remove, work), each scenario starting
from the same sessions.  Requests go to the Flask app in-process, on the suite's database (SQLite or
PostgreSQL), so this runs inside ``bin/test`` in both CI passes.

Bounded for CI and deterministic (derandomized): ``LMS_FUZZ_EXAMPLES`` examples per operation (25)
and ``LMS_FUZZ_STATEFUL_EXAMPLES`` scenarios of up to 8 steps per role (30); about two minutes.
"""

from __future__ import annotations

import os
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck

from lms.common.types import utcnow
from tests.api_helpers import api_token, bearer

EXAMPLES = int(os.environ.get("LMS_FUZZ_EXAMPLES", "25"))
STATEFUL_STEPS = int(os.environ.get("LMS_FUZZ_STATEFUL_EXAMPLES", "30"))
ROLES = ("TEACHER", "STUDENT", "ADMIN")


def _people(make):
    """A small school: a teacher with two courses, another teacher, an admin, students."""
    teacher = make.teacher("P1/1")
    other_teacher = make.teacher("P1/1", role="SUBJECT")
    admin = make.user(role="ADMIN")
    courses = (make.subject("P1", teachers=[teacher]), make.subject("P2", teachers=[teacher, other_teacher]))
    students = [make.student("P1/1") for _ in range(4)]
    return {"TEACHER": teacher, "STUDENT": students[0], "ADMIN": admin, "other_teacher": other_teacher,
            "courses": courses, "students": students}


def _sessions(make, people):
    """Sessions in each state with enrolled and pending students and their settings (the same each time)."""
    teacher, (first, second), students = people["TEACHER"], people["courses"], people["students"]
    now = utcnow()
    published = make.course_session(teacher, first, name="Fuzz published", max_students=30,
                                    attendance_tracking_enabled=True)
    draft = make.course_session(teacher, second, name="Fuzz draft", status="DRAFT",
                                start=now + timedelta(days=2), end=now + timedelta(days=40))
    make.course_session(people["other_teacher"], name="Other teacher's", status="PUBLISHED")
    make.enrollment(published, students[0])
    make.enrollment(published, students[1], status="PENDING")
    make.enrollment(published, students[2], status="PENDING")
    make.enrollment(draft, students[3])
    make.meeting(published)


def _reset_sessions(app, make, people):
    """Teaching sessions back to the start (a stateful scenario begins from the same state each time)."""
    from lms.extensions import db
    from lms.teaching import models

    with app.app_context():
        with db.engine.begin() as conn:
            for model in (models.CourseSessionAttendance, models.CourseSessionMeeting,
                          models.CourseSessionAnnouncement, models.CourseSessionEnrollment,
                          models.CourseSessionSettings, models.CourseSession):
                conn.execute(model.__table__.delete())
        db.session.remove()
    _sessions(make, people)


def _document() -> dict:
    import lms.api.views  # noqa: F401 - the routes declare the operations
    from lms.api.openapi import build_document

    return build_document()


# A schema-valid request may still break a rule JSON Schema cannot say (each is written in the field's
# description in the document): a name's length once trimmed, a date in the past or before another,
# an id that names nothing suitable, an unknown timezone, overlapping grades.  Those answer 400 naming
# the field; a schema-valid request refused for any other field is a failure (``only_documented_rules``).
# State-dependent business rules (publish a published session, grade a dropped student) are 422.
RULES_BEYOND_THE_SCHEMA = {
    "session_name", "start_date", "end_date", "enrollment_deadline", "teacher_id", "course_id", "session_timezone",
    "title", "message", "expires_at", "grading_scale", "session_code", "login",
    "startDate", "endDate", "scheduled_for",  # dates: years 1900-2200 (the edge's range, in DATE's description)
    "student", "assessment_id", "marks",  # a student you can see, an assessment you can give, each student once
    "centre_id", "room_id", "meeting_link",  # an open centre and room of it (in person, hybrid), an https:// link
}


@schemathesis.check
def only_documented_rules(ctx, response, case):
    """Schema-valid data refused with 400 only for the rules in ``RULES_BEYOND_THE_SCHEMA``."""
    meta = case.meta
    if response.status_code != 400 or meta is None or not meta.generation.mode.is_positive:
        return None
    if response.json().get("errorCode") == "INVALID_CHARACTERS":
        return None  # control characters are refused everywhere (documented with every 400)
    field = (response.json().get("details") or {}).get("field")
    if field not in RULES_BEYOND_THE_SCHEMA:
        raise AssertionError(f"schema-valid data refused for {field!r}: {response.json().get('message')}")
    return None


schema = schemathesis.openapi.from_dict(_document())
schema.config.generation.update(max_examples=EXAMPLES, deterministic=True)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])
ACCEPTED = ["2xx", "400", "401", "403", "404", "409", "422", "429"]  # 400: see only_documented_rules
schema.config.checks.positive_data_acceptance.expected_statuses = ACCEPTED
SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def people(make):
    return _people(make)


@pytest.fixture(params=ROLES)
def role_headers(request, client, make, people):
    _sessions(make, people)
    return bearer(api_token(client, people[request.param]))


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, **SETTINGS)
def test_every_operation_conforms(case, app, role_headers):
    case.operation.schema.app = app  # requests (and the checks' probes) go to the Flask app in-process
    case.call_and_validate(headers=role_headers, app=app)


def test_stateful_workflows_conform(app, make, people, role_headers):
    stateful = schemathesis.openapi.from_dict(_document())
    stateful.config.update(headers=role_headers)  # as configured auth, so ignored_auth's probes can drop it
    stateful.config.checks.positive_data_acceptance.expected_statuses = ACCEPTED
    stateful.app = app

    class Workflows(stateful.as_state_machine()):
        def setup(self):
            _reset_sessions(app, make, people)

    Workflows.run(settings=hypothesis.settings(max_examples=STATEFUL_STEPS, stateful_step_count=8,
                                               phases=[hypothesis.Phase.generate], **SETTINGS))
