"""Every route declares who may use it (``@allow``), and each kind of user gets what it should."""

import pytest

from lms.common.access import access_of
from tests.conftest import AuthActions
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS

EXEMPT = {"static"}


def test_every_endpoint_declares_its_access(app):
    undeclared = sorted(
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint not in EXEMPT and access_of(view) is None
    )
    assert undeclared == [], f"routes without @allow(...): {undeclared}"


def test_signed_out_users_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_htmx_requests_without_a_login_get_a_client_redirect(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code in (204, 302)


# --- the role matrix: every route, every kind of user ---------------------------------------

ANON = "ANONYMOUS"
ROLES = [ANON, "STUDENT", "PARENT", "TEACHER", "ADMIN", "SUPERVISOR"]
SIGN_IN_FIRST = {302}  # anonymous visitors of a page are sent to the login page

# Expected statuses per endpoint for every route NOT under /admin/ (those are checked generically:
# everyone but ADMIN gets 403/404, anonymous visitors the login page, ADMIN a page).  Requests send
# no form data, so allowed POSTs answer with their validation message (200) or act (303/204).
SIGNED_IN_PAGE = {ANON: SIGN_IN_FIRST, "STUDENT": {200}, "PARENT": {200}, "TEACHER": {200}, "ADMIN": {200},
                  "SUPERVISOR": {200}}
EVERYONE = {role: {200} for role in ROLES}
TEACHERS_ONLY_POST = {ANON: SIGN_IN_FIRST, "STUDENT": {403}, "PARENT": {403}, "TEACHER": {404}, "ADMIN": {403},
                      "SUPERVISOR": {403}}
EXPECTED = {
    ("health.healthz", "GET"): EVERYONE,
    ("csp_report.report", "POST"): {role: {415} for role in ROLES},  # no body: not a report
    ("home.index", "GET"): {**SIGNED_IN_PAGE, "SUPERVISOR": {302}},  # a supervisor's home is /supervision
    ("home.set_language", "POST"): {role: {303} for role in ROLES},
    ("auth.login", "GET"): {ANON: {200}, **{r: {303} for r in ROLES[1:]}},
    ("auth.login", "POST"): EVERYONE,
    ("auth.logout", "POST"): {role: {303} for role in ROLES},
    ("auth.ping", "POST"): {ANON: {401}, **{r: {204} for r in ROLES[1:]}},
    # Not viewing as anyone: nothing to stop, back home.
    ("auth.view_as.stop", "POST"): {ANON: SIGN_IN_FIRST, **{r: {303} for r in ROLES[1:]}},
    ("auth.forgot_password", "GET"): EVERYONE,
    ("auth.forgot_password", "POST"): EVERYONE,
    ("auth.reset_password", "GET"): {role: {404} for role in ROLES},
    ("auth.reset_password", "POST"): {role: {404} for role in ROLES},
    ("auth.accept_invitation", "GET"): {role: {404} for role in ROLES},
    ("auth.accept_invitation", "POST"): {role: {404} for role in ROLES},
    ("auth.confirm_email", "GET"): {role: {404} for role in ROLES},
    ("auth.confirm_email", "POST"): {role: {404} for role in ROLES},
    ("auth.profile", "GET"): SIGNED_IN_PAGE,
    ("auth.update_profile_view", "POST"): SIGNED_IN_PAGE,
    ("auth.change_email", "POST"): SIGNED_IN_PAGE,
    ("auth.change_password_view", "POST"): SIGNED_IN_PAGE,
    ("auth.set_theme", "POST"): {ANON: SIGN_IN_FIRST, **{r: {303} for r in ROLES[1:]}},  # no theme: back, with why
    ("auth.sign_out_others", "POST"): {ANON: SIGN_IN_FIRST, **{r: {303} for r in ROLES[1:]}},
    ("auth.sign_out_all", "POST"): {ANON: SIGN_IN_FIRST, **{r: {303} for r in ROLES[1:]}},
    ("auth.invitations.mine", "GET"): {ANON: SIGN_IN_FIRST, "STUDENT": {403}, "PARENT": {403}, "TEACHER": {200},
                                  "ADMIN": {403}, "SUPERVISOR": {403}},
    ("auth.invitations.create_mine", "POST"): {ANON: SIGN_IN_FIRST, "STUDENT": {403}, "PARENT": {403},
                                          "TEACHER": {200}, "ADMIN": {403}, "SUPERVISOR": {403}},
    # The sample invitation was sent by an admin: a teacher may not see it (404).
    ("auth.invitations.resend_mine", "POST"): TEACHERS_ONLY_POST,
    ("auth.invitations.revoke_mine", "POST"): TEACHERS_ONLY_POST,
    ("auth.invitations.link_mine", "POST"): TEACHERS_ONLY_POST,
    # Badges and points: the student's own page and choice, a parent's child (the sample parent has
    # none: 404), a teacher's own students (the sample teacher has none: 404), leaderboards (off: 404).
    ("rewards.student.index", "GET"): {ANON: SIGN_IN_FIRST, "STUDENT": {200}, "PARENT": {403}, "TEACHER": {403},
                                       "ADMIN": {403}},
    ("rewards.student.preference", "POST"): {ANON: SIGN_IN_FIRST, "STUDENT": {303}, "PARENT": {403},
                                             "TEACHER": {403}, "ADMIN": {403}},
    ("rewards.student.child", "GET"): {ANON: SIGN_IN_FIRST, "STUDENT": {403}, "PARENT": {404}, "TEACHER": {403},
                                       "ADMIN": {403}},
    ("rewards.manual.index", "GET"): {ANON: SIGN_IN_FIRST, "STUDENT": {403}, "PARENT": {403}, "TEACHER": {404},
                                      "ADMIN": {200}},
    ("rewards.manual.award", "POST"): {ANON: SIGN_IN_FIRST, "STUDENT": {403}, "PARENT": {403}, "TEACHER": {404},
                                       "ADMIN": {200}},
    ("rewards.manual.revoke", "POST"): {ANON: SIGN_IN_FIRST, "STUDENT": {403}, "PARENT": {403}, "TEACHER": {404},
                                        "ADMIN": {404}},
    ("rewards.boards.classroom", "GET"): {ANON: SIGN_IN_FIRST, "STUDENT": {404}, "PARENT": {403}, "TEACHER": {404},
                                          "ADMIN": {404}},
    ("rewards.boards.teaching_session", "GET"): {ANON: SIGN_IN_FIRST, "STUDENT": {404}, "PARENT": {403},
                                                 "TEACHER": {404}, "ADMIN": {404}},
}


def _only(role_statuses: dict, denied=frozenset({403})) -> dict:
    """Anonymous -> sign in; the roles given get their statuses; every other role ``denied``."""
    return {ANON: SIGN_IN_FIRST, **{r: set(denied) for r in ROLES[1:]}, **role_statuses}


ADMIN_ACTS = _only({"ADMIN": {200, 303}})
ADMIN_MISSING = _only({"ADMIN": {404}})  # the sample id does not exist
EXPECTED.update({
    ("school.admin.logo", "GET"): {role: {404} for role in ROLES},  # no logo uploaded
    ("school.classrooms.index", "GET"): _only({"TEACHER": {200}, "ADMIN": {200}}),
    ("school.classrooms.create", "POST"): ADMIN_ACTS,
    ("school.classrooms.my_classes", "GET"): _only({"TEACHER": {200}}),
    # The sample classroom (P2/1) is not the signed-in teacher's: 404.
    ("school.classrooms.detail", "GET"): _only({"TEACHER": {404}, "ADMIN": {200}}),
    ("school.classrooms.assign_teacher", "POST"): ADMIN_ACTS,
    ("school.classrooms.unassign_teacher", "POST"): ADMIN_MISSING,
    ("school.classrooms.add_student", "POST"): ADMIN_ACTS,
    ("school.classrooms.archive", "POST"): ADMIN_ACTS,
    ("school.classrooms.delete", "POST"): ADMIN_ACTS,
    # Self-registration with a class code: the classroom's teachers and admins; /join is public.
    ("school.class_codes.turn_on", "POST"): _only({"TEACHER": {404}, "ADMIN": {303}}),
    ("school.class_codes.turn_off", "POST"): _only({"TEACHER": {404}, "ADMIN": {303}}),
    ("school.class_codes.print_code", "GET"): _only({"TEACHER": {404}, "ADMIN": {303}}),  # not turned on
    ("school.class_codes.approve", "POST"): _only({"TEACHER": {404}, "ADMIN": {404}}),  # nobody pending
    ("school.class_codes.reject", "POST"): _only({"TEACHER": {404}, "ADMIN": {404}}),
    ("school.class_codes.approve_all", "POST"): _only({"TEACHER": {404}, "ADMIN": {303}}),
    ("school.class_codes.join", "GET"): {role: {404} for role in ROLES},  # no such code
    ("school.class_codes.join", "POST"): {role: {404} for role in ROLES},
    ("school.rollover.wizard", "GET"): ADMIN_ACTS,
    ("school.rollover.run", "POST"): ADMIN_ACTS,
    ("school.rollover.summary", "GET"): ADMIN_MISSING,
    ("school.rollover.undo", "POST"): ADMIN_MISSING,
    ("school.students.index", "GET"): _only({"TEACHER": {200}, "ADMIN": {200}}),
    ("school.students.export", "GET"): _only({"TEACHER": {200}, "ADMIN": {200}}),
    ("school.students.create", "GET"): ADMIN_ACTS,
    ("school.students.create", "POST"): ADMIN_ACTS,
    # Another student's page: not visible to a student, an unlinked parent or an unassigned teacher.
    ("school.students.detail", "GET"): _only({"ADMIN": {200}, "SUPERVISOR": {403}}, denied={404}),
    ("school.students.edit", "GET"): ADMIN_ACTS,
    ("school.students.edit", "POST"): ADMIN_ACTS,
    ("school.students.place", "POST"): ADMIN_ACTS,
    ("school.students.promote", "POST"): ADMIN_ACTS,
    ("school.students.link_parent", "POST"): ADMIN_ACTS,
    # Picture passwords: the setup is only for students of the chosen levels (the sample
    # users are in no classroom); the reset needs a student the teacher teaches.
    ("auth.picture_login", "GET"): {ANON: {200}, **{r: {303} for r in ROLES[1:]}},
    ("auth.picture_login", "POST"): {role: {422} for role in ROLES},  # no login typed
    ("auth.picture_password_setup", "GET"): _only({}),
    ("auth.picture_password_setup", "POST"): _only({}),
    ("auth.reset_picture_password", "POST"): _only({"TEACHER": {404}, "ADMIN": {303}}),
    ("school.students.unlink_parent", "POST"): ADMIN_ACTS,
    ("school.students.my_children", "GET"): _only({"PARENT": {200}}),
    # The sample student has work (an attempt, an enrollment): the page explains, the POST refuses.
    ("school.students.delete", "GET"): _only({"ADMIN": {200}}),
    ("school.students.delete", "POST"): _only({"ADMIN": {422}}),
    # No form data: "choose an action" (400) for the staff who may run bulk actions.
    ("school.bulk.run", "POST"): _only({"TEACHER": {400}, "ADMIN": {400}}),
    ("school.import.upload", "GET"): ADMIN_ACTS,
    ("school.import.upload", "POST"): ADMIN_ACTS,
    ("school.import.confirm", "POST"): ADMIN_ACTS,
    ("school.import.template", "GET"): ADMIN_ACTS,
    ("school.staff.index", "GET"): ADMIN_ACTS,
    ("school.staff.create", "GET"): ADMIN_ACTS,
    ("school.staff.create", "POST"): ADMIN_ACTS,
    ("school.staff.detail", "GET"): ADMIN_ACTS,
    ("school.staff.assign", "POST"): ADMIN_ACTS,
    ("school.staff.unassign", "POST"): ADMIN_MISSING,
})


# Curriculum and resources.  The sample subject is P2/1's, taught by another teacher, with
# a published section holding a resource; node routes get a node that does not exist (404).
NOT_VISIBLE_BUT_ADMIN = _only({"ADMIN": {200}}, denied={404})
STAFF_PAGE = _only({"TEACHER": {200}, "ADMIN": {200}})
OTHERS_SUBJECT = _only({"TEACHER": {404}, "ADMIN": {200}})
OTHERS_SUBJECT_POST = _only({"TEACHER": {404}, "ADMIN": {303}})
NO_SUCH_NODE = _only({"TEACHER": {404}, "ADMIN": {404}})
EXPECTED.update({
    ("curriculum.subjects.core_index", "GET"): STAFF_PAGE,
    ("curriculum.subjects.core_create", "POST"): ADMIN_ACTS,
    ("curriculum.subjects.core_update", "POST"): ADMIN_ACTS,
    ("curriculum.subjects.core_delete", "POST"): _only({"ADMIN": {422}}),  # it has subjects
    ("curriculum.subjects.index", "GET"): SIGNED_IN_PAGE,
    ("curriculum.subjects.create", "GET"): STAFF_PAGE,
    ("curriculum.subjects.create", "POST"): STAFF_PAGE,
    ("curriculum.subjects.detail", "GET"): NOT_VISIBLE_BUT_ADMIN,
    ("curriculum.subjects.edit", "GET"): OTHERS_SUBJECT,
    ("curriculum.subjects.edit", "POST"): OTHERS_SUBJECT,
    ("curriculum.subjects.archive", "POST"): OTHERS_SUBJECT_POST,
    ("curriculum.subjects.add_teacher", "POST"): ADMIN_ACTS,
    ("curriculum.subjects.remove_teacher", "POST"): ADMIN_ACTS,
    ("curriculum.tree.add_unit", "POST"): OTHERS_SUBJECT_POST,
    ("curriculum.tree.add_part", "POST"): OTHERS_SUBJECT_POST,
    ("curriculum.tree.add_section", "POST"): OTHERS_SUBJECT_POST,
    ("curriculum.tree.rename", "GET"): NO_SUCH_NODE,
    ("curriculum.tree.rename", "POST"): NO_SUCH_NODE,
    ("curriculum.tree.delete", "POST"): NO_SUCH_NODE,
    ("curriculum.tree.publish", "POST"): NO_SUCH_NODE,
    ("curriculum.tree.move", "POST"): NO_SUCH_NODE,
    ("curriculum.sections.detail", "GET"): NOT_VISIBLE_BUT_ADMIN,
    ("curriculum.sections.toggle_done", "POST"): _only({"STUDENT": {404}}),
    ("curriculum.sections.edit", "GET"): OTHERS_SUBJECT,
    ("curriculum.sections.edit", "POST"): OTHERS_SUBJECT,
    ("curriculum.sections.preview", "POST"): OTHERS_SUBJECT,
    ("curriculum.sections.attach", "POST"): OTHERS_SUBJECT_POST,
    ("curriculum.sections.detach", "POST"): OTHERS_SUBJECT_POST,
    # After the admin's detach (it runs first) the resource is no longer in the section: 404.
    ("curriculum.sections.move_resource", "POST"): _only({"TEACHER": {404}, "ADMIN": {303, 404}}),
    ("curriculum.sections.order_resources", "POST"): OTHERS_SUBJECT_POST,
    ("curriculum.import.import_outline", "GET"): OTHERS_SUBJECT,
    ("curriculum.import.import_outline", "POST"): OTHERS_SUBJECT,
    ("curriculum.copy.start", "GET"): OTHERS_SUBJECT,
    ("curriculum.copy.confirm", "POST"): OTHERS_SUBJECT,  # no form data: the form with its messages
    ("resources.index", "GET"): STAFF_PAGE,
    ("resources.create", "GET"): STAFF_PAGE,
    ("resources.create", "POST"): STAFF_PAGE,
    ("resources.detail", "GET"): OTHERS_SUBJECT,
    ("resources.update", "POST"): OTHERS_SUBJECT,
    ("resources.delete", "POST"): _only({"TEACHER": {404}, "ADMIN": {422}}),  # still attached
    ("resources.download", "GET"): NOT_VISIBLE_BUT_ADMIN,
    ("resources.thumbnail", "GET"): NOT_VISIBLE_BUT_ADMIN,
})

# Login analytics, announcements, notifications.  The sample user/classroom (a student
# of P2/1 and P2/1 itself) belong to nobody signed in here but the admin; the sample announcement
# and notification ids do not exist.
MANAGERS_MISSING = _only({"TEACHER": {404}, "ADMIN": {404}})
SIGNED_IN_ACTS = {ANON: SIGN_IN_FIRST, **{r: {303} for r in ROLES[1:]}}
SIGNED_IN_MISSING = {ANON: SIGN_IN_FIRST, **{r: {404} for r in ROLES[1:]}}
EXPECTED.update({
    # Students are sent to their own page.
    ("analytics.overview", "GET"): {**SIGNED_IN_PAGE, "STUDENT": {302}},
    ("analytics.overview_csv", "GET"): {**SIGNED_IN_PAGE, "STUDENT": {302}},
    ("analytics.logins", "GET"): SIGNED_IN_PAGE,
    ("analytics.logins_csv", "GET"): SIGNED_IN_PAGE,
    ("analytics.user", "GET"): _only({"ADMIN": {200}}, denied={404}),
    ("analytics.user_csv", "GET"): _only({"ADMIN": {200}}, denied={404}),
    ("analytics.student_sessions", "GET"): _only({"ADMIN": {302}}, denied={404}),
    ("analytics.classroom", "GET"): _only({"ADMIN": {200}}, denied={404}),
    ("analytics.classroom_csv", "GET"): _only({"ADMIN": {200}}, denied={404}),
    ("communication.announcements.index", "GET"): SIGNED_IN_PAGE,
    ("communication.announcements.read_all", "POST"): SIGNED_IN_ACTS,
    ("communication.announcements.detail", "GET"): SIGNED_IN_MISSING,
    ("communication.announcements.manage", "GET"): _only({"TEACHER": {200}, "ADMIN": {200}}),
    ("communication.announcements.create", "GET"): _only({"TEACHER": {200}, "ADMIN": {200}}),
    ("communication.announcements.create", "POST"): _only({"TEACHER": {200}, "ADMIN": {200}}),  # the form's messages
    ("communication.announcements.edit", "GET"): MANAGERS_MISSING,
    ("communication.announcements.edit", "POST"): MANAGERS_MISSING,
    ("communication.announcements.delete", "POST"): MANAGERS_MISSING,
    ("communication.announcements.readers", "GET"): MANAGERS_MISSING,
    ("communication.notifications.index", "GET"): SIGNED_IN_PAGE,
    ("communication.notifications.badge", "GET"): SIGNED_IN_PAGE,
    ("communication.notifications.read", "POST"): SIGNED_IN_MISSING,
    ("communication.notifications.open_link", "GET"): SIGNED_IN_MISSING,
    ("communication.notifications.read_all", "POST"): SIGNED_IN_ACTS,
})

# Assessments.  The sample assessment belongs to P2/1's teacher, is attached to its
# published section and was submitted by the sample student: nobody signed in here but the admin
# may see it (404), parents and students are not allowed on the staff pages (403), only students
# take assessments (403 for staff).  The admin's POSTs act (303) or show the form's messages (200);
# its question and media are gone by the time "move" runs (404).
STAFF_ONLY = _only({"TEACHER": {200}, "ADMIN": {200}})
OTHERS_ASSESSMENT = _only({"TEACHER": {404}, "ADMIN": {200}})
OTHERS_ASSESSMENT_POST = _only({"TEACHER": {404}, "ADMIN": {303}})
STUDENTS_ONLY_MISSING = _only({"STUDENT": {404}})
EXPECTED.update({
    ("assessments.index", "GET"): _only({"STUDENT": {200}, "TEACHER": {200}, "ADMIN": {200}}),
    ("assessments.bank", "GET"): STAFF_ONLY,
    ("assessments.create", "GET"): STAFF_ONLY,
    ("assessments.create", "POST"): STAFF_ONLY,
    ("assessments.detail", "GET"): _only({"STUDENT": {404}, "TEACHER": {404}, "ADMIN": {200}}),
    ("assessments.settings", "POST"): OTHERS_ASSESSMENT,
    ("assessments.publish", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.unpublish", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.archive", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.restore", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.detach", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.duplicate", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.delete", "POST"): OTHERS_ASSESSMENT_POST,  # refused (it has submissions), with a message
    ("assessments.attach", "GET"): OTHERS_ASSESSMENT,
    ("assessments.attach", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.questions.add", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.questions.edit", "GET"): OTHERS_ASSESSMENT,
    ("assessments.questions.edit", "POST"): OTHERS_ASSESSMENT_POST,
    # Without htmx (and, for a new question, without a type) both send the teacher back to the list
    # (the row's sample question may already be deleted by the matrix: 404).
    ("assessments.questions.new", "GET"): OTHERS_ASSESSMENT_POST,
    ("assessments.questions.row", "GET"): _only({"TEACHER": {404}, "ADMIN": {303, 404}}),
    ("assessments.questions.delete", "POST"): OTHERS_ASSESSMENT_POST,
    # The editor again, nothing saved (after ".../delete" in the walk: the question may be gone).
    ("assessments.questions.pairs", "POST"): _only({"TEACHER": {404}, "ADMIN": {200, 404}}),
    ("assessments.questions.move", "POST"): _only({"TEACHER": {404}, "ADMIN": {303, 404}}),
    ("assessments.questions.order", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.questions.import_gift", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.questions.add_media", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.questions.remove_media", "POST"): OTHERS_ASSESSMENT_POST,
    ("assessments.questions.move_media", "POST"): _only({"TEACHER": {404}, "ADMIN": {303, 404}}),
    ("assessments.interchange.export_json", "GET"): OTHERS_ASSESSMENT,
    ("assessments.interchange.export_gift", "GET"): OTHERS_ASSESSMENT,
    ("assessments.interchange.import_assessment", "GET"): STAFF_ONLY,
    ("assessments.interchange.import_assessment", "POST"): STAFF_ONLY,
    ("assessments.take.take", "GET"): STUDENTS_ONLY_MISSING,
    ("assessments.take.start", "POST"): STUDENTS_ONLY_MISSING,
    ("assessments.take.save_answer", "POST"): STUDENTS_ONLY_MISSING,
    ("assessments.take.submit", "POST"): STUDENTS_ONLY_MISSING,
    # Trying it as a student: only those who may change it; everyone else is told it does not exist.
    ("assessments.preview.show", "GET"): _only({"ADMIN": {200}}, denied={404}),
    ("assessments.preview.start", "POST"): _only({"ADMIN": {303}}, denied={404}),
    ("assessments.preview.save_answer", "POST"): _only({"ADMIN": {200, 404, 422}}, denied={404}),
    ("assessments.preview.submit", "POST"): _only({"ADMIN": {303, 404}}, denied={404}),
    ("assessments.preview.leave", "POST"): _only({"ADMIN": {303}}, denied={404}),
    ("assessments.grading.index", "GET"): _only({"STUDENT": {200}, "TEACHER": {200}, "ADMIN": {200}}),
    ("assessments.grading.detail", "GET"): _only({"ADMIN": {200}, "SUPERVISOR": {403}}, denied={404}),
    ("assessments.grading.grade", "POST"): OTHERS_ASSESSMENT,  # the admin gets the form's messages
    ("assessments.grading.by_question", "GET"): _only({"TEACHER": {404}, "ADMIN": {200, 404}}),
    ("assessments.grading.grade_answer", "POST"): _only({"TEACHER": {404}, "ADMIN": {200, 404}}),
    ("assessments.grading.return_selected", "POST"): _only({"TEACHER": {200}, "ADMIN": {200}}),
    ("assessments.gradebook.index", "GET"): STAFF_ONLY,
    ("assessments.gradebook.classroom", "GET"): OTHERS_ASSESSMENT,
    ("assessments.gradebook.export", "GET"): OTHERS_ASSESSMENT,
    ("assessments.gradebook.excuse", "POST"): _only({"TEACHER": {404}, "ADMIN": {404}}),  # no student/assessment sent
    ("assessments.gradebook.extension", "GET"): _only({"TEACHER": {404}, "ADMIN": {404}}),
    ("assessments.gradebook.extension", "POST"): _only({"TEACHER": {404}, "ADMIN": {404}}),
    ("assessments.gradebook.remove_extension", "POST"): _only({"TEACHER": {404}, "ADMIN": {404}}),
    ("assessments.extensions.index", "GET"): OTHERS_ASSESSMENT,
    ("assessments.extensions.edit", "GET"): _only({"TEACHER": {404}, "ADMIN": {404}}),  # no student sent
    ("assessments.extensions.edit", "POST"): _only({"TEACHER": {404}, "ADMIN": {404}}),
    ("assessments.extensions.remove", "POST"): _only({"TEACHER": {404}, "ADMIN": {404}}),
    ("assessments.gradebook.progress", "GET"): _only({"ADMIN": {200}, "SUPERVISOR": {403}}, denied={404}),
    ("assessments.gradebook.my_progress", "GET"): _only({"STUDENT": {302}, "PARENT": {200}}),  # this parent has no child
    ("assessments.analysis.page", "GET"): OTHERS_ASSESSMENT,
    ("assessments.analysis.export", "GET"): OTHERS_ASSESSMENT,
})


# Teaching sessions and the JSON API.  The sample session is another teacher's PUBLISHED
# session (with the sample student enrolled): teachers do not see it (404), students and parents may
# not use the staff pages (403); an admin's empty POSTs answer the form's message (200), a redirect with
# the message (303) or the business rule (422: it is published and has students).  Meeting,
# announcement and token samples do not exist.  The API ignores cookies: 401 for everyone.
STAFF_ONLY = _only({"TEACHER": {200}, "ADMIN": {200}})
OTHERS_SESSION = _only({"TEACHER": {404}, "ADMIN": {200}})
OTHERS_SESSION_ACT = _only({"TEACHER": {404}, "ADMIN": {303}})
OTHERS_SESSION_RULE = _only({"TEACHER": {404}, "ADMIN": {422}})
STUDENT_PAGE = _only({"STUDENT": {200}})
STUDENT_MISSING = _only({"STUDENT": {404}})
API_BEARER_ONLY = {role: {401} for role in ROLES}
EXPECTED.update({
    ("teaching.sessions.index", "GET"): STAFF_ONLY,
    ("teaching.sessions.create", "GET"): STAFF_ONLY,
    ("teaching.sessions.create", "POST"): STAFF_ONLY,
    ("teaching.sessions.rooms_field", "GET"): STAFF_ONLY,
    ("teaching.sessions.detail", "GET"): OTHERS_SESSION,
    ("teaching.sessions.edit", "GET"): OTHERS_SESSION,
    ("teaching.sessions.edit", "POST"): OTHERS_SESSION,
    ("teaching.sessions.publish", "POST"): OTHERS_SESSION_RULE,
    ("teaching.sessions.delete", "POST"): OTHERS_SESSION_RULE,
    ("teaching.sessions.settings", "GET"): OTHERS_SESSION,
    ("teaching.sessions.settings", "POST"): OTHERS_SESSION,
    ("teaching.sessions.analytics_page", "GET"): OTHERS_SESSION,
    ("teaching.enrollments.index", "GET"): OTHERS_SESSION,
    ("teaching.enrollments.add", "POST"): OTHERS_SESSION,
    ("teaching.enrollments.add_cohort", "POST"): OTHERS_SESSION_ACT,  # no cohort chosen: back, with why
    ("teaching.enrollments.export", "GET"): OTHERS_SESSION,
    ("teaching.enrollments.status", "POST"): OTHERS_SESSION_ACT,
    ("teaching.enrollments.grade", "POST"): OTHERS_SESSION_ACT,
    ("teaching.enrollments.content", "POST"): OTHERS_SESSION_ACT,
    ("teaching.enrollments.assign_work", "POST"): OTHERS_SESSION_ACT,
    ("teaching.announcements.index", "GET"): OTHERS_SESSION,
    ("teaching.announcements.index", "POST"): OTHERS_SESSION,
    ("teaching.announcements.edit", "GET"): MANAGERS_MISSING,
    ("teaching.announcements.edit", "POST"): MANAGERS_MISSING,
    ("teaching.announcements.delete", "POST"): MANAGERS_MISSING,
    ("teaching.attendance.index", "GET"): OTHERS_SESSION,
    ("teaching.attendance.export", "GET"): OTHERS_SESSION,
    ("teaching.attendance.create_meetings", "POST"): OTHERS_SESSION,
    ("teaching.attendance.meeting", "GET"): MANAGERS_MISSING,
    ("teaching.attendance.mark", "POST"): MANAGERS_MISSING,
    ("teaching.attendance.delete_meeting", "POST"): MANAGERS_MISSING,
    ("teaching.student.index", "GET"): STUDENT_PAGE,
    ("teaching.student.join", "GET"): STUDENT_PAGE,
    ("teaching.student.join", "POST"): STUDENT_PAGE,  # no code: the form's message
    ("teaching.student.detail", "GET"): STUDENT_MISSING,  # not enrolled in the sample session
    ("teaching.student.check_in", "POST"): STUDENT_MISSING,
    ("teaching.student.drop", "POST"): STUDENT_MISSING,
    # The sample student is not the signed-in parent's child.
    ("teaching.family.index", "GET"): _only({"PARENT": {404}}),
    ("teaching.family.detail", "GET"): _only({"PARENT": {404}}),
    ("api.tokens.index", "GET"): SIGNED_IN_PAGE,
    ("api.tokens.create", "POST"): SIGNED_IN_PAGE,  # no name: the form's message
    ("api.tokens.revoke", "POST"): SIGNED_IN_MISSING,
    ("api.v1.openapi_document", "GET"): EVERYONE,
    ("api.v1.issue_token", "POST"): {role: {400} for role in ROLES},  # no body
})
# Home pages and the weekly parent digest.  The "online now" card is an htmx fragment (a
# plain request is sent home); the parent's digest setting takes no form data (it opts out: 303); the
# sample unsubscribe token is not a signed one (404 for everyone, signed in or not).
EXPECTED.update({
    ("home.online", "GET"): _only({"ADMIN": {302}}),
    ("digest.preference", "POST"): _only({"PARENT": {303}}),
    ("digest.unsubscribe", "GET"): {role: {404} for role in ROLES},
    ("digest.confirm_unsubscribe", "POST"): {role: {404} for role in ROLES},
    # Optional emails: the choice on /me (an empty form turns every kind off: the fragment's
    # redirect), and the one-click link (the sample token is not a signed one: 404).
    ("communication.emails.preferences", "POST"): SIGNED_IN_ACTS,
    ("communication.emails.unsubscribe", "GET"): {role: {404} for role in ROLES},
    ("communication.emails.confirm_unsubscribe", "POST"): {role: {404} for role in ROLES},
    # Privacy: admins only, teachers included in the refusal (403 before any lookup).
    ("privacy.export", "POST"): _only({"ADMIN": {200}}),
    ("privacy.erase", "GET"): _only({"ADMIN": {200}}),
    ("privacy.erase", "POST"): _only({"ADMIN": {200}}),  # no confirmation typed: the form again
})
# Supervision: supervisors and admins; the sample student and session are in no centre, so a supervisor
# of no centre (the matrix's) is told they do not exist (404); an admin oversees everything.
OVERSEERS_PAGE = _only({"SUPERVISOR": {200}, "ADMIN": {200}})
OVERSEEN_SAMPLE = _only({"SUPERVISOR": {404}, "ADMIN": {200}})
EXPECTED.update({
    ("supervision.dashboard", "GET"): OVERSEERS_PAGE,
    ("supervision.attendance_csv", "GET"): OVERSEERS_PAGE,
    ("supervision.today_csv", "GET"): OVERSEERS_PAGE,
    ("supervision.workload_csv", "GET"): OVERSEERS_PAGE,
    ("supervision.at_risk_csv", "GET"): OVERSEERS_PAGE,
    ("supervision.trends.student", "GET"): OVERSEEN_SAMPLE,
    ("supervision.trends.session", "GET"): OVERSEEN_SAMPLE,
    # No text: the form again, with its message.
    ("supervision.trends.message", "POST"): _only({"SUPERVISOR": {404}, "ADMIN": {200}}),
})
# Single sign-on.  The suite's app configures no provider, so every provider is unknown.
EXPECTED.update({
    ("auth.sso_start", "GET"): {role: {404} for role in ROLES},
    ("auth.sso_callback", "GET"): {role: {404} for role in ROLES},
})
# Family codes, inviting a parent from a student's page, contact profiles.  The
# sample person is the P2/1 student: only the admin sees them (and may edit their profile).
EXPECTED.update({
    ("school.family.issue_code", "POST"): ADMIN_ACTS,
    ("school.family.invite_parent", "POST"): ADMIN_ACTS,
    ("school.family.link_child", "GET"): _only({"PARENT": {200}}),
    ("school.family.link_child", "POST"): _only({"PARENT": {200}}),
    ("profiles.edit", "GET"): _only({"ADMIN": {200}}, denied={404}),
    ("profiles.update_contact", "POST"): _only({"ADMIN": {303}}, denied={404}),
    ("profiles.upload_photo", "POST"): _only({"ADMIN": {200}}, denied={404}),
    ("profiles.delete_photo", "POST"): _only({"ADMIN": {303}}, denied={404}),
    ("profiles.photo", "GET"): _only({}, denied={404}),  # no photo yet
})
# Activation links, QR sign-in cards and "choose a new password"; a classroom's login
# cards (the sample classroom is not the teacher's: 404; no fresh cards: the PDF is 404; nothing ticked: 422).
EXPECTED.update({
    ("auth.activate", "GET"): {role: {404} for role in ROLES},
    ("auth.activate", "POST"): {role: {404} for role in ROLES},
    ("auth.qr_sign_in", "GET"): {role: {404} for role in ROLES},
    ("auth.qr_sign_in", "POST"): {role: {404} for role in ROLES},
    ("auth.choose_password", "GET"): SIGNED_IN_PAGE,
    ("auth.choose_password", "POST"): SIGNED_IN_PAGE,
    ("school.classrooms.login_cards_page", "GET"): _only({"TEACHER": {404}, "ADMIN": {200}}),
    ("school.classrooms.prepare_sign_in", "POST"): _only({"TEACHER": {404}, "ADMIN": {422}}),
    ("school.classrooms.login_cards_pdf", "GET"): _only({"TEACHER": {404}, "ADMIN": {404}}),
    ("school.classrooms.revoke_sign_in_cards", "POST"): _only({"TEACHER": {404}, "ADMIN": {303}}),
    # Cohorts: staff see them all; the sample is an admin's, so a teacher may not change it (403).
    ("school.cohorts.index", "GET"): STAFF_PAGE,
    ("school.cohorts.create", "POST"): STAFF_PAGE,  # no name: the form again
    ("school.cohorts.detail", "GET"): STAFF_PAGE,
    ("school.cohorts.history", "GET"): STAFF_PAGE,
    ("school.cohorts.edit", "POST"): _only({"ADMIN": {200}}),
    ("school.cohorts.add_students", "POST"): _only({"ADMIN": {303}}),  # nobody chosen: back, with why
    ("school.cohorts.remove_student", "POST"): _only({"ADMIN": {303}}),
    ("school.cohorts.delete", "POST"): _only({"ADMIN": {303}}),
})
# Rubrics: the sample is another teacher's private rubric (404 to a teacher); students and parents
# never see the library (403).  The admin's copy and delete act (303); edit runs after the delete (404).
EXPECTED.update({
    ("assessments.rubrics.index", "GET"): STAFF_ONLY,
    ("assessments.rubrics.create", "GET"): STAFF_ONLY,
    ("assessments.rubrics.create", "POST"): STAFF_ONLY,  # nothing filled in: the form's message
    ("assessments.rubrics.detail", "GET"): _only({"TEACHER": {404}, "ADMIN": {200, 404}}),
    ("assessments.rubrics.edit", "GET"): _only({"TEACHER": {404}, "ADMIN": {200, 404}}),
    ("assessments.rubrics.edit", "POST"): _only({"TEACHER": {404}, "ADMIN": {200, 404}}),
    ("assessments.rubrics.copy", "POST"): _only({"TEACHER": {404}, "ADMIN": {303}}),
    ("assessments.rubrics.delete", "POST"): _only({"TEACHER": {404}, "ADMIN": {303}}),
    # the admin deleted the sample question on the question routes before (404)
    ("assessments.rubrics.question_rubric", "GET"): _only({"TEACHER": {404}, "ADMIN": {200, 404}}),
    ("assessments.rubrics.question_rubric", "POST"): _only({"TEACHER": {404}, "ADMIN": {303, 404}}),
    ("assessments.replies.create", "POST"): STUDENTS_ONLY_MISSING,  # not the student's attempt
    # Messages and help requests (issue 19): the sample child is not the signed-in parent's, the
    # sample thread and help request do not exist; an administrator gets 404 on a thread too.
    ("conversations.messages.index", "GET"): _only({"PARENT": {200}, "TEACHER": {200}, "ADMIN": {200}}),
    ("conversations.messages.choose_teacher", "GET"): _only({"PARENT": {404}}),
    ("conversations.messages.start", "GET"): _only({"PARENT": {404}}),
    ("conversations.messages.start", "POST"): _only({"PARENT": {404}}),
    ("conversations.messages.thread", "GET"): _only({"PARENT": {404}, "TEACHER": {404}, "ADMIN": {404}}),
    ("conversations.messages.send", "POST"): _only({"PARENT": {404}, "TEACHER": {404}, "ADMIN": {404}}),
    ("conversations.messages.settings", "GET"): _only({"TEACHER": {200}}),
    ("conversations.messages.settings", "POST"): _only({"TEACHER": {200, 303}}),
    ("conversations.messages.review", "GET"): ADMIN_MISSING,
    ("conversations.messages.review", "POST"): ADMIN_MISSING,
    ("conversations.help.index", "GET"): _only({"TEACHER": {200}, "ADMIN": {200}}),
    ("conversations.help.mine", "GET"): _only({"STUDENT": {200}}),
    ("conversations.help.create", "GET"): STUDENTS_ONLY_MISSING,  # no section, assessment or session named
    ("conversations.help.create", "POST"): STUDENTS_ONLY_MISSING,
    ("conversations.help.detail", "GET"): _only({"STUDENT": {404}, "TEACHER": {404}, "ADMIN": {404}}),
    ("conversations.help.answer", "POST"): _only({"TEACHER": {404}, "ADMIN": {404}}),
    ("conversations.help.close", "POST"): _only({"STUDENT": {404}, "TEACHER": {404}, "ADMIN": {404}}),
})
# Streams.  The sample classroom, subject and teaching session are P2/1's other teacher's: only the
# admin reads their streams (teachers and students not of them: 404; parents have no streams: 403).
# The sample stream, post, comment and report do not exist (404 to those who may use the route); the
# sample filtered word is deleted by the admin (303).
STREAM_READERS_MISSING = _only({"TEACHER": {404}, "ADMIN": {404}, "STUDENT": {404}})
EXPECTED.update({
    ("streams.stream.classroom", "GET"): _only({"TEACHER": {404}, "STUDENT": {404}, "ADMIN": {200}}),
    ("streams.stream.subject", "GET"): _only({"TEACHER": {404}, "STUDENT": {404}, "ADMIN": {200}}),
    ("streams.stream.course_session", "GET"): _only({"TEACHER": {404}, "STUDENT": {404}, "ADMIN": {200}}),
    ("streams.stream.mine", "GET"): STUDENT_MISSING,
    ("streams.stream.create_post", "POST"): STREAM_READERS_MISSING,
    ("streams.stream.comment", "POST"): STREAM_READERS_MISSING,
    ("streams.stream.react", "POST"): STREAM_READERS_MISSING,
    ("streams.stream.report", "POST"): STUDENT_MISSING,
    ("streams.stream.settings", "POST"): MANAGERS_MISSING,
    ("streams.moderation.hide", "POST"): MANAGERS_MISSING,
    ("streams.moderation.review", "POST"): MANAGERS_MISSING,
    ("streams.moderation.delete", "POST"): MANAGERS_MISSING,
    ("streams.moderation.post_flag", "POST"): MANAGERS_MISSING,
    ("streams.moderation.mute", "POST"): MANAGERS_MISSING,
    ("streams.moderation.unmute", "POST"): MANAGERS_MISSING,
    ("streams.moderation.queue", "GET"): STAFF_ONLY,
    ("streams.moderation.dismiss", "POST"): MANAGERS_MISSING,
})
for _endpoint, _method in [
    ("api.v1.create_session", "POST"), ("api.v1.list_sessions", "GET"), ("api.v1.get_session", "GET"),
    ("api.v1.update_session", "PATCH"), ("api.v1.publish_session", "PATCH"), ("api.v1.delete_session", "DELETE"),
    ("api.v1.list_enrollments", "GET"), ("api.v1.update_enrollment_status", "PATCH"), ("api.v1.update_grade", "PATCH"),
    ("api.v1.create_announcement", "POST"), ("api.v1.list_announcements", "GET"), ("api.v1.update_announcement", "PATCH"),
    ("api.v1.delete_announcement", "DELETE"), ("api.v1.get_settings", "GET"), ("api.v1.put_settings", "PUT"),
    ("api.v1.join_session", "POST"), ("api.v1.my_sessions", "GET"), ("api.v1.my_session", "GET"),
    ("api.v1.drop_session", "DELETE"), ("api.v1.my_announcements", "GET"), ("api.v1.admin_sessions", "GET"),
    ("api.v1.admin_analytics", "GET"), ("api.v1.list_meetings", "GET"), ("api.v1.get_attendance", "GET"),
    ("api.v1.mark_attendance", "PUT"), ("api.v1.list_students", "GET"), ("api.v1.add_student", "POST"),
    ("api.v1.remove_student", "DELETE"), ("api.v1.assign_work", "PATCH"),
]:
    EXPECTED[(_endpoint, _method)] = API_BEARER_ONLY
# Rows that do not name a supervisor: the route does not let supervisors in.
for _key, _statuses in EXPECTED.items():
    EXPECTED[_key] = {"SUPERVISOR": {403}, **_statuses}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _sample_url(app, rule, samples):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: samples[arg] for arg in rule.arguments})


