"""Demo messages and help requests (a ``DEMO_STEPS`` step; idempotent).

parent@example.org and teacher@example.org talk about student@example.org (the parent wrote, the
teacher answered, the parent has not read the answer yet); student@example.org has one open and one
answered help request about the section "Comparing numbers" of "Mathematics P1".
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.common.types import utcnow
from lms.conversations.models import HelpContext, HelpRequest, HelpStatus, Message, MessageThread
from lms.curriculum.models import Part, Section, Subject, Unit
from lms.extensions import db

CONVERSATION = (
    ("parent", 26, "Hello, my child was ill on Monday. Is there homework to catch up on?"),
    ("teacher", 25, "Thank you for telling me. The “Comparing numbers” homework can be done this week; "
                    "the due date is in three days.\nGet well soon!"),
)
OPEN_QUESTION = "I don't understand when to use > and <. Which way does the arrow point?"
ANSWERED_QUESTION = "Is 70 bigger than 17?"
ANSWER = "Yes: 70 has 7 tens and 17 has only 1 ten, so 70 > 17."


def _thread(parent: User, teacher: User, student: User) -> None:
    if db.session.scalar(select(MessageThread.id).where(MessageThread.parent_id == parent.id,
                                                        MessageThread.teacher_id == teacher.id,
                                                        MessageThread.student_id == student.id)):
        return
    now = utcnow()
    thread = MessageThread(student_id=student.id, teacher_id=teacher.id, parent_id=parent.id, last_message_at=now)
    db.session.add(thread)
    db.session.flush()
    for who, hours_ago, body in CONVERSATION:
        at = now - timedelta(hours=hours_ago)
        author = parent if who == "parent" else teacher
        db.session.add(Message(thread_id=thread.id, author_id=author.id, body=body, created_at=at))
        thread.last_message_at = at
    thread.parent_read_at = now - timedelta(hours=26)
    thread.teacher_read_at = thread.last_message_at


def _section() -> Section | None:
    return db.session.scalar(
        select(Section).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
        .join(Subject, Subject.id == Unit.subject_id)
        .where(Subject.name == "Mathematics P1", Section.title == "Comparing numbers"))


def _help_requests(student: User, teacher: User) -> None:
    section = _section()
    if section is None or db.session.scalar(select(HelpRequest.id).where(HelpRequest.student_id == student.id)):
        return
    now = utcnow()
    db.session.add(HelpRequest(student_id=student.id, context_kind=HelpContext.SECTION, section_id=section.id,
                               question=OPEN_QUESTION, status=HelpStatus.OPEN, created_at=now - timedelta(hours=3)))
    db.session.add(HelpRequest(student_id=student.id, context_kind=HelpContext.SECTION, section_id=section.id,
                               question=ANSWERED_QUESTION, status=HelpStatus.ANSWERED, answer=ANSWER,
                               answered_by_id=teacher.id, answered_at=now - timedelta(days=1),
                               created_at=now - timedelta(days=1, hours=2)))


def seed_conversations(users: dict[str, User]) -> None:
    parent, teacher = users.get("parent@example.org"), users.get("teacher@example.org")
    student = users.get("student@example.org")
    if parent is None or teacher is None or student is None:
        return
    _thread(parent, teacher, student)
    _help_requests(student, teacher)
    db.session.flush()
