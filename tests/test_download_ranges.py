"""``Range: bytes=-N`` with N beyond the file's size selects the whole file (RFC 9110 §14.1.2), on every
route that sends a file: resource downloads and thumbnails, the school's logo, static files."""

import io

import pytest

from tests.factories import png_bytes
from tests.test_school_organization import PNG, SETTINGS


def _check_whole_file_for_long_suffixes(client, url: str) -> bytes:
    full = client.get(url)
    assert full.status_code == 200
    data, size = full.data, len(full.data)
    for suffix in (size + 1, size * 10, 10**12):
        response = client.get(url, headers={"Range": f"bytes=-{suffix}"})
        assert response.status_code == 206, (url, suffix, response.status_code)
        assert response.data == data
        assert response.headers["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    exact = client.get(url, headers={"Range": f"bytes=-{size}"})
    assert exact.status_code == 206 and exact.data == data
    tail = client.get(url, headers={"Range": "bytes=-3"})
    assert tail.status_code == 206 and tail.data == data[-3:]
    # Still unsatisfiable: a start past the end, and a zero-length suffix.
    assert client.get(url, headers={"Range": f"bytes={size + 5}-"}).status_code == 416
    assert client.get(url, headers={"Range": "bytes=-0"}).status_code == 416
    return data


@pytest.fixture
def teacher_with_files(make, auth):
    teacher = make.teacher("P1/1")
    document = make.resource(teacher, b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", "worksheet.pdf")
    image = make.resource(teacher, png_bytes(), "picture.png")
    auth.login(teacher)
    return document, image


def test_resource_downloads_and_thumbnails(client, teacher_with_files):
    document, image = teacher_with_files
    assert _check_whole_file_for_long_suffixes(client, f"/resources/{document.id}/download").startswith(b"%PDF")
    _check_whole_file_for_long_suffixes(client, f"/resources/{image.id}/download")
    _check_whole_file_for_long_suffixes(client, f"/resources/{image.id}/thumbnail")


def test_the_logo_and_static_files(client, as_role, make):
    make.school()
    as_role("ADMIN")
    client.post("/admin/organization", data={**SETTINGS, "logo": (io.BytesIO(PNG), "logo.png")},
                content_type="multipart/form-data")
    assert _check_whole_file_for_long_suffixes(client, "/organization/logo") == PNG
    _check_whole_file_for_long_suffixes(client, "/static/css/app.css")
