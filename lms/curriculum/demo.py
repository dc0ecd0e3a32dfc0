"""Demo curriculum (a ``DEMO_STEPS`` step; idempotent).

Core subjects Mathematics, Thai, English and Science; "Mathematics P1" (all of P1) taught by
teacher@example.org with a published unit, part and sections, markdown content and a small
image; "English P2" taught by teacher2@example.org.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from lms.auth.models import User
from lms.curriculum import tree
from lms.curriculum.models import CoreSubject, Part, Section, Subject, SubjectTeacher, Unit
from lms.extensions import db
from lms.school.models import Level

CORE_SUBJECTS = ["Mathematics", "Thai", "English", "Science"]

MATH_CONTENT = {
    "Counting in tens": (
        "## Tens\n\n"
        "Ten ones make **one ten**. Count the rows of dots: *10, 20, 30…*\n\n"
        "![Ten rows of dots]({image})\n\n"
        "- 3 tens = 30\n- 7 tens = 70\n\n"
        "| tens | number |\n|---|---|\n| 4 | 40 |\n| 9 | 90 |\n"),
    "Comparing numbers": (
        "## Which is bigger?\n\n"
        "Compare the **tens** first, then the ones.\n\n"
        "1. 45 or 54? 54 has more tens.\n2. 62 or 68? Same tens: 68 has more ones.\n"),
}


def _core(name: str) -> CoreSubject:
    core = db.session.scalar(select(CoreSubject).where(CoreSubject.name == name))
    if core is None:
        core = CoreSubject(name=name)
        db.session.add(core)
        db.session.flush()
    return core


def _subject(core: CoreSubject, level_code: str, name: str, teacher: User) -> Subject:
    level = db.session.scalar(select(Level).where(Level.code == level_code))
    subject = db.session.scalar(select(Subject).where(Subject.name == name, Subject.level_id == level.id))
    if subject is None:
        subject = Subject(core_subject=core, level=level, name=name, created_by_id=teacher.id)
        db.session.add(subject)
        db.session.flush()
    if not db.session.scalar(select(SubjectTeacher.id).where(SubjectTeacher.subject_id == subject.id,
                                                             SubjectTeacher.teacher_id == teacher.id)):
        db.session.add(SubjectTeacher(subject=subject, teacher=teacher))
        db.session.flush()
    return subject


def _child(parent, title: str, actor: User):
    """The published child titled ``title`` (created when missing)."""
    model, attr = {Subject: (Unit, "subject_id"), Unit: (Part, "unit_id"), Part: (Section, "part_id")}[type(parent)]
    node = db.session.scalar(select(model).where(getattr(model, attr) == parent.id, model.title == title))
    if node is None:
        node = tree.add_child(actor, parent, title, published=True)
    return node


def _demo_png() -> bytes:
    """A tiny picture: ten rows of dots."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (200, 120), "white")
    draw = ImageDraw.Draw(image)
    for row in range(3):
        for col in range(10):
            x, y = 10 + col * 19, 20 + row * 35
            draw.ellipse((x, y, x + 12, y + 12), fill=(11, 92, 173))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _image_resource(teacher: User, section: Section):
    # upward calls: demo sections get files (the import contract lists them)
    from lms.resources import services as resources
    from lms.resources.models import Resource, SectionResource

    resource = db.session.scalar(select(Resource).where(Resource.owner_id == teacher.id,
                                                        Resource.label == "tens-dots"))
    if resource is None:
        resource = resources.upload(teacher, io.BytesIO(_demo_png()), "tens-dots.png", title="Ten rows of dots",
                                    label="tens-dots", description="Three rows of ten dots")
    if not db.session.scalar(select(SectionResource.id).where(SectionResource.section_id == section.id,
                                                              SectionResource.resource_id == resource.id)):
        resources.attach(teacher, section, resource)
    return resource


def seed_curriculum(users: dict[str, User]) -> None:
    cores = {name: _core(name) for name in CORE_SUBJECTS}
    teacher, teacher2 = users["teacher@example.org"], users["teacher2@example.org"]

    math = _subject(cores["Mathematics"], "P1", "Mathematics P1", teacher)
    unit = _child(math, "Numbers to 100", teacher)
    part = _child(unit, "Tens and ones", teacher)
    first = _child(part, "Counting in tens", teacher)
    second = _child(part, "Comparing numbers", teacher)
    image = _image_resource(teacher, first)
    for section in (first, second):
        if not section.content:
            section.content = MATH_CONTENT[section.title].format(image=f"/resources/{image.id}/download")
    _child(_child(math, "Shapes", teacher), "Flat shapes", teacher)

    english = _subject(cores["English"], "P2", "English P2", teacher2)
    greetings = _child(_child(english, "Hello!", teacher2), "Greetings", teacher2)
    for title, text in (("Saying hello", "Say **hello** and your name: *Hello, I am Sara.*"),
                        ("Saying goodbye", "Wave and say **goodbye** or **see you**.")):
        section = _child(greetings, title, teacher2)
        if not section.content:
            section.content = text
    db.session.flush()
