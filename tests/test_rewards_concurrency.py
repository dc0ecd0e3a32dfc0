"""Two runs of the badges-and-points job at the same moment give each point and each badge once.

Runs on PostgreSQL (each thread's transaction on its own connection; the unique keys decide).
SQLite serialises writers, so there the test is skipped with the reason shown.
"""

import threading

import pytest

from lms.rewards import ledger
from lms.rewards.models import BadgeAward, PointEntry
from tests.conftest import TEST_DATABASE_URL
from tests.test_assessments_concurrency import _in_parallel
from tests.test_rewards import School, badge, progress

pytestmark = [
    pytest.mark.skipif(not TEST_DATABASE_URL,
                       reason="concurrency needs PostgreSQL (LMS_TEST_DATABASE_URL); SQLite serialises writers"),
    pytest.mark.committed,  # each thread has its own connection
]


def test_two_runs_at_once_award_each_event_and_badge_once(app, make, db, monkeypatch):
    s = School(make)
    make.attendance(s.meetings[0], s.student, "PRESENT")
    make.attendance(s.meetings[1], s.classmate, "LATE")
    progress(make, s.student, s.nodes["One"])
    badge(make, "First steps", "SESSIONS_ATTENDED", 1)

    # Both runs read the same candidates before either writes: the race the unique keys settle.
    together = threading.Barrier(2)
    for name in ("point_candidates", "badge_candidates"):
        original = getattr(ledger, name)

        def waiting(*args, _original=original, **kwargs):
            found = _original(*args, **kwargs)
            together.wait(timeout=20)
            return found

        monkeypatch.setattr(ledger, name, waiting)

    from lms.rewards.jobs import award_points_and_badges

    runs = _in_parallel(app, award_points_and_badges, 2)
    assert sorted(r.points for r in runs) == [0, 3]
    assert sorted(r.badges for r in runs) == [0, 2]
    assert db.count(PointEntry) == 3
    assert db.count(BadgeAward) == 2
