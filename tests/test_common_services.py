"""The services' shared pieces: flush_or_raise, clean_title, get_visible."""

import pytest
from sqlalchemy import func, select

from lms.common.errors import Conflict, NotFound, ValidationFailed
from lms.common.services import clean_title, flush_or_raise, get_visible
from lms.extensions import db as _db
from lms.school.models import Level


def test_a_conflict_rolls_back_only_the_savepoint_and_the_session_goes_on(app, db):
    with db.ctx() as session:
        session.add(Level(code="Z0", name="Taken", position=89))
        session.commit()
    with db.ctx() as session:
        taken = "Z0"
        kept = Level(code="Z9", name="Kept", position=90)
        session.add(kept)  # a change before the block survives the refused one
        with pytest.raises(Conflict, match="taken"):
            with flush_or_raise(Conflict("taken")):
                session.add(Level(code=taken, name="Twin", position=91))
        # The session is still usable (no PendingRollbackError) and the earlier change is there.
        assert session.scalar(select(func.count()).select_from(Level).where(Level.code == "Z9")) == 1
        with flush_or_raise(Conflict("taken")):
            session.add(Level(code="Z8", name="Next", position=92))
        session.commit()
    assert db.count(Level, Level.code.in_(["Z8", "Z9"])) == 2
    assert db.count(Level, Level.name == "Twin") == 0


def test_flush_or_raise_lets_other_errors_through(app, db):
    with db.ctx() as session:
        with pytest.raises(ValidationFailed):
            with flush_or_raise(Conflict("taken")):
                session.add(Level(code="Z7", name="Gone", position=93))
                raise ValidationFailed("no")
        assert session.scalar(select(func.count()).select_from(Level).where(Level.code == "Z7")) == 0


@pytest.mark.parametrize("raw, fallback, expected", [
    ("  A   title\n", "", "A title"), ("", "photo", "photo"), (None, "x", "x"), ("x" * 10, "", "x" * 10),
])
def test_clean_title(app, raw, fallback, expected):
    with app.test_request_context():
        assert clean_title(raw, max_length=10, fallback=fallback) == expected


@pytest.mark.parametrize("raw", ["", "   ", None, "x" * 11])
def test_clean_title_refuses_blank_and_long_titles(app, raw):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as caught:
            clean_title(raw, max_length=10)
        assert caught.value.field == "title"


def test_get_visible(app, db):
    with db.ctx():
        level = Level(code="Z6", name="Seen", position=94)
        _db.session.add(level)
        _db.session.flush()
        assert get_visible(select(Level), Level, str(level.id), "missing") is level
        for raw in ("abc", "", None, "999999", str(level.id)):
            hidden = select(Level).where(Level.id != level.id)
            with pytest.raises(NotFound, match="missing"):
                get_visible(hidden, Level, raw, "missing")
        with pytest.raises(Conflict):
            get_visible(select(Level).where(Level.id < 0), Level, level.id, Conflict("gone"))
