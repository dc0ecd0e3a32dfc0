"""Centres (sites of the organization), their rooms, and centre membership of people.

Teachers, students and supervisors belong to zero or more centres (``CentreMembership``); a teaching
session belongs to at most one centre (``course_session.centre_id``). Names are unique
case-insensitively: ``name_key`` is the name lower-cased in Python (the same for Thai and Latin
letters on both databases).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.common.models import CreatedAt, IdKey, Timestamps
from lms.common.types import UTCDateTime
from lms.extensions import db

CENTRE_NAME_MAX = 100
CENTRE_ADDRESS_MAX = 500
ROOM_NAME_MAX = 60
ROOM_CAPACITY_MAX = 10_000


def name_key(name: str) -> str:
    return name.lower()


class Centre(IdKey, Timestamps, db.Model):
    """A site of the organization ("Sukhumvit branch"). ``timezone`` only when it differs from the
    organization's; archived centres keep their history but take no new sessions or members."""

    __tablename__ = "centre"
    __table_args__ = (
        CheckConstraint(f"length(name) BETWEEN 1 AND {CENTRE_NAME_MAX}", name="name_length"),
        CheckConstraint(f"length(address) <= {CENTRE_ADDRESS_MAX}", name="address_length"),
    )

    name: Mapped[str] = mapped_column(String(CENTRE_NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(2 * CENTRE_NAME_MAX), unique=True)
    address: Mapped[str] = mapped_column(String(CENTRE_ADDRESS_MAX), default="", server_default="")
    timezone: Mapped[str | None] = mapped_column(String(50))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    rooms = relationship("Room", back_populates="centre", lazy="raise_on_sql", order_by="Room.name_key")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Room(IdKey, Timestamps, db.Model):
    """A room of a centre where in-person teaching-session meetings take place."""

    __tablename__ = "room"
    __table_args__ = (
        CheckConstraint(f"length(name) BETWEEN 1 AND {ROOM_NAME_MAX}", name="name_length"),
        CheckConstraint(f"capacity IS NULL OR capacity BETWEEN 1 AND {ROOM_CAPACITY_MAX}",
                        name="capacity_range"),
        UniqueConstraint("centre_id", "name_key", name="uq_room_centre_name"),
        # The target of course_session's (room_id, centre_id) foreign key: a session's room is in
        # the session's centre, checked by the database.
        UniqueConstraint("id", "centre_id", name="uq_room_id_centre"),
    )

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(ROOM_NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(2 * ROOM_NAME_MAX))
    capacity: Mapped[int | None] = mapped_column(Integer)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    centre = relationship("Centre", back_populates="rooms", lazy="raise_on_sql")


class CentreMembership(IdKey, CreatedAt, db.Model):
    """A teacher, student or supervisor belongs to a centre (one row per person and centre)."""

    __tablename__ = "centre_membership"
    __table_args__ = (UniqueConstraint("centre_id", "user_id", name="uq_centre_membership_centre_user"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    centre = relationship("Centre", lazy="raise_on_sql")
