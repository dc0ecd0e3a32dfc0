"""Erasing a student who has left: personal data removed, the anonymised account kept for the figures.

What happens (``ERASURE`` in ``lms.privacy.catalog`` decides per column; this module does it):

* the account: name "Erased student #<id>", email replaced by an address that cannot receive mail,
  no password, deactivated, signed out everywhere (login version bumped, open login sessions ended);
* the profile: student number, date of birth and guardian notes cleared; ``erased_at`` set;
* login sessions keep their times (login analytics) but lose their IP address and browser;
* deleted: login attempts, notifications, parent links, invitations and email tokens, API tokens,
  the uploaded answer files (rows and files in storage, after the commit);
* submissions keep their scores and status (and the rubric levels given); free-text and file
  answers, the teachers' written feedback (rubric comments too) and the student's replies to it
  are removed; points, badges and the leaderboard choice are deleted; the conversations between the
  student's parents and teachers about them and the student's help requests are deleted; attendance,
  progress, enrollments (without the teacher's notes and exercise), class history and excusals stay,
  so class statistics do not change;
* audit entries keep who did what and when, but details naming the student (email, number, name)
  are replaced by "[erased]"; the erasure itself is audited with counts only.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import Text, and_, cast, delete, exists, func, or_, select, update

from lms.api.models import ApiToken
from lms.assessments.models import (
    Answer,
    AnswerRubricLevel,
    AssessmentExtension,
    AssessmentMedia,
    FeedbackReply,
    QuestionType,
    QuestionVersion,
    Submission,
)
from lms.audit.models import AuditLog
from lms.audit.services import record
from lms.auth import login_sessions
from lms.auth.models import (
    AccountToken,
    Invitation,
    LoginAttempt,
    RememberToken,
    SignInCard,
    User,
    UserSession,
)
from lms.common.errors import BusinessRuleViolation, Conflict, ValidationFailed
from lms.common.types import utcnow
from lms.communication.models import Notification
from lms.conversations.models import HelpRequest, Message, MessageThread
from lms.digest.models import DigestOptOut
from lms.extensions import db
from lms.profiles.models import PersonProfile
from lms.resources import storage
from lms.resources.models import Resource, SectionResource, StoredFile
from lms.rewards.models import BadgeAward, LeaderboardOptOut, PointEntry
from lms.school.models import CohortMembership, FamilyCode, ParentLink, StudentProfile, StudentStatus
from lms.school.services import require_admin
from lms.teaching.models import CourseSessionEnrollment

ERASABLE_STATUSES = (StudentStatus.LEFT, StudentStatus.GRADUATED)
# Answers whose response is something the student typed or uploaded.
FREE_TEXT_TYPES = (QuestionType.SHORT_ANSWER, QuestionType.NUMERIC, QuestionType.LONG_ANSWER,
                   QuestionType.FILE_UPLOAD)
ERASED_TEXT = "[erased]"


def erased_name(user_id: int) -> str:
    return f"Erased student #{user_id}"


def erased_username(user_id: int) -> str:
    return f"erased-{user_id}"


def is_erased(profile: StudentProfile | None) -> bool:
    return profile is not None and profile.erased_at is not None


def refusal(profile: StudentProfile | None) -> str | None:
    """Why this student cannot be erased now (None: they can)."""
    if is_erased(profile):
        return _("This student's personal data has already been erased.")
    if profile is None or profile.status not in ERASABLE_STATUSES:
        return _("Only a student who has left or graduated can be erased. Edit the student and set the "
                 "status to “Left” or “Graduated” first.")
    return None


def confirmation_matches(student: User, profile: StudentProfile | None, typed: str | None) -> bool:
    """The admin typed the student's number or full name (case and surrounding spaces ignored)."""
    given = " ".join((typed or "").split()).casefold()
    if not given:
        return False
    accepted = {" ".join(student.full_name.split()).casefold()}
    if profile is not None and profile.student_number:
        accepted.add(profile.student_number.strip().casefold())
    return given in accepted


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _free_text_answers(student_id: int):
    return and_(Answer.submission_id.in_(select(Submission.id).where(Submission.student_id == student_id)),
                Answer.question_version_id.in_(
                    select(QuestionVersion.id).where(QuestionVersion.type.in_([str(t) for t in FREE_TEXT_TYPES]))))