def _level_id(make):
    from sqlalchemy import select

    from lms.extensions import db
    from lms.school.models import Level

    with make.app.app_context():
        return db.session.scalar(select(Level.id).where(Level.code == "P2"))  # in use: never deleted


def _assessment_samples(make, quiz, attempt) -> dict:
    from sqlalchemy import select

    from lms.assessments.models import AssessmentMedia, Question
    from lms.extensions import db

    with make.app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.assessment_id == quiz.id)
                                        .order_by(Question.position).limit(1))
        media_id = db.session.scalar(select(AssessmentMedia.id).where(AssessmentMedia.assessment_id == quiz.id))
    return {"assessment_id": quiz.id, "question_id": question_id, "media_id": media_id,
            "version_id": attempt.question_order[0], "submission_id": attempt.id}


def _cohort_id(make, admin, student) -> int:
    from lms.common.types import utcnow
    from lms.extensions import db
    from lms.school.models import Cohort, CohortMembership

    with make.app.app_context():
        cohort = Cohort(name="Matrix cohort", name_key="matrix cohort", created_by_id=admin.id)
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMembership(cohort_id=cohort.id, student_id=student.id, added_at=utcnow()))
        db.session.commit()
        return cohort.id
def _badge_id(make) -> int:
    from lms.rewards.models import Badge

    return make._save(Badge(name="Matrix badge", name_key="matrix badge", icon="star", criterion="MANUAL")).id


