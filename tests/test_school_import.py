"""/students/import: preview with per-row errors, then all or nothing; template; speed."""

import io
import re
import time

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.school.models import ClassroomMembership, StudentProfile

HEADER = "student_number,full_name,email,classroom,date_of_birth,status\n"


def upload(client, text: str, encoding="utf-8", name="students.csv"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post("/students/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no import button in the preview"
    return match.group(1)


def test_template_download(client, as_role):
    as_role("ADMIN")
    response = client.get("/students/import/template.csv")
    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode())
    assert response.data.decode("utf-8-sig").splitlines()[0] == "student_number,full_name,email,username,classroom,date_of_birth,status"
    assert "attachment" in response.headers["Content-Disposition"]


def test_good_file_previews_then_imports(client, as_role, make, db):
    make.classroom("P1/1")
    make.classroom("P2/1")
    as_role("ADMIN")
    text = "\ufeff" + HEADER + (
        "S1,สมชาย ใจดี,somchai@example.org,P1/1,14/05/2562,\n"
        "S2,Suda Srisuk,SUDA@example.org,p2/1,2018-01-31,ACTIVE\n"
        ",No Class Yet,noclass@example.org,,,\n")
    preview = upload(client, text)
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "3 students are ready to import" in body
    assert db.count(User) == 1  # only the admin: nothing stored yet
    response = client.post("/students/import/confirm", data={"token": token_of(preview)})
    assert response.status_code == 303
    somchai = db.scalar(select(User).where(User.email == "somchai@example.org"))
    assert somchai.full_name == "สมชาย ใจดี" and somchai.role == "STUDENT"
    assert str(db.get(StudentProfile, somchai.id).date_of_birth) == "2019-05-14"  # Buddhist-era year
    assert db.scalar(select(User).where(User.email == "suda@example.org")) is not None
    placed = {m.classroom.name for m in db.scalars(select(ClassroomMembership))}
    assert placed == {"P1/1", "P2/1"}
    assert db.count(StudentProfile) == 3
    assert db.scalar(select(AuditLog).where(AuditLog.action == "student.import")).details["count"] == 3
    # The stash is single use.
    again = client.post("/students/import/confirm", data={"token": token_of(preview)})
    assert "expired" in again.get_data(as_text=True) and db.count(StudentProfile) == 3


def test_one_bad_row_imports_nothing_and_names_the_row(client, as_role, make, db):
    make.classroom("P1/1")
    make.student(number="TAKEN-1")
    as_role("ADMIN")
    before = db.count(User)
    text = HEADER + (
        "A1,Good One,good1@example.org,P1/1,,\n"
        "A2,Good Two,good2@example.org,P1/1,,\n"
        "A3,Bad Email,not-an-email,P1/1,,\n"
        "A4,Good Four,good4@example.org,P1/1,,\n")
    response = upload(client, text)
    body = response.get_data(as_text=True)
    assert "Nothing was imported" in body
    assert "Row 4:" in body and "not-an-email" in body  # the header is row 1
    assert "Row 2:" not in body
    assert 'name="token"' not in body
    assert db.count(User) == before


def test_each_kind_of_bad_row_is_reported(client, as_role, make, db):
    make.classroom("P1/1")
    make.classroom("P1/2", archived=True)
    make.student(number="TAKEN-1", email="taken@example.org")
    as_role("ADMIN")
    text = HEADER + (
        "B1,,missing@example.org,,,\n"                 # row 2: missing name
        "TAKEN-1,Number Taken,n1@example.org,,,\n"     # row 3: number in the DB
        "B3,Twin One,twin@example.org,,,\n"            # row 4
        "B3,Twin Two,twin@example.org,,,\n"            # row 5: duplicate number and email in the file
        "B5,Unknown Room,room@example.org,P9/9,,\n"    # row 6: unknown classroom
        "B6,Email Taken,taken@example.org,,,\n"        # row 7: email in the DB
        "B7,Archived Room,arch@example.org,P1/2,,\n"   # row 8: archived classroom
        "B8,Bad Date,date@example.org,,31/02/2019,\n"  # row 9: bad date
        "B9,Bad Status,status@example.org,,,MAYBE\n")  # row 10
    body = upload(client, text).get_data(as_text=True)
    assert "Row 2: The full name is missing." in body
    assert "Row 3: Student number TAKEN-1 is already used" in body
    assert "Row 5:" in body and "also on row 4" in body
    assert "Row 6: There is no classroom P9/9 in 2026." in body
    assert "Row 7: taken@example.org already has an account." in body
    assert "Row 8: P1/2 is archived." in body
    assert "Row 9:" in body and "31/02/2019" in body
    assert "Row 10: Unknown status" in body
    assert "Row 4:" not in body


def test_confirming_a_file_that_became_invalid_imports_nothing(client, as_role, make, db):
    as_role("ADMIN")
    preview = upload(client, HEADER + "C1,Late Clash,late@example.org,,,\n")
    make.student(email="late@example.org")  # someone else took the email meanwhile
    before = db.count(User)
    response = client.post("/students/import/confirm", data={"token": token_of(preview)})
    body = response.get_data(as_text=True)
    assert "Nothing was imported" in body and "Row 2: late@example.org already has an account." in body
    assert db.count(User) == before


def test_bad_files_get_a_clear_message(client, as_role, db):
    as_role("ADMIN")
    assert "Choose a CSV file" in client.post("/students/import", data={},
                                              content_type="multipart/form-data").get_data(as_text=True)
    assert "must name the columns" in upload(client, "name;mail\nX;y\n").get_data(as_text=True)
    assert "The file is empty." in upload(client, "").get_data(as_text=True)
    assert "no students" in upload(client, HEADER).get_data(as_text=True)
    assert "Unknown column" in upload(client, "full_name,email,shoe_size\nA,a@example.org,42\n").get_data(as_text=True)
    # A Thai Windows (cp874) file and a semicolon-separated one are read.
    thai = upload(client, "full_name;email\nสมหญิง;somying@example.org\n", encoding="cp874")
    assert "1 student is ready to import" in thai.get_data(as_text=True)
    assert db.count(User) == 1


def test_forged_or_foreign_tokens_are_refused(client, as_role, make, db):
    as_role("ADMIN")
    preview = upload(client, HEADER + "D1,Someone,someone@example.org,,,\n")
    token = token_of(preview)
    client.post("/auth/logout")
    as_role("ADMIN")  # another admin cannot use the first admin's upload
    response = client.post("/students/import/confirm", data={"token": token})
    assert "expired" in response.get_data(as_text=True)
    assert "expired" in client.post("/students/import/confirm",
                                    data={"token": "../../etc/passwd"}).get_data(as_text=True)
    assert db.scalar(select(User).where(User.email == "someone@example.org")) is None


def test_only_admins_import(client, as_role):
    as_role("TEACHER")
    assert client.get("/students/import").status_code == 403
    assert client.post("/students/import/confirm", data={"token": "x" * 20}).status_code == 403


def test_a_thousand_rows_import_in_under_ten_seconds(client, as_role, make, db):
    for n in range(1, 7):
        make.classroom(f"P{n}/1")
    as_role("ADMIN")
    rows = [f"K{i:05d},Student {i},student{i}@bulk.example.org,P{i % 6 + 1}/1,2015-01-01,"
            for i in range(1000)]
    started = time.monotonic()
    preview = upload(client, HEADER + "\n".join(rows) + "\n")
    assert "1000 students are ready to import" in preview.get_data(as_text=True)
    response = client.post("/students/import/confirm", data={"token": token_of(preview)})
    elapsed = time.monotonic() - started
    assert response.status_code == 303
    assert db.count(StudentProfile) == 1000
    assert db.count(ClassroomMembership) == 1000
    assert elapsed < 10, f"import took {elapsed:.1f}s"


def test_one_imported_student_is_counted_in_the_singular(client, as_role, make, db):
    make.classroom("P1/1")
    as_role("ADMIN")
    preview = upload(client, HEADER + "S1,Only One,only@example.org,P1/1,,\n")
    response = client.post("/students/import/confirm", data={"token": token_of(preview)}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "1 student was imported." in body and "1 students" not in body
