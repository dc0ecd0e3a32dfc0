"""``GET /healthz``: is this instance able to serve?  Used by PM2 checks and proxies."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from lms.common.access import PUBLIC, allow
from lms.extensions import db, redis_connection
from lms.jobs import last_worker_heartbeat
from lms.outbox import waiting_count

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
@allow(PUBLIC)
def healthz():
    body = {"status": "ok", "db": "ok", "redis": "disabled", "instance": current_app.config["LMS_INSTANCE"]
            or "embedded", "jobs_waiting": 0}
    status = 200
    try:
        db.session.execute(text("SELECT 1"))
        if current_app.config.get("REDIS_URL"):
            body["jobs_waiting"] = _jobs_waiting()
    except Exception as err:
        log.warning("health check: database unavailable: %s", err)
        body["db"] = "unavailable"
        body["jobs_waiting"] = None
        body["status"] = "unavailable"
        status = 503
        try:
            db.session.rollback()
        except Exception:  # noqa: S110 - the connection is already broken
            pass
    finally:
        db.session.remove()
    if current_app.config.get("REDIS_URL"):
        try:
            redis_connection().ping()
            body["redis"] = "ok"

            body["worker_heartbeat"] = last_worker_heartbeat()
        except Exception as err:
            log.warning("health check: redis unavailable: %s", err)
            body["redis"] = "unavailable"
            if status == 200:
                body["status"] = "degraded"
    return jsonify(body), status


def _jobs_waiting() -> int | None:
    """Jobs committed to the outbox and not pushed to the queue yet (Redis down, or the sweep due)."""
    try:
        return waiting_count()
    except Exception as err:  # an informative figure: never what makes the instance look down
        log.warning("health check: could not count the job outbox: %s", err)
        db.session.rollback()
        return None
