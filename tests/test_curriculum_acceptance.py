"""The curriculum's acceptance, with the demo data: a teacher builds a P1 subject from an outline,
reorders, uploads an image; students see it once published; other classrooms get 404."""

import io

from sqlalchemy import select

from lms.curriculum.models import Section, Subject, Unit
from lms.demo import DEMO_PASSWORD
from lms.resources.models import Resource
from lms.school.models import Level
from tests.factories import png_bytes

HX = {"HX-Request": "true"}
OUTLINE = """1 Living things
1.1 Plants
1.1.1 Seeds
1.1.2 Leaves
1.2 Animals
1.2.1 Pets
2 Materials
2.1 Wood and metal
2.1.1 Hard or soft"""


def login(client, email):
    response = client.post("/auth/login", data={"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303


def test_teacher_builds_a_subject_students_see_it_once_published(client, demo, db):
    login(client, "teacher@example.org")
    p1 = db.scalar(select(Level.id).where(Level.code == "P1"))
    core = db.scalar(select(Subject.core_subject_id).where(Subject.name == "Mathematics P1"))
    response = client.post("/subjects/new", data={"core_subject_id": core, "audience": f"level:{p1}",
                                                  "name": "Science P1"})
    assert response.status_code == 303
    subject = db.scalar(select(Subject).where(Subject.name == "Science P1"))
    response = client.post(f"/subjects/{subject.id}/import-outline", data={"outline": OUTLINE, "action": "create"})
    assert response.status_code == 303
    seeds, leaves = (db.scalar(select(Section).where(Section.title == t)) for t in ("Seeds", "Leaves"))
    # Reorder two sections: "Leaves" before "Seeds".
    assert client.post(f"/sections/{leaves.id}/move", data={"index": "0"}, headers=HX).status_code == 200
    order = db.scalars(select(Section.title).where(Section.part_id == seeds.part_id).order_by(Section.position))
    assert order == ["Leaves", "Seeds"]
    # Upload an image into a section.
    response = client.post("/resources/new", data={"file": (io.BytesIO(png_bytes()), "seed.png"), "title": "A seed",
                                                   "section_id": str(seeds.id)},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    image = db.scalar(select(Resource).where(Resource.title == "A seed"))
    client.post("/auth/logout")

    # Not published yet: the student sees the subject but none of its content.
    login(client, "student@example.org")
    page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "Nothing has been published in this subject yet." in page and "Seeds" not in page
    assert client.get(f"/sections/{seeds.id}").status_code == 404
    assert client.get(f"/resources/{image.id}/download").status_code == 404
    client.post("/auth/logout")

    login(client, "teacher@example.org")
    for unit_id in db.scalars(select(Unit.id).where(Unit.subject_id == subject.id)):
        client.post(f"/units/{unit_id}/publish", data={"published": "1", "with_children": "1"}, headers=HX)
    client.post("/auth/logout")

    login(client, "student@example.org")
    page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert page.index("Leaves") < page.index("Seeds")
    section = client.get(f"/sections/{seeds.id}").get_data(as_text=True)
    assert f"/resources/{image.id}/download" in section
    download = client.get(f"/resources/{image.id}/download", headers={"Range": "bytes=0-7"})
    assert download.status_code == 206 and download.data == b"\x89PNG\r\n\x1a\n"
    client.post("/auth/logout")

    # student2@ is in P2/1: the subject and the file do not exist for them.
    login(client, "student2@example.org")
    assert client.get(f"/subjects/{subject.id}").status_code == 404
    assert client.get(f"/sections/{seeds.id}").status_code == 404
    assert client.get(f"/resources/{image.id}/download").status_code == 404


def test_demo_curriculum(client, demo, db):
    login(client, "student@example.org")
    page = client.get("/subjects").get_data(as_text=True)
    assert "Mathematics P1" in page and "English P2" not in page
    math = db.scalar(select(Subject).where(Subject.name == "Mathematics P1"))
    first = db.scalar(select(Section).where(Section.title == "Counting in tens"))
    section = client.get(f"/sections/{first.id}").get_data(as_text=True)
    assert "<strong>one ten</strong>" in section and "<table>" in section
    image = db.scalar(select(Resource).where(Resource.label == "tens-dots"))
    assert f'src="/resources/{image.id}/download"' in section
    assert client.get(f"/resources/{image.id}/download").status_code == 200
    assert client.get(f"/subjects/{math.id}").status_code == 200
    client.post("/auth/logout")
    login(client, "student2@example.org")
    assert client.get(f"/subjects/{math.id}").status_code == 404
    assert client.get(f"/resources/{image.id}/download").status_code == 404
    assert "English P2" in client.get("/subjects").get_data(as_text=True)


def test_demo_is_idempotent(app, demo, db):
    from lms.demo import seed_demo

    counts = (db.count(Subject), db.count(Section), db.count(Resource))
    with app.app_context():
        seed_demo()
    assert (db.count(Subject), db.count(Section), db.count(Resource)) == counts
