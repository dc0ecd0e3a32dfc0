"""/admin/organization (settings, logo) and /admin/levels."""

import io
from pathlib import Path

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.core.models import Organization
from lms.school.models import Level
from tests import sample_files as samples
from tests.factories import png_bytes

HX = {"HX-Request": "true"}
PNG = png_bytes()
SETTINGS = {"name": "Wat School", "timezone": "Asia/Bangkok", "locale": "th", "academic_year": "2569",
            "session_timeout_minutes": "15", "heartbeat_seconds": "30", "classes_per_level": "8",
            "invitation_days": "14", "use_buddhist_era": "y"}


def org(db):
    return db.scalar(select(Organization))


def test_levels_come_with_the_organization(make, db):
    make.organization()
    codes = [lv.code for lv in db.scalars(select(Level).order_by(Level.position))]
    assert codes == ["P1", "P2", "P3", "P4", "P5", "P6", "M1", "M2", "M3", "M4", "M5", "M6"]
    make.organization()  # idempotent
    assert db.count(Level) == 12


def test_admin_saves_the_settings_and_they_are_audited(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    page = client.get("/admin/organization").get_data(as_text=True)
    assert 'value="2026"' in page and "Asia/Bangkok" in page
    response = client.post("/admin/organization", data=SETTINGS)
    assert response.status_code == 303
    saved = org(db)
    assert (saved.name, saved.locale, saved.academic_year, saved.session_timeout_minutes, saved.heartbeat_seconds,
            saved.classes_per_level, saved.invitation_days, saved.use_buddhist_era) == (
        "Wat School", "th", "2569", 15, 30, 8, 14, True)
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "organization.update"))
    assert entry.details["changes"]["academic_year"] == ["2026", "2569"]
    assert entry.ip


