"""Signals that let a lower layer ask the domains above it, without importing them (blinker).

A domain connects its receivers when its blueprint is registered (``bp.record_once``); the sender
of each signal is its first argument below, the rest are keyword arguments.

Invitations (sent by ``lms.auth``; the school connects in ``lms.school.invitation_grants``):

* ``invitation_grants_checking(actor, role=, grants=)``: before an invitation is created or sent
  again.  A receiver raises ``ValidationFailed`` / ``Forbidden`` when the actor may not grant this
  (e.g. a teacher inviting a student into someone else's classroom).
* ``invitation_accepted(invitation, user=)``: in the accepting request's transaction, right after
  the new account is flushed, to apply ``invitation.grants`` (``{"classroom_id": 3}`` -> classroom
  membership, ``{"student_ids": [4, 5]}`` -> parent links) or tell the inviter.
* ``invitation_grants_described(grants)`` -> ``str | None``: the grants in lists ("P1/1"); the
  first non-empty answer is shown.
* ``invitation_grants_from_form(actor, role=, classroom_id=, children=)`` -> ``dict``: the grants
  an invitation form asks for.
* ``invitation_grants_from_text(actor, role=, text=)`` -> ``dict | None``: the grants a bulk
  invitation row's last column names (None: this role gets none); raises ``ValidationFailed``.
* ``invitation_classrooms(actor)`` -> ``[(id, label)]``: classrooms an actor may invite into.

Sign-in (sent by ``lms.auth``; the school connects in ``lms.school.sign_in_hooks``):

* ``sign_in_name_condition(text)`` -> a SQL condition on ``User`` or None: another name an account
  signs in with besides its email and username (a student's number, any case; ``text`` is lower-case).
* ``registration_pending(user)`` -> ``bool``: the account waits for a teacher's approval and cannot
  sign in yet (a class-code registration).
* ``sso_account_created(user)``: single sign-on has just created (and flushed) ``user``; a student
  gets a student profile.
* ``current_level_code(user)`` -> ``str | None``: the level of the student's classroom this academic
  year ("P1"); picture passwords are for the levels the organization names.
* ``visible_student(actor, student_id=)`` -> ``User``: the student if ``actor`` may see them, else
  ``NotFound`` is raised (a teacher resets their student's picture password).
* ``reactivation_refused(user)`` -> ``str | None``: why ``user``'s account may never sign in again
  (a student whose personal data was erased); an administrator's reactivation is refused with it.

Students (sent by ``lms.school.deletion``; assessments, curriculum and teaching connect in their
``hooks`` modules):

* ``student_history(student)`` -> ``[str]``: the work or history a domain holds for ``student``, as
  readable reasons ("has submitted work"); a student with any cannot be deleted, only deactivated.

Uploads (sent by ``lms.common.uploads.virus_scan``; the audit log connects in ``lms.audit``):

* ``upload_infected(actor, filename=, signature=)``: the virus scanner found ``signature`` in an
  upload, which is refused; the audit log records it even though the request rolls back.

Credentials (sent by ``lms.auth.credentials``; the API connects in ``lms.api.tokens``):

* ``credentials_revoked(user)`` -> ``int``: revoke what else signs ``user`` in (personal access
  tokens); answers how many were revoked.

The year-end rollover (sent by ``lms.school.rollover``; assessments connect in their ``hooks``):

* ``ungraded_work(None)`` -> ``{"count": int, "url": str | None}``: work submitted this year that still
  waits for grading (it can no longer be graded after the rollover), and where to grade it (None
  outside a request).

Resources (sent by ``lms.resources.services``; curriculum and assessments connect):

* ``resource_visibility(actor)`` -> a SQL condition on ``Resource`` or None: another way to see
  a resource (visibility is the OR of every answer).
* ``resource_outside_library(None)`` -> a SQL condition on ``Resource`` or None: resources that
  belong to something else (a student's answer file belongs to the submission); they stay
  downloadable by whoever may see them but are not listed in the library or offered for attaching.
* ``resource_usage(resource)`` -> ``[str]``: where else a resource is used (it cannot be deleted
  while anything answers).

Copying a subject (sent by ``lms.curriculum.copying``; resources and assessments connect in their
``hooks`` modules):

* ``subject_copy_preview(subject)`` -> ``dict``: what a domain would copy with ``subject``, for the
  preview page: ``{"label": str, "count": int, "items": [str], "left_behind": [str]}`` (``items``
  and ``left_behind`` may be empty: ``left_behind`` says what the copy will not have).
* ``subject_copying(subject, copy=, actor=, nodes=)`` -> ``dict[str, int]``: copy the domain's rows
  of ``subject`` into the new subject ``copy`` (flushed, with its tree).  ``nodes`` maps ``"unit"``,
  ``"part"`` and ``"section"`` to ``{original id: copy's id}``.  Runs in the copy's transaction: a
  receiver refuses with a ``DomainError`` and nothing of the copy is kept.  Answers counts for the
  audit entry (``{"resource_links": 12}``).
Per-student work (teaching sessions give one student an assessment; assessments and teaching are
siblings, so each asks the other here; assessments connect in ``lms.assessments.hooks``, teaching
in ``lms.teaching.hooks``):

* ``assessment_grants(student)`` -> a SELECT of assessment ids or None (sent by
  ``lms.assessments.services``): assessments ``student`` may also see and take, besides those of
  their classroom's subjects (still only when published).
* ``assignable_assessments(actor, assessment_id=None)`` -> ``[(id, title)]`` (sent by
  ``lms.teaching.work``): the published assessments ``actor`` may give a student, by title; with
  ``assessment_id``, that one only (or nothing).
* ``assessment_results(viewer, pairs=[(student_id, assessment_id)])`` -> ``{pair: dict}`` (sent by
  ``lms.teaching.work``): for each pair ``title``, ``state`` (``score``, ``hidden``, ``pending``,
  ``missing``, ``in_progress``, ``none``...), ``text`` (the score or the status to show),
  ``percent`` and ``submission_id`` (the attempt that counts, when ``viewer`` may open it; else
  None), as ``viewer`` may see them.
"""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