def _removable_resources(student_id: int):
    """The student's uploads that are not shown in any section (students cannot attach files there)."""
    return select(Resource.id).where(Resource.owner_id == student_id,
                                     ~exists().where(SectionResource.resource_id == Resource.id),
                                     ~exists().where(AssessmentMedia.resource_id == Resource.id))


def summary(student: User) -> dict[str, int]:
    """What erasure will remove or keep, counted (the confirmation page)."""
    sid = student.id
    return {
        "submissions": _count(Submission, Submission.student_id == sid),
        "free_text_answers": _count(Answer, _free_text_answers(sid)),
        "files": _count(Resource, Resource.id.in_(_removable_resources(sid))),
        "login_sessions": _count(UserSession, UserSession.user_id == sid),
        "login_attempts": _count(LoginAttempt, or_(LoginAttempt.user_id == sid,
                                                  LoginAttempt.email == student.email)),
        "notifications": _count(Notification, Notification.user_id == sid),
        "parent_links": _count(ParentLink, ParentLink.student_id == sid),
    }


def _identifiers(student: User, profile: StudentProfile | None) -> list[str]:
    values = [student.email, student.full_name]
    if profile is not None and profile.student_number:
        values.append(profile.student_number)
    return [v for v in values if v]


def _redact(value, identifiers: set[str]):
    if isinstance(value, str):
        return ERASED_TEXT if value.casefold() in identifiers else value
    if isinstance(value, list):
        return [_redact(v, identifiers) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, identifiers) for k, v in value.items()}
    return value


def redact_audit_details(student: User, profile: StudentProfile | None) -> int:
    """Replace the student's email, name and number in audit details by "[erased]".

    Entries about the student's account lose every detail (they may hold earlier names or
    addresses); other entries are found by the JSON text of each identifier (exact values)."""
    sid = student.id
    about_account = and_(AuditLog.entity_type == "User", AuditLog.entity_id == sid)
    text = cast(AuditLog.details, Text)
    needles = []
    for value in _identifiers(student, profile):
        needles.append(text.contains(json.dumps(value), autoescape=True))
        needles.append(text.contains(json.dumps(value, ensure_ascii=False), autoescape=True))
    db.session.execute(update(AuditLog).where(about_account).values(details={"erased": True})
                       .execution_options(synchronize_session=False))
    identifiers = {v.casefold() for v in _identifiers(student, profile)}
    changed = 0
    for entry in db.session.scalars(select(AuditLog).where(~about_account, or_(*needles))):
        redacted = _redact(entry.details, identifiers)
        if redacted != entry.details:
            entry.details = redacted
            changed += 1
    return changed


def _delete_uploads(student_id: int) -> int:
    """Delete the student's uploaded files: the answers keep their points, the rows and the files go."""
    resource_ids = list(db.session.scalars(_removable_resources(student_id)))
    if not resource_ids:
        return 0
    file_ids = set(db.session.scalars(select(Resource.file_id).where(Resource.id.in_(resource_ids),
                                                                     Resource.file_id.is_not(None))))
    # Their upload entries name the file ("Answer: my-essay.pdf").
    db.session.execute(update(AuditLog).where(AuditLog.entity_type == "Resource", AuditLog.entity_id.in_(resource_ids))
                       .values(details={"erased": True}).execution_options(synchronize_session=False))
    db.session.execute(update(Answer).where(Answer.file_resource_id.in_(resource_ids))
                       .values(file_resource_id=None).execution_options(synchronize_session=False))
    db.session.execute(delete(Resource).where(Resource.id.in_(resource_ids))
                       .execution_options(synchronize_session=False))
    if file_ids:
        unused = list(db.session.scalars(select(StoredFile).where(
            StoredFile.id.in_(file_ids), ~exists().where(Resource.file_id == StoredFile.id))))
        for stored in unused:
            storage.delete_after_commit(stored.storage_name, stored.thumbnail_name)
            db.session.delete(stored)
        db.session.flush()
    return len(resource_ids)


