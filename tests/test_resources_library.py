"""The library (search, filters, edit, delete), resources in sections (order, labels), and the
authorised download (Range, Content-Disposition, headers)."""

import io

import pytest
from sqlalchemy import select

from lms.resources.models import Resource, SectionResource, StoredFile
from tests.factories import png_bytes

HX = {"HX-Request": "true"}


@pytest.fixture
def course(make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Unit": {"Part": ["Section one", "Section two"]}})
    return teacher, subject, ids


def order_in(db, section_id):
    return db.scalars(select(SectionResource.resource_id).where(SectionResource.section_id == section_id)
                      .order_by(SectionResource.position))


# --- download -----------------------------------------------------------------------------------


def test_download_supports_range_requests(client, auth, course, make):
    teacher, _subject, ids = course
    data = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    resource = make.resource(teacher, data, "worksheet.pdf", section_id=ids["Section one"])
    auth.login(teacher)
    full = client.get(f"/resources/{resource.id}/download")
    assert full.status_code == 200 and full.data == data
    assert full.headers["Accept-Ranges"] == "bytes"
    partial = client.get(f"/resources/{resource.id}/download", headers={"Range": "bytes=100-199"})
    assert partial.status_code == 206
    assert partial.data == data[100:200]
    assert partial.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(f"/resources/{resource.id}/download", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == data[-10:]
    bad = client.get(f"/resources/{resource.id}/download", headers={"Range": f"bytes={len(data) + 5}-"})
    assert bad.status_code == 416


def test_download_headers(client, auth, course, make):
    teacher, _subject, ids = course
    image = make.resource(teacher, png_bytes(), "รูปภาพ แผนที่.png")
    document = make.resource(teacher, b"Plain text notes\n", "notes.txt")
    auth.login(teacher)
    response = client.get(f"/resources/{image.id}/download")
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline")
    assert "filename*=UTF-8''%E0%B8%A3%E0%B8%B9%E0%B8%9B" in disposition  # RFC 5987 for the Thai name
    text = client.get(f"/resources/{document.id}/download")
    assert text.headers["Content-Disposition"].startswith("attachment") and "notes.txt" in text.headers[
        "Content-Disposition"]
    assert text.mimetype == "text/plain"
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"  # one charset, not two
    assert "private" in text.headers["Cache-Control"]


def test_who_may_download(client, auth, course, make, db):
    teacher, subject, ids = course
    attached = make.resource(teacher, png_bytes(color=(1, 1, 1)), "a.png", section_id=ids["Section one"])
    loose = make.resource(teacher, png_bytes(color=(2, 2, 2)), "b.png")
    student = make.student("P1/1")
    parent = make.parent_of(student)
    cases = [
        (student, attached, 200), (student, loose, 404),
        (parent, attached, 200), (parent, loose, 404),
        (make.student("P2/1"), attached, 404),
        (make.teacher(), attached, 404), (make.teacher(), loose, 404),
        (make.user(role="ADMIN"), loose, 200),
    ]
    for user, resource, status in cases:
        auth.login(user)
        assert client.get(f"/resources/{resource.id}/download").status_code == status, (user.role, resource.title)
        auth.logout()
    # Unpublishing the section hides its resources from students.
    with db.ctx() as session:
        from lms.curriculum.models import Section

        session.get(Section, ids["Section one"]).published = False
        session.commit()
    auth.login(student)
    assert client.get(f"/resources/{attached.id}/download").status_code == 404
    assert client.get("/resources/999999/download").status_code == 404


def test_a_link_has_no_download(client, as_role, db):
    as_role("TEACHER")
    client.post("/resources/new", data={"url": "https://example.org/page"}, headers=HX)
    link = db.scalar(select(Resource))
    assert client.get(f"/resources/{link.id}/download").status_code == 404


# --- library ------------------------------------------------------------------------------------


def test_library_search_filters_and_fragment(client, auth, course, make):
    teacher, subject, ids = course
    make.resource(teacher, png_bytes(color=(3, 3, 3)), "map.png", title="World map", label="map-1",
                  section_id=ids["Section one"])
    make.resource(teacher, b"%PDF-1.4\nxx\n%%EOF\n", "sheet.pdf", title="Worksheet", description="Counting practice")
    other = make.teacher()
    make.resource(other, png_bytes(color=(4, 4, 4)), "secret.png", title="Someone else's")
    auth.login(teacher)
    page = client.get("/resources").get_data(as_text=True)
    assert "World map" in page and "Worksheet" in page and "Someone else" not in page
    assert "Worksheet" in client.get("/resources?q=counting").get_data(as_text=True)
    assert "World map" not in client.get("/resources?q=counting").get_data(as_text=True)
    assert "World map" in client.get("/resources?q=MAP-1").get_data(as_text=True)
    kind = client.get("/resources?kind=DOCUMENT", headers=HX).get_data(as_text=True)
    assert "<html" not in kind and "Worksheet" in kind and "World map" not in kind
    by_subject = client.get(f"/resources?subject={subject.id}").get_data(as_text=True)
    assert "World map" in by_subject and "Worksheet" not in by_subject


def test_library_paginates_with_a_fixed_number_of_queries(client, as_role, make, count_queries):
    admin = as_role("ADMIN")
    for n in range(3):
        make.resource(admin, png_bytes(color=(n, 0, 0)), f"{n}.png", title=f"Picture {n}")
    client.get("/resources")
    with count_queries() as few:
        client.get("/resources")
    for n in range(3, 30):
        make.resource(admin, png_bytes(color=(n, 1, 0)), f"{n}.png", title=f"Picture {n}")
    with count_queries() as many:
        page = client.get("/resources").get_data(as_text=True)
    assert "Page 1 of 2" in page
    assert many.count == few.count


def test_owner_edits_title_label_and_description(client, auth, course, make, db):
    teacher, _subject, _ids = course
    resource = make.resource(teacher, png_bytes(), "a.png")
    auth.login(teacher)
    response = client.post(f"/resources/{resource.id}", data={"title": "Dots", "label": "dots-1",
                                                              "description": "Ten dots"}, headers=HX)
    assert response.status_code == 200 and "Saved." in response.get_data(as_text=True)
    saved = db.get(Resource, resource.id)
    assert (saved.title, saved.label, saved.description) == ("Dots", "dots-1", "Ten dots")
    bad = client.post(f"/resources/{resource.id}", data={"title": "Dots", "label": "has space"}, headers=HX)
    assert bad.status_code == 422 and "without spaces" in bad.get_data(as_text=True)
    auth.logout()
    # Another teacher of the subject sees it once attached, but may not change it.
    colleague = make.teacher()
    auth.login(colleague)
    assert client.post(f"/resources/{resource.id}", data={"title": "Mine"}).status_code == 404


def test_labels_are_unique_within_a_section(client, auth, course, make, db):
    teacher, _subject, ids = course
    first = make.resource(teacher, png_bytes(color=(1, 0, 0)), "a.png", label="pic", section_id=ids["Section one"])
    second = make.resource(teacher, png_bytes(color=(0, 1, 0)), "b.png", label="PIC")
    auth.login(teacher)
    response = client.post(f"/sections/{ids['Section one']}/resources", data={"resource_id": second.id},
                           headers=HX)
    assert response.status_code == 422
    assert "already has the label PIC" in response.get_data(as_text=True)
    assert order_in(db, ids["Section one"]) == [first.id]
    # In another section the label is free.
    assert client.post(f"/sections/{ids['Section two']}/resources", data={"resource_id": second.id},
                       headers=HX).status_code == 200
    # Renaming a label into a clash is refused too.
    third = make.resource(teacher, png_bytes(color=(0, 0, 1)), "c.png", label="other",
                          section_id=ids["Section one"])
    response = client.post(f"/resources/{third.id}", data={"title": "c", "label": "Pic"}, headers=HX)
    assert response.status_code == 422 and "already has the label Pic" in response.get_data(as_text=True)
    assert db.get(Resource, third.id).label == "other"


def test_attach_reorder_step_and_detach(client, auth, course, make, db):
    teacher, _subject, ids = course
    section = ids["Section one"]
    a, b, c = (make.resource(teacher, png_bytes(color=(n, 9, 9)), f"{n}.png", title=f"R{n}") for n in range(3))
    auth.login(teacher)
    editor = client.get(f"/sections/{section}/edit").get_data(as_text=True)
    assert "Add from the library" in editor and "R2" in editor
    for resource in (a, b, c):
        response = client.post(f"/sections/{section}/resources", data={"resource_id": resource.id}, headers=HX)
        assert response.status_code == 200 and 'id="section-resources"' in response.get_data(as_text=True)
    assert order_in(db, section) == [a.id, b.id, c.id]
    client.post(f"/sections/{section}/resources/order", data={"resource_id": [c.id, a.id, b.id]}, headers=HX)
    assert order_in(db, section) == [c.id, a.id, b.id]
    client.post(f"/sections/{section}/resources/{b.id}/move", data={"direction": "up"}, headers=HX)
    assert order_in(db, section) == [c.id, b.id, a.id]
    again = client.post(f"/sections/{section}/resources", data={"resource_id": a.id}, headers=HX)
    assert again.status_code == 422 and "already in this section" in again.get_data(as_text=True)
    client.post(f"/sections/{section}/resources/{c.id}/detach", headers=HX)
    assert order_in(db, section) == [b.id, a.id]
    positions = db.scalars(select(SectionResource.position).where(SectionResource.section_id == section)
                           .order_by(SectionResource.position))
    assert positions == [0, 1]
    # The student sees them in that order.
    student = make.student("P1/1")
    auth.logout()
    auth.login(student)
    page = client.get(f"/sections/{section}").get_data(as_text=True)
    assert page.index(f"resource-{b.id}") < page.index(f"resource-{a.id}")


def test_a_teacher_cannot_attach_someone_elses_resource(client, auth, course, make, db):
    teacher, _subject, ids = course
    foreign = make.resource(make.teacher(), png_bytes(color=(7, 7, 7)), "f.png")
    auth.login(teacher)
    response = client.post(f"/sections/{ids['Section one']}/resources", data={"resource_id": foreign.id},
                           headers=HX)
    assert response.status_code == 404 and db.count(SectionResource) == 0


def test_delete_is_refused_while_attached_then_removes_the_file(client, auth, course, make, db, app):
    from pathlib import Path

    teacher, subject, ids = course
    resource = make.resource(teacher, png_bytes(color=(8, 8, 8)), "gone.png", section_id=ids["Section one"])
    stored = db.get(StoredFile, resource.file_id)
    path = Path(app.config["STORAGE_DIR"]) / "resources" / stored.storage_name
    assert path.is_file()
    auth.login(teacher)
    response = client.post(f"/resources/{resource.id}/delete", headers=HX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "is still used in" in body and "Mathematics P1 › Section one" in body
    assert db.count(Resource) == 1
    page = client.get(f"/resources/{resource.id}").get_data(as_text=True)
    assert "Mathematics P1 › Section one" in page
    client.post(f"/sections/{ids['Section one']}/resources/{resource.id}/detach", headers=HX)
    response = client.post(f"/resources/{resource.id}/delete")
    assert response.status_code == 303
    assert db.count(Resource) == 0 and db.count(StoredFile) == 0
    assert not path.exists()
    if stored.thumbnail_name:
        assert not (Path(app.config["STORAGE_DIR"]) / "resources" / stored.thumbnail_name).exists()


def test_deleting_one_of_two_uploads_of_the_same_file_keeps_the_file(client, auth, make, db, app):
    teacher = make.teacher()
    data = png_bytes(color=(6, 6, 6))
    first = make.resource(teacher, data, "one.png")
    make.resource(teacher, data, "two.png")
    auth.login(teacher)
    client.post(f"/resources/{first.id}/delete")
    assert db.count(Resource) == 1 and db.count(StoredFile) == 1


def test_upload_form_and_detail_pages(client, auth, course, make):
    teacher, _subject, ids = course
    auth.login(teacher)
    form = client.get(f"/resources/new?section={ids['Section one']}").get_data(as_text=True)
    assert "Images up to 10 MB" in form and "Section one" in form
    resource = make.resource(teacher, io.BytesIO(png_bytes()).getvalue(), "x.png")
    detail = client.get(f"/resources/{resource.id}").get_data(as_text=True)
    assert "Not attached anywhere." in detail and "8 × 6 px" in detail