def test_bad_settings_are_refused_with_a_message(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    for field, value, message in [
        ("timezone", "Mars/Olympus", "Not a valid choice"),
        ("locale", "fr", "Not a valid choice"),
        ("classes_per_level", "0", "between 1 and 50"),
        ("heartbeat_seconds", "5", "between 10 and 600"),
        ("name", "", "This field is required"),
    ]:
        response = client.post("/admin/organization", data={**SETTINGS, field: value}, headers=HX)
        assert response.status_code == 422, field
        body = response.get_data(as_text=True)
        assert message in body and 'id="organization-form"' in body and "<html" not in body
    too_slow = client.post("/admin/organization", data={**SETTINGS, "session_timeout_minutes": "1",
                                                        "heartbeat_seconds": "120"}, headers=HX)
    assert too_slow.status_code == 422 and "heartbeat must be shorter" in too_slow.get_data(as_text=True)
    assert org(db).name != "Wat School"
    assert db.count(AuditLog, AuditLog.action.notin_(("user.login", "user.logout"))) == 0  # sign-ins aside


def test_logo_upload_is_sniffed_stored_and_served(client, as_role, make, db, app):
    make.school()
    as_role("ADMIN")
    response = client.post("/admin/organization", data={**SETTINGS, "logo": (io.BytesIO(PNG), "logo.svg")},
                           content_type="multipart/form-data", headers=HX)
    # Content and name must agree: a PNG named .svg is refused, saying what it really is.
    assert response.status_code == 422
    assert "This file is named .svg but it is a PNG image" in response.get_data(as_text=True)
    assert org(db).logo_file is None
    response = client.post("/admin/organization", data={**SETTINGS, "logo": (io.BytesIO(PNG), "logo.PNG")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    saved = org(db)
    assert saved.logo_content_type == "image/png" and saved.logo_file.endswith(".png")
    stored = Path(app.config["STORAGE_DIR"]) / "organization" / saved.logo_file
    assert stored.read_bytes() == PNG
    served = client.get("/organization/logo")
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert "/organization/logo" in client.get("/classrooms").get_data(as_text=True)  # shown in the header
    # Replacing it removes the old file; removing it stops serving it.
    client.post("/admin/organization", data={**SETTINGS, "logo": (io.BytesIO(png_bytes(color=(0, 0, 9))), "x.png")},
                content_type="multipart/form-data")
    assert not stored.exists()
    client.post("/admin/organization", data={**SETTINGS, "remove_logo": "y"})
    assert org(db).logo_file is None
    assert client.get("/organization/logo").status_code == 404


def test_non_images_are_refused_as_logo(client, as_role, make, db, app):
    make.school()
    as_role("ADMIN")
    storage = Path(app.config["STORAGE_DIR"]) / "organization"
    before = set(storage.iterdir()) if storage.exists() else set()
    for data, name, message in [
            (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.svg", "Web pages, SVG and XML"),
            (b"<html><script>alert(1)</script>", "logo.png", "This file is named .png but it is a web page"),
            (samples.png_with_text("<script>alert(1)</script>"), "logo.png", "Web pages, SVG and XML"),
            (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "logo.png", "The image could not be read"),
            (samples.pdf(), "logo.pdf", "The logo must be a PNG, JPEG, GIF or WebP image"),
            (PNG + b"\x00" * (1024 * 1024), "huge.png", "1 MB")]:
        response = client.post("/admin/organization", data={**SETTINGS, "logo": (io.BytesIO(data), name)},
                               content_type="multipart/form-data", headers=HX)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), name
    assert org(db).logo_file is None and org(db).name != "Wat School"
    assert (set(storage.iterdir()) if storage.exists() else set()) == before


def test_only_admins_change_the_organization(client, as_role, make):
    make.school()
    as_role("TEACHER")
    assert client.get("/admin/organization").status_code == 403
    assert client.post("/admin/organization", data=SETTINGS).status_code == 403
    assert client.get("/admin/levels").status_code == 403


def test_levels_rename_reorder_add_and_delete(client, as_role, make, db):
    make.school()
    make.classroom("P1/1")
    as_role("ADMIN")
    page = client.get("/admin/levels").get_data(as_text=True)
    assert "Prathom 1" in page and "Mathayom 6" in page

    added = client.post("/admin/levels", data={"code": "k1", "name": "Kindergarten 1", "at_start": "y"}, headers=HX)
    assert added.status_code == 200 and 'id="levels"' in added.get_data(as_text=True)
    order = [lv.code for lv in db.scalars(select(Level).order_by(Level.position))]
    assert order[:2] == ["K1", "P1"] and len(order) == 13

    p2 = db.scalar(select(Level).where(Level.code == "P2"))
    client.post(f"/admin/levels/{p2.id}/move", data={"direction": "up"}, headers=HX)
    order = [lv.code for lv in db.scalars(select(Level).order_by(Level.position))]
    assert order[:3] == ["K1", "P2", "P1"]

    client.post(f"/admin/levels/{p2.id}", data={"code": "G2", "name": "Grade 2"}, headers=HX)
    assert db.get(Level, p2.id).code == "G2"
    duplicate = client.post(f"/admin/levels/{p2.id}", data={"code": "P1", "name": "Grade 2"}, headers=HX)
    assert duplicate.status_code == 422 and "already a level P1" in duplicate.get_data(as_text=True)

    p1 = db.scalar(select(Level).where(Level.code == "P1"))
    in_use = client.post(f"/admin/levels/{p1.id}/delete", headers=HX)
    assert in_use.status_code == 422 and "cannot be deleted" in in_use.get_data(as_text=True)
    assert db.get(Level, p1.id) is not None
    k1 = db.scalar(select(Level).where(Level.code == "K1"))
    client.post(f"/admin/levels/{k1.id}/delete", headers=HX)
    assert db.get(Level, k1.id) is None
    assert [lv.position for lv in db.scalars(select(Level).order_by(Level.position))] == list(range(1, 13))
    actions = {e.action for e in db.scalars(select(AuditLog))}
    assert {"level.create", "level.move", "level.update", "level.delete"} <= actions


def test_default_levels_come_back_for_admins_only_and_once(client, as_role, make, db):
    make.school()
    with db.ctx() as session:
        session.execute(Level.__table__.delete())
        session.commit()
    as_role("TEACHER")
    assert client.post("/admin/levels/defaults").status_code == 403
    assert db.count(Level) == 0  # refused: nothing stored
    as_role("ADMIN")
    response = client.post("/admin/levels/defaults", headers=HX)
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith("/admin/levels")
    assert [lv.code for lv in db.scalars(select(Level).order_by(Level.position))] == [
        "P1", "P2", "P3", "P4", "P5", "P6", "M1", "M2", "M3", "M4", "M5", "M6"]
    assert client.post("/admin/levels/defaults").status_code == 303
    assert db.count(Level) == 12  # a second press adds nothing


def test_bad_level_codes_are_refused(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    for code in ("P1", "two words", "<b>"):
        response = client.post("/admin/levels", data={"code": code, "name": "X"}, headers=HX)
        assert response.status_code == 422
    assert db.count(Level) == 12


def test_the_rollover_follows_the_level_order(app, make, db):
    """After K1–K3 are added before P1, K3 students move to P1."""
    from lms.auth.models import User
    from lms.extensions import db as sa_db
    from lms.school import services
    from lms.school.rollover import run_rollover

    make.school()
    admin = make.user(role="ADMIN")
    with app.test_request_context():
        actor = sa_db.session.get(User, admin.id)
        for code in ("K3", "K2", "K1"):
            services.add_level(actor, code, f"Kindergarten {code[1]}", at_start=True)
        sa_db.session.commit()
    student = make.student("K3/1")
    with app.test_request_context():
        run_rollover(sa_db.session.get(User, admin.id), "2027")
        sa_db.session.commit()
    from lms.school.models import ClassroomMembership

    active = db.scalar(select(ClassroomMembership).where(ClassroomMembership.student_id == student.id,
                                                         ClassroomMembership.status == "ACTIVE"))
    assert active.classroom.name == "P1/1"
