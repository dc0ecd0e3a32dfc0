"""Recording audit events in the caller's transaction."""

from __future__ import annotations

from flask import has_request_context, request

from lms.audit.models import AuditLog
from lms.extensions import db


def client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def record(actor, action: str, entity=None, **details) -> AuditLog:
    """Add an audit entry; it commits with the change it describes."""
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=type(entity).__name__ if entity is not None else None,
        entity_id=getattr(entity, "id", None),
        ip=client_ip(),
        details={k: _jsonable(v) for k, v in details.items()},
    )
    db.session.add(entry)
    return entry


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
