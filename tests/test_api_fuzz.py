"""Property-based fuzzing of the JSON API with schemathesis, as a teacher, a student and an admin.

Every operation of ``/api/v1/openapi.json`` is called with generated requests (the examples,
coverage and fuzzing phases, positive and negative data) and every response is checked against
the document with all of schemathesis's checks; then the stateful phase chains operations through
the document's links (create a session → read, edit, publish it; list → enrollments → grade ...).
Bounded for CI: ``LMS_FUZZ_EXAMPLES`` examples per operation (25 by default) and a few dozen
stateful steps per role.  Run it alone: ``.venv/bin/python -m pytest -q tests/test_api_fuzz.py``.
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


def _world(make):
    """A small school: a teacher with a course, sessions in each state, enrolled students, announcements."""
    teacher = make.teacher("P1/1")
    other_teacher = make.teacher("P1/1", role="SUBJECT")
    admin = make.user(role="ADMIN")
    subject = make.subject("P1", teachers=[teacher])
    second = make.subject("P2", teachers=[teacher, other_teacher])
    student = make.student("P1/1")
    now = utcnow()
    published = make.course_session(teacher, subject, name="Fuzz published", max_students=30)
    draft = make.course_session(teacher, second, name="Fuzz draft", status="DRAFT",
                                start=now + timedelta(days=2), end=now + timedelta(days=40))
    make.course_session(other_teacher, name="Other teacher's", status="PUBLISHED")
    make.enrollment(published, student)
    for _ in range(2):
        make.enrollment(published, make.student("P1/1"), status="PENDING")
    make.enrollment(draft, make.student("P1/1"))
    return {"TEACHER": teacher, "STUDENT": student, "ADMIN": admin}


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
    "title", "message", "expires_at", "grading_scale", "session_code",
}


@schemathesis.check
def only_documented_rules(ctx, response, case):
    """Schema-valid data refused with 400 only for the rules in ``RULES_BEYOND_THE_SCHEMA``."""
    meta = case.meta
    if response.status_code != 400 or meta is None or not meta.generation.mode.is_positive:
        return None
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


@pytest.fixture(params=ROLES)
def role_headers(request, app, client, make):
    users = _world(make)
    return bearer(api_token(client, users[request.param]))


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, **SETTINGS)
def test_every_operation_conforms(case, app, role_headers):
    case.operation.schema.app = app  # requests (and the checks' probes) go to the Flask app in-process
    case.call_and_validate(headers=role_headers, app=app)


def test_stateful_workflows_conform(app, role_headers):
    stateful = schemathesis.openapi.from_dict(_document())
    stateful.config.update(headers=role_headers)  # as configured auth, so ignored_auth's probes can drop it
    stateful.config.checks.positive_data_acceptance.expected_statuses = ACCEPTED
    stateful.app = app
    Workflows = stateful.as_state_machine()
    Workflows.run(settings=hypothesis.settings(max_examples=STATEFUL_STEPS, stateful_step_count=8,
                                               phases=[hypothesis.Phase.generate],
                                               **{**SETTINGS, "derandomize": False}))
