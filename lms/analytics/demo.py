"""Demo login history (a ``DEMO_STEPS`` step): a few weeks of login sessions for the demo students.

Deterministic (seeded by user id) and idempotent: it adds nothing once the demo sessions exist
(they come from the documentation address range 198.51.100.0/24).  One insert for all rows.
Every seventh demo student never signs in, so the classroom pages have someone to list there.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from lms.auth.models import Role, User, UserSession
from lms.common.types import utcnow
from lms.core.localtime import local_today
from lms.core.organization import current_organization
from lms.extensions import db

DEMO_DAYS = 28
DEMO_IP_PREFIX = "198.51.100."
AGENTS = [
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
]


def seed_login_history(users: dict[str, User]) -> None:
    if db.session.scalar(select(UserSession.id).where(UserSession.ip.like(f"{DEMO_IP_PREFIX}%")).limit(1)):
        return
    students = list(db.session.scalars(select(User).where(
        User.role == Role.STUDENT,
        (User.email.like("%@demo.example.org")) | (User.email.in_(["student@example.org", "student2@example.org"])))
        .order_by(User.id)))
    tz = ZoneInfo(current_organization().timezone or "Asia/Bangkok")
    today, now = local_today(), utcnow()
    rows = []
    for index, student in enumerate(students):
        if index % 7 == 6 and not student.email.endswith("@example.org"):
            continue  # never signs in
        rng = random.Random(student.id * 7919)
        quiet_days = 10 if index % 11 == 5 else 0  # someone not seen for a while
        habit_hour = rng.choice([7, 12, 16, 17, 19, 20])
        for days_ago in range(DEMO_DAYS, quiet_days, -1):
            day = today - timedelta(days=days_ago)
            chance = 0.45 if day.weekday() >= 5 else 0.75
            for _n in range(rng.choice([1, 1, 1, 2])):
                if rng.random() > chance:
                    continue
                hour = min(max(habit_hour + rng.randint(-2, 2), 6), 22)
                start_local = datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=tz)
                started = start_local.astimezone(ZoneInfo("UTC"))
                seconds = rng.randint(4, 75) * 60
                ended = started + timedelta(seconds=seconds)
                if ended >= now:
                    continue
                rows.append({"user_id": student.id, "started_at": started, "last_active_at": ended,
                             "ended_at": ended, "duration_seconds": seconds,
                             "end_reason": rng.choice(["LOGOUT", "EXPIRED", "EXPIRED"]),
                             "ip": f"{DEMO_IP_PREFIX}{rng.randint(1, 254)}", "user_agent": rng.choice(AGENTS)})
    if rows:
        db.session.execute(insert(UserSession), rows)
