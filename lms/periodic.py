"""Every periodic job of the product, declared in one list.

``lms/cron_config.py`` registers these with ``rq cron``; on the embedded
default (no Redis) the web process runs the ``inline`` ones itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: str          # "module:function", a @background_job
    interval: int      # seconds
    inline: bool = True  # also run from the web process when there is no Redis

    def resolve(self):
        module, _, attr = self.func.partition(":")
        return getattr(import_module(module), attr)


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("worker-heartbeat", "lms.jobs:record_worker_heartbeat", 60, inline=False),
    PeriodicJob("relay-job-outbox", "lms.outbox:relay_job_outbox", 60, inline=False),
    PeriodicJob("clean-job-outbox", "lms.outbox:clean_job_outbox", 3600),
    PeriodicJob("close-inactive-login-sessions", "lms.auth.jobs:close_inactive_login_sessions", 60),
    PeriodicJob("lift-ended-suspensions", "lms.auth.jobs:lift_ended_suspensions", 300),
    PeriodicJob("delete-expired-remember-tokens", "lms.auth.jobs:delete_expired_remember_tokens", 3600),
    PeriodicJob("delete-expired-login-card-batches", "lms.auth.jobs:delete_expired_login_card_batches", 600),
    PeriodicJob("publish-due-announcements", "lms.communication.jobs:publish_due_announcements", 60),
    PeriodicJob("expire-course-sessions", "lms.teaching.jobs:expire_course_sessions", 300),
    PeriodicJob("course-session-expiry-reminders", "lms.teaching.jobs:send_expiry_reminders", 3600),
    PeriodicJob("course-session-urgent-announcements", "lms.teaching.jobs:deliver_due_session_announcements", 60),
    PeriodicJob("course-session-default-attendance", "lms.teaching.jobs:apply_default_attendance", 300),
    PeriodicJob("course-session-absence-alerts", "lms.teaching.jobs:alert_parents_of_absences", 900),
    PeriodicJob("submit-overdue-attempts", "lms.assessments.jobs:submit_overdue_attempts", 60),
    PeriodicJob("weekly-parent-digest", "lms.digest.jobs:send_weekly_digests", 900),
    PeriodicJob("award-points-and-badges", "lms.rewards.jobs:award_points_and_badges", 600),
    PeriodicJob("privacy-retention", "lms.privacy.jobs:apply_retention_limits", 3600),
]
