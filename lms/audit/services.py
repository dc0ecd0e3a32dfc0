"""Recording audit events in the caller's transaction."""

from __future__ import annotations

from flask import has_request_context, request

from lms.audit.models import AuditLog
from lms.common.types import utcnow
from lms.core import signals
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


# --- entries that outlive a refused request --------------------------------------------------------
# A refusal (an infected upload) is recorded although the request's transaction rolls back: the
# entry is added as usual and, should that transaction end without a commit, written again on a
# connection of its own once the rollback has released the session's locks.

PENDING_KEY = "lms_audit_despite_rollback"


def record_despite_rollback(actor, action: str, entity=None, **details) -> AuditLog:
    entry = record(actor, action, entity, **details)
    db.session.info.setdefault(PENDING_KEY, []).append({
        "actor_id": entry.actor_id, "action": entry.action, "entity_type": entry.entity_type,
        "entity_id": entry.entity_id, "ip": entry.ip, "details": entry.details})
    return entry


def _install_rollback_hooks() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    @event.listens_for(Session, "after_commit", propagate=True)
    def _committed(session):
        if not session.in_nested_transaction():
            session.info.pop(PENDING_KEY, None)

    @event.listens_for(Session, "after_transaction_end", propagate=True)
    def _rolled_back(session, transaction):
        if transaction.parent is not None or transaction.nested:
            return
        rows = session.info.pop(PENDING_KEY, None)
        if not rows:
            return
        bind = session.get_bind()
        engine = getattr(bind, "engine", bind)
        with engine.begin() as conn:
            conn.execute(AuditLog.__table__.insert(), [{**row, "created_at": utcnow()} for row in rows])


_install_rollback_hooks()


def _record_infected_upload(actor, *, filename: str, signature: str) -> None:
    record_despite_rollback(actor, "upload.infected", filename=filename, signature=signature)


def connect_signals() -> None:
    """Record what lower layers report (``lms.core.signals``): an infected upload refused."""
    signals.upload_infected.connect(_record_infected_upload)
