"""Virus scanning with a real clamd (started here on a unix socket in a temporary folder, with a
one-signature database of its own: no network, no freshclam) and fail-closed behaviour."""

import io
import os
import shutil
import socket
import subprocess
import time

import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.resources.models import Resource, StoredFile
from tests import sample_files as samples
from tests.factories import png_bytes
from tests.test_resources_upload import storage_files, upload

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
SIGNATURE = "Lms-Test-Eicar"


@pytest.fixture(scope="module")
def clamd_socket(tmp_path_factory):
    """A clamd of its own, knowing only the EICAR test string (one .ndb body signature)."""
    if not os.path.exists(CLAMD):
        pytest.skip("needs ClamAV's clamd (apt-get install clamav-daemon; bin/setup --test installs it as root)")
    folder = tmp_path_factory.mktemp("clamd")
    database = folder / "db"
    database.mkdir()
    # A body signature: the EICAR string anywhere in any file (ndb: name:target:offset:hex).
    (database / "test.ndb").write_text(f"{SIGNATURE}:0:*:{samples.EICAR.hex()}\n")
    sock = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(f"LocalSocket {sock}\nDatabaseDirectory {database}\nTemporaryDirectory {folder}\n"
                      f"Foreground yes\nLogFile {folder / 'clamd.log'}\nLogVerbose yes\nStreamMaxLength 1M\n")
    process = subprocess.Popen([CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not _answers(sock):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
                pytest.fail(f"clamd did not start:\n{log[-2000:]}")
            time.sleep(0.05)
        log = (folder / "clamd.log").read_text()
        assert "Loaded 1 signatures." in log, log  # only the database written above
        yield str(sock)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(path))
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture
def scanning(app, monkeypatch, clamd_socket):
    monkeypatch.setitem(app.config, "CLAMAV_SOCKET", clamd_socket)
    return clamd_socket


@pytest.mark.clamav
def test_an_infected_upload_is_refused_audited_and_nothing_is_stored(client, as_role, db, app, scanning):
    teacher = as_role("TEACHER")
    before = storage_files(app)
    response = upload(client, samples.EICAR, "notes.txt")
    assert response.status_code == 422
    assert f"the virus scanner found “{SIGNATURE}" in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and db.count(StoredFile) == 0 and storage_files(app) == before
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "upload.infected"))
    assert entry.actor_id == teacher.id and entry.details["filename"] == "notes.txt"
    assert entry.details["signature"].startswith(SIGNATURE)
    # Clean files still go through the scanner and are kept.
    assert upload(client, png_bytes(), "clean.png").status_code == 204
    assert upload(client, samples.pdf(), "clean.pdf").status_code == 204
    assert db.count(Resource) == 2


@pytest.mark.clamav
def test_an_infected_logo_is_refused(client, as_role, make, db, app, scanning):
    from pathlib import Path

    from lms.core.models import Organization
    from tests.test_school_organization import SETTINGS

    make.school()
    admin = as_role("ADMIN")
    folder = Path(app.config["STORAGE_DIR"]) / "organization"
    before = set(folder.iterdir()) if folder.exists() else set()
    infected = samples.png_with_text(samples.EICAR.decode())  # a real PNG carrying the test string
    response = client.post("/admin/organization", data={**SETTINGS, "logo": (io.BytesIO(infected), "logo.png")},
                           content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert response.status_code == 422 and "the virus scanner found" in response.get_data(as_text=True)
    assert db.scalar(select(Organization)).logo_file is None
    assert (set(folder.iterdir()) if folder.exists() else set()) == before
    assert db.scalar(select(AuditLog.actor_id).where(AuditLog.action == "upload.infected")) == admin.id


@pytest.mark.clamav
def test_a_file_longer_than_the_scanner_accepts_is_refused_saying_so(client, as_role, db, app, scanning):
    as_role("TEACHER")
    big = b"%PDF-1.4\n" + b"x" * (1024 * 1024 + 10) + b"\n%%EOF\n"  # this clamd's StreamMaxLength is 1M
    response = upload(client, big, "long.pdf")
    assert response.status_code == 422
    assert "larger than the virus scanner accepts" in response.get_data(as_text=True)
    assert db.count(Resource) == 0


def test_a_configured_scanner_that_cannot_be_reached_refuses_uploads(client, as_role, db, app, monkeypatch,
                                                                     tmp_path):
    as_role("TEACHER")
    monkeypatch.setitem(app.config, "CLAMAV_SOCKET", str(tmp_path / "nobody-listens.sock"))
    before = storage_files(app)
    response = upload(client, png_bytes(), "picture.png")
    assert response.status_code == 422
    assert "virus scanning is unavailable, try again later" in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and db.count(StoredFile) == 0 and storage_files(app) == before


def test_a_scanner_on_a_closed_tcp_port_refuses_uploads_too(client, as_role, db, app, monkeypatch):
    as_role("TEACHER")
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "CLAMAV_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "CLAMAV_PORT", port)
    response = upload(client, png_bytes(), "picture.png")
    assert response.status_code == 422 and "virus scanning is unavailable" in response.get_data(as_text=True)
    assert db.count(Resource) == 0


def test_scanning_is_off_unless_configured():
    from lms.config import load_config

    config = load_config(environ={})
    assert config["CLAMAV_SOCKET"] == "" and config["CLAMAV_HOST"] == "" and config["CLAMAV_PORT"] == 3310
    config = load_config(environ={"CLAMAV_HOST": "clamav.internal", "CLAMAV_PORT": "3311"})
    assert config["CLAMAV_HOST"] == "clamav.internal" and config["CLAMAV_PORT"] == 3311