invitation_grants_checking = _signals.signal("invitation-grants-checking")
invitation_accepted = _signals.signal("invitation-accepted")
invitation_grants_described = _signals.signal("invitation-grants-described")
invitation_grants_from_form = _signals.signal("invitation-grants-from-form")
invitation_grants_from_text = _signals.signal("invitation-grants-from-text")
invitation_classrooms = _signals.signal("invitation-classrooms")

sign_in_name_condition = _signals.signal("sign-in-name-condition")
registration_pending = _signals.signal("registration-pending")
sso_account_created = _signals.signal("sso-account-created")
current_level_code = _signals.signal("current-level-code")
visible_student = _signals.signal("visible-student")
reactivation_refused = _signals.signal("reactivation-refused")

student_history = _signals.signal("student-history")

ungraded_work = _signals.signal("ungraded-work")

upload_infected = _signals.signal("upload-infected")

credentials_revoked = _signals.signal("credentials-revoked")

resource_visibility = _signals.signal("resource-visibility")
resource_usage = _signals.signal("resource-usage")
resource_outside_library = _signals.signal("resource-outside-library")

subject_copy_preview = _signals.signal("subject-copy-preview")
subject_copying = _signals.signal("subject-copying")
assessment_grants = _signals.signal("assessment-grants")
assignable_assessments = _signals.signal("assignable-assessments")
assessment_results = _signals.signal("assessment-results")


def answers(signal: Signal, sender, **kwargs) -> list:
    """Every receiver's answer (in no particular order)."""
    return [value for _receiver, value in signal.send(sender, **kwargs)]


def first_answer(signal: Signal, sender, default=None, **kwargs):
    """The first answer that is not empty (``default`` when none is)."""
    return next((value for value in answers(signal, sender, **kwargs) if value), default)
