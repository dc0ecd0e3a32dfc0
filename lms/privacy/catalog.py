"""Where a person's data lives: every column that points at a user, and what erasure does to it.

The export walks every one of these columns (so a new model with a foreign key to ``user`` is in
the export without anyone remembering to add it).  Erasure needs a decision per column: a test
fails when a foreign key to ``user`` has no entry in ``ERASURE`` below.

Decisions:

* ``KEEP``      the row stays as it is, pointing at the anonymised account (aggregates: scores,
                attendance, progress, class history; or the column names a member of staff).
* ``DELETE``    the rows are deleted (logs, links, notifications, tokens).
* ``ANONYMISE`` the row stays but ``lms.privacy.erase`` clears its personal or free-text columns.
"""

from __future__ import annotations

from lms.extensions import db

KEEP = "KEEP"
DELETE = "DELETE"
ANONYMISE = "ANONYMISE"

ERASURE: dict[tuple[str, str], str] = {
    ("account_token", "user_id"): DELETE,
    ("announcement", "author_id"): KEEP,
    ("announcement_person", "user_id"): KEEP,         # who an announcement went to (its audience size)
    ("announcement_read", "user_id"): KEEP,           # read counts
    ("api_token", "user_id"): DELETE,
    ("assessment", "owner_id"): KEEP,
    ("assessment_excusal", "excused_by_id"): KEEP,
    ("assessment_excusal", "student_id"): KEEP,       # excused work stays out of the averages
    ("assessment_extension", "granted_by_id"): KEEP,
    ("assessment_extension", "student_id"): ANONYMISE,  # the own due date stays (late marks); the reason is cleared
    ("audit_log", "actor_id"): KEEP,                  # details mentioning the student are redacted
    ("classroom_membership", "student_id"): KEEP,     # class sizes and history
    ("badge", "created_by_id"): KEEP,                 # staff
    ("badge_award", "awarded_by_id"): KEEP,           # staff (empty: the periodic job)
    ("badge_award", "student_id"): DELETE,            # an erased student's badges go (reasons are free text)
    ("class_code", "created_by_id"): KEEP,            # a teacher's act (never a student's)
    ("centre_membership", "added_by_id"): KEEP,       # staff
    ("centre_membership", "user_id"): DELETE,         # an erased person leaves every centre
    ("cohort", "created_by_id"): KEEP,                # staff
    ("cohort_membership", "added_by_id"): KEEP,       # staff
    ("cohort_membership", "removed_by_id"): KEEP,     # staff
    ("cohort_membership", "student_id"): DELETE,      # an erased student leaves every cohort, history too
    ("course_session", "created_by"): KEEP,
    ("course_session", "deleted_by"): KEEP,
    ("course_session", "teacher_id"): KEEP,
    ("course_session", "updated_by"): KEEP,
    ("course_session_announcement", "created_by"): KEEP,
    ("course_session_announcement", "updated_by"): KEEP,
    ("course_session_attendance", "marked_by"): KEEP,
    ("course_session_attendance", "student_id"): KEEP,  # attendance counts
    ("course_session_enrollment", "created_by"): KEEP,
    ("course_session_enrollment", "deleted_by"): KEEP,
    ("course_session_enrollment", "student_id"): ANONYMISE,  # the teacher's notes and exercise are cleared
    ("course_session_enrollment", "updated_by"): KEEP,
    ("course_session_meeting", "created_by"): KEEP,
    ("course_session_settings", "created_by"): KEEP,
    ("course_session_settings", "updated_by"): KEEP,
    ("digest_delivery", "parent_id"): KEEP,           # parents only
    ("digest_opt_out", "user_id"): DELETE,
    ("email_opt_out", "user_id"): DELETE,
    ("feedback_reply", "student_id"): DELETE,         # the student's reply to a teacher's feedback (free text)
    ("help_request", "answered_by_id"): KEEP,         # staff
    ("help_request", "closed_by_id"): KEEP,           # staff, or the student whose requests are deleted anyway
    ("help_request", "student_id"): DELETE,           # the student's own questions (free text) and the answers to them
    ("invitation", "accepted_user_id"): DELETE,       # holds the email and name
    ("invitation", "invited_by_id"): KEEP,
    ("leaderboard_opt_out", "user_id"): DELETE,
    ("login_attempt", "user_id"): DELETE,
    ("message", "author_id"): KEEP,                   # the other side's copy of a conversation stays; the
                                                      # erased person's threads (below) go with their messages
    ("message_settings", "teacher_id"): DELETE,       # a teacher's office hours
    ("message_thread", "parent_id"): DELETE,          # the conversation about a child is personal: it goes
    ("message_thread", "student_id"): DELETE,         # with the child, the parent or the teacher, messages too
    ("message_thread", "teacher_id"): DELETE,
    ("login_card_batch", "created_by_id"): KEEP,      # staff; the batch itself is gone within 30 minutes
    ("notification", "user_id"): DELETE,
    ("parent_link", "parent_id"): KEEP,               # the student's own links go through student_id
    ("parent_link", "student_id"): DELETE,
    ("point_entry", "student_id"): DELETE,            # an erased student's points go (and earn no more)
    ("promotion_batch", "actor_id"): KEEP,
    ("promotion_batch", "undone_by_id"): KEEP,
    ("promotion_move", "student_id"): KEEP,           # rollover counts
    ("remember_token", "user_id"): DELETE,            # remembered browsers
    ("resource", "owner_id"): DELETE,
    ("reward_settings", "updated_by_id"): KEEP,       # staff
    ("rubric", "owner_id"): KEEP,                     # a teacher's rubric (never a student's)                 # uploaded answer files, from storage too
    ("section_progress", "student_id"): KEEP,         # progress figures
    ("section_visit", "student_id"): KEEP,
    ("sign_in_card", "created_by_id"): KEEP,
    ("sign_in_card", "user_id"): DELETE,              # login cards (QR sign-in tokens)
    ("stream_comment", "author_id"): DELETE,         # a stream comment: the person's own free text
    ("stream_comment", "moderated_by_id"): KEEP,      # staff
    ("stream_filtered_word", "added_by_id"): KEEP,    # an administrator's act
    ("stream_mute", "muted_by_id"): KEEP,             # staff
    ("stream_mute", "student_id"): DELETE,            # a mute ends with the account
    ("stream_post", "author_id"): DELETE,             # a stream post (and the comments under it): free text
    ("stream_post", "moderated_by_id"): KEEP,         # staff
    ("stream_reaction", "user_id"): DELETE,
    ("stream_report", "handled_by_id"): KEEP,         # staff
    ("stream_report", "reporter_id"): DELETE,         # who reported what (and why) goes with the person
    ("student_profile", "user_id"): ANONYMISE,        # number, date of birth, notes cleared
    ("student_registration", "user_id"): DELETE,      # a pending class-code registration
    ("subject", "created_by_id"): KEEP,
    ("subject_teacher", "teacher_id"): KEEP,
    ("submission", "graded_by_id"): KEEP,
    ("submission", "student_id"): ANONYMISE,          # scores kept; free-text answers and feedback removed
    ("submission_event", "actor_id"): KEEP,
    ("teacher_assignment", "teacher_id"): KEEP,
    ("person_profile", "user_id"): DELETE,            # phone, bio, photo (the files too)
    ("family_code", "student_id"): DELETE,
    ("family_code", "created_by_id"): KEEP,
    ("family_code", "used_by_id"): KEEP,              # a parent's act
    ("user", "suspended_by_id"): KEEP,                # an administrator's act (never a student's)
    ("user_session", "user_id"): ANONYMISE,           # IP address and browser cleared; times kept
}

# Never exported: secrets (hashes of passwords and tokens).
SECRET_COLUMNS = frozenset({"password_hash", "picture_password_hash", "token_hash"})


def user_columns() -> list[tuple]:
    """``(table, column)`` for every column with a foreign key to ``user.id``, in a stable order."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "user" for fk in column.foreign_keys):
                found.append((table, column))
    return sorted(found, key=lambda pair: (pair[0].name, pair[1].name))


def missing_decisions() -> list[str]:
    """"table.column" of user columns without an erasure decision (a test keeps this empty)."""
    return [f"{t.name}.{c.name}" for t, c in user_columns() if (t.name, c.name) not in ERASURE]
