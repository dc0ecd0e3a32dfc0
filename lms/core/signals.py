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

Credentials (sent by ``lms.auth.credentials``; the API connects in ``lms.api.tokens``):

* ``credentials_revoked(user)`` -> ``int``: revoke what else signs ``user`` in (personal access
  tokens); answers how many were revoked.

Resources (sent by ``lms.resources.services``; curriculum and assessments connect):

* ``resource_visibility(actor)`` -> a SQL condition on ``Resource`` or None: another way to see
  a resource (visibility is the OR of every answer).
* ``resource_outside_library(None)`` -> a SQL condition on ``Resource`` or None: resources that
  belong to something else (a student's answer file belongs to the submission); they stay
  downloadable by whoever may see them but are not listed in the library or offered for attaching.
* ``resource_usage(resource)`` -> ``[str]``: where else a resource is used (it cannot be deleted
  while anything answers).
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

credentials_revoked = _signals.signal("credentials-revoked")

resource_visibility = _signals.signal("resource-visibility")
resource_usage = _signals.signal("resource-usage")
resource_outside_library = _signals.signal("resource-outside-library")


def answers(signal: Signal, sender, **kwargs) -> list:
    """Every receiver's answer (in no particular order)."""
    return [value for _receiver, value in signal.send(sender, **kwargs)]


def first_answer(signal: Signal, sender, default=None, **kwargs):
    """The first answer that is not empty (``default`` when none is)."""
    return next((value for value in answers(signal, sender, **kwargs) if value), default)
