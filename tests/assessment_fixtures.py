"""Shared set-up for the assessment tests: each module's ``course`` fixture calls ``build_course``."""

from types import SimpleNamespace

HX = {"HX-Request": "true"}


def build_course(make):
    """teacher teaches "Mathematics P1" (whole P1) with a published tree; student is in P1/1,
    other_student in P2/1; other_teacher teaches P2/1's English."""
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting", "Comparing"]}, "Shapes": {"Flat": ["Circles"]}})
    student = make.student("P1/1")
    other_teacher = make.teacher("P2/1")
    other_subject = make.subject("P2/1", core="English", teachers=[other_teacher])
    other_ids = make.tree(other_subject, {"Hello": {"Greetings": ["Saying hello"]}})
    other_student = make.student("P2/1")
    return SimpleNamespace(teacher=teacher, subject=subject, ids=ids, student=student, other_teacher=other_teacher,
                           other_subject=other_subject, other_ids=other_ids, other_student=other_student)
