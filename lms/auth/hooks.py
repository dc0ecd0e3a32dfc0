"""Extension points other domains plug into (their modules are listed in ``lms.HOOK_MODULES``).

* ``invitation_grant_checks``: ``check(actor, role, grants)`` runs before an invitation is
  created or resent.  It raises ``lms.common.errors.ValidationFailed`` / ``Forbidden`` when the
  actor may not grant this (e.g. a teacher inviting a student into someone else's classroom).
* ``invitation_accept_hooks``: ``apply(invitation, user)`` runs in the accepting request's
  transaction right after the new account is flushed, to apply ``invitation.grants``
  (``{"classroom_id": 3}`` -> classroom membership, ``{"student_ids": [4, 5]}`` -> parent links).
* ``invitation_grant_labels``: ``label(grants) -> str | None`` describes grants in lists
  (e.g. "P1/1"); the first non-empty answer is shown.

Register with the decorators below at import of the other domain's module.
"""

from __future__ import annotations

from collections.abc import Callable

invitation_grant_checks: list[Callable] = []
invitation_accept_hooks: list[Callable] = []
invitation_grant_labels: list[Callable] = []


def check_invitation_grants(func: Callable) -> Callable:
    if func not in invitation_grant_checks:
        invitation_grant_checks.append(func)
    return func


def on_invitation_accepted(func: Callable) -> Callable:
    if func not in invitation_accept_hooks:
        invitation_accept_hooks.append(func)
    return func


def describe_invitation_grants(func: Callable) -> Callable:
    if func not in invitation_grant_labels:
        invitation_grant_labels.append(func)
    return func


def grants_label(grants: dict | None) -> str:
    for label in invitation_grant_labels:
        text = label(grants or {})
        if text:
            return text
    return ""