def _private_rubric(make, owner) -> int:
    from lms.assessments import rubrics
    from lms.auth.models import User
    from lms.extensions import db

    with make.app.app_context():
        data = rubrics.RubricInput(title="Matrix rubric", criteria=[rubrics.CriterionInput(
            "Ideas", levels=[rubrics.LevelInput(2, "Clear"), rubrics.LevelInput(0, "Missing")])])
        with make.app.test_request_context():
            rubric_id = rubrics.create_rubric(db.session.get(User, owner.id), data).id
        db.session.commit()
        db.session.remove()
    return rubric_id


def _centre_samples(make, course_session, member) -> dict:
    """A centre with a member and a room that a teaching session uses (so neither can be deleted)."""
    from sqlalchemy import update

    from lms.extensions import db
    from lms.teaching.models import CourseSession

    centre = make.centre("Matrix centre", rooms=["Matrix room"], members=[member])
    room_id = centre.room_ids["Matrix room"]
    with make.app.app_context():
        db.session.execute(update(CourseSession).where(CourseSession.id == course_session.id)
                           .values(centre_id=centre.id, room_id=room_id, mode="IN_PERSON"))
        db.session.commit()
        db.session.remove()
    return {"centre_id": centre.id, "room_id": room_id}


def _filtered_word(make, admin) -> int:
    from lms.extensions import db
    from lms.school.services import ensure_organization
    from lms.streams.models import FilteredWord

    with make.app.app_context():
        word = FilteredWord(tenant_id=ensure_organization().id, word="matrixword", added_by_id=admin.id)
        db.session.add(word)
        db.session.commit()
        return word.id


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix_over_every_route(app, make, role):
    admin = make.user(role="ADMIN")
    classroom = make.classroom("P2/1")
    target = make.student(classroom, full_name="Matrix Target")
    other_teacher = make.teacher(classroom, role="HOMEROOM")
    parent = make.parent_of(target)
    invitation, _raw = make.invitation(admin)
    samples = {
        "user_id": target.id, "invitation_id": invitation.id, "token": "not-a-real-token",
        "classroom_id": classroom.id, "student_id": target.id, "staff_id": other_teacher.id,
        "parent_id": parent.id, "assignment_id": 999999, "batch_id": 999999,
        "level_id": _level_id(make),
        "announcement_id": 999999, "notification_id": 999999, "provider": "google",
        "code": "NOSUCHCD", "child_id": target.id, "thread_id": 999999, "request_id": 999999,
    }
    subject = make.subject("P2/1", teachers=[other_teacher])
    nodes = make.tree(subject, {"Unit": {"Part": ["Section"]}})
    resource = make.resource(other_teacher, section_id=nodes["Section"])
    samples.update({
        "core_id": subject.core_subject_id, "subject_id": subject.id, "unit_id": nodes["Unit"],
        "part_id": nodes["Part"], "section_id": nodes["Section"], "kinds": "sections", "node_id": 999999,
        "resource_id": resource.id, "teacher_id": other_teacher.id,
    })
    course_session = make.course_session(other_teacher, subject)
    enrollment = make.enrollment(course_session, target)
    samples.update({"session_id": course_session.id, "enrollment_id": enrollment.id, "meeting_id": 999999,
                    "token_id": 999999})
    quiz = make.assessment(other_teacher, title="Matrix quiz", questions=ONE_OF_EACH, section_id=nodes["Section"],
                           publish=True, media=[("pic", resource)])
    attempt = make.attempt(target, quiz, RIGHT_ANSWERS)
    samples.update(_assessment_samples(make, quiz, attempt))
    samples["cohort_id"] = _cohort_id(make, admin, target)
    samples["rubric_id"] = _private_rubric(make, other_teacher)
    samples.update(_centre_samples(make, course_session, target))
    samples.update({"badge_id": _badge_id(make), "award_id": 999999})
    samples.update({"stream_id": 999999, "post_id": 999999, "item": "post", "item_id": 999999, "report_id": 999999,
                    "visibility": "hide", "decision": "approve", "flag": "lock",
                    "word_id": _filtered_word(make, admin)})
    client = app.test_client()
    if role != ANON:
        AuthActions(client).login(make.user(role=role))
    # Signing out and deleting the sample cohort come last (the other routes need them).
    routes = sorted(_routes(app), key=lambda rm: (rm[0].endpoint in ("auth.logout", "auth.sign_out_all",
                                                                     "school.cohorts.delete"),
                                                     rm[0].endpoint == "auth.logout", rm[0].rule, rm[1]))
    problems, seen = [], set()
    for rule, method in routes:
        url = _sample_url(app, rule, samples)
        response = client.open(url, method=method)
        status = response.status_code
        if rule.endpoint == "auth.view_as.start":  # the admin became someone else: back to themselves
            client.post("/view-as/stop")
        if rule.rule.startswith("/admin/"):
            if role == ANON:
                ok = status in SIGN_IN_FIRST
            elif role != "ADMIN":
                ok = status in (403, 404)
            elif method == "GET":
                ok = status == 200
            else:  # an admin's POST acts or answers a validation message, never "not allowed"
                ok = status < 500 and status not in (401, 403, 404)
        else:
            expected = EXPECTED.get((rule.endpoint, method))
            if expected is None:
                problems.append(f"{method} {rule.rule} ({rule.endpoint}) has no row in EXPECTED")
                continue
            ok = status in expected[role]
        seen.add(rule.endpoint)
        if not ok:
            problems.append(f"{role} {method} {url} -> {status}")
    assert problems == [], "\n".join(problems)
    assert {"auth.users.index", "auth.invitations.index", "audit.index", "auth.ping", "auth.profile"} <= seen