def erase_student(actor, student: User, typed_confirmation: str | None) -> dict[str, int]:
    """Erase ``student``'s personal data (see the module's docstring); irreversible.

    Refused (nothing changed) unless the student has left or graduated and ``typed_confirmation``
    is their student number or full name.  The caller commits; files go after the commit."""
    require_admin(actor)
    profile = db.session.get(StudentProfile, student.id)
    reason = refusal(profile)
    if reason:
        raise Conflict(reason) if is_erased(profile) else BusinessRuleViolation(reason)
    if not confirmation_matches(student, profile, typed_confirmation):
        raise ValidationFailed(_("Type the student's number or full name exactly as shown to confirm."),
                               field="confirmation")
    sid, old_email = student.id, student.email
    # What a sign-in attempt may have been recorded under: the email, the username or the number.
    old_logins = [name for name in (old_email, student.username,
                                    profile.student_number if profile is not None else None) if name]
    counts = summary(student)
    counts["audit_entries_redacted"] = redact_audit_details(student, profile)

    # Submissions: scores stay; what the student wrote or uploaded and the teachers' comments go.
    counts["files"] = _delete_uploads(sid)
    db.session.execute(update(Answer).where(_free_text_answers(sid)).values(response={})
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Answer).where(Answer.submission_id.in_(
        select(Submission.id).where(Submission.student_id == sid))).values(feedback="")
        .execution_options(synchronize_session=False))
    db.session.execute(update(Submission).where(Submission.student_id == sid).values(feedback="")
                       .execution_options(synchronize_session=False))
    db.session.execute(update(AnswerRubricLevel).where(AnswerRubricLevel.answer_id.in_(
        select(Answer.id).join(Submission, Submission.id == Answer.submission_id).where(Submission.student_id == sid)))
        .values(comment="").execution_options(synchronize_session=False))
    db.session.execute(update(AssessmentExtension).where(AssessmentExtension.student_id == sid).values(reason="")
                       .execution_options(synchronize_session=False))
    db.session.execute(update(CourseSessionEnrollment).where(CourseSessionEnrollment.student_id == sid)
                       .values(notes=None, notes_shared_with_parents=False, exercise_content=None)
                       .execution_options(synchronize_session=False))

    # Logs, links and tokens.
    for stmt in (
        delete(LoginAttempt).where(or_(LoginAttempt.user_id == sid, LoginAttempt.email.in_(old_logins))),
        delete(Notification).where(Notification.user_id == sid),
        delete(ParentLink).where(ParentLink.student_id == sid),
        delete(CohortMembership).where(CohortMembership.student_id == sid),
        delete(Invitation).where(or_(Invitation.accepted_user_id == sid, Invitation.email.in_(old_logins))),
        delete(RememberToken).where(RememberToken.user_id == sid),
        delete(FamilyCode).where(FamilyCode.student_id == sid),
        delete(SignInCard).where(SignInCard.user_id == sid),
        delete(AccountToken).where(AccountToken.user_id == sid),
        delete(ApiToken).where(ApiToken.user_id == sid),
        delete(DigestOptOut).where(DigestOptOut.user_id == sid),
        delete(FeedbackReply).where(FeedbackReply.student_id == sid),
        delete(PointEntry).where(PointEntry.student_id == sid),
        delete(BadgeAward).where(BadgeAward.student_id == sid),
        delete(LeaderboardOptOut).where(LeaderboardOptOut.user_id == sid),
        # Conversations about the student (their parents and teachers) and the student's help requests.
        delete(Message).where(Message.thread_id.in_(select(MessageThread.id).where(MessageThread.student_id == sid))),
        delete(MessageThread).where(MessageThread.student_id == sid),
        delete(HelpRequest).where(HelpRequest.student_id == sid),
    ):
        db.session.execute(stmt.execution_options(synchronize_session=False))

    # Phone, bio and photo.
    person = db.session.get(PersonProfile, sid)
    if person is not None:
        storage.delete_after_commit(person.photo_name, person.thumb_name)
        db.session.delete(person)

    # Login sessions: ended, and without the IP address and browser.
    login_sessions.end_user_login_sessions(student)
    db.session.execute(update(UserSession).where(UserSession.user_id == sid)
                       .values(ip=None, user_agent=None).execution_options(synchronize_session=False))

    # The account and profile.
    now = utcnow()
    student.full_name = erased_name(sid)
    student.email = None
    student.username = erased_username(sid)  # an account needs an email or a username
    student.suspended_at = student.suspended_until = student.suspension_reason = None
    student.suspended_by_id = None
    student.password_hash = None
    student.picture_password_hash = None
    student.active = False
    student.locale = None
    student.login_version = (student.login_version or 1) + 1
    if profile is not None:
        profile.student_number = None
        profile.date_of_birth = None
        profile.guardian_notes = ""
        profile.erased_at = now
    db.session.flush()
    record(actor, "student.erase", student, **counts)
    return counts
