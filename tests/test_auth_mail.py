"""Email: rendered text + HTML, sent by a background job over SMTP (a real server in the test)."""

import logging
import re
import socket
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import select

from lms import create_app
from lms.auth.models import AccountToken, User
from lms.mail import deliver_email, render_email
from tests.conftest import AuthActions, make_test_config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
            return "250 OK"

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler.messages
    controller.stop()


def _smtp_app(database_url, redis_url, port, **extra):
    return create_app(make_test_config(database_url, redis_url, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                                       MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_FROM="Demo School <lms@example.org>",
                                       BASE_URL="http://school.example.org", **extra))


def test_a_reset_email_arrives_over_smtp_with_a_working_link(database_url, redis_url, make, db, smtp_server):
    controller, received = smtp_server
    smtp_app = _smtp_app(database_url, redis_url, controller.port)
    user = make.user(email="somchai@example.org")
    client = smtp_app.test_client()
    assert client.post("/auth/forgot-password", data={"email": user.email}).status_code == 200
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    [message] = received
    assert message["To"] == user.email and message["From"] == "Demo School <lms@example.org>"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = re.search(r"http://school\.example\.org(/auth/reset-password/\S+)", text).group(1)
    assert link in html
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "fresh-password-123", "confirm": "fresh-password-123"})
    assert response.status_code == 303
    assert db.get(User, user.id).check_password("fresh-password-123")


def test_an_smtp_failure_raises_so_the_job_is_retried_and_the_request_is_kept(database_url, redis_url, make, db):
    dead_port = _free_port()  # nothing listens here
    smtp_app = _smtp_app(database_url, redis_url, dead_port)
    with smtp_app.app_context():
        raw = render_email("x@example.org", "Hello", "email_changed", user=User(full_name="X"),
                           old_email="a@example.org", new_email="b@example.org").as_string()
        with pytest.raises(OSError):
            deliver_email(raw)
    user = make.user()
    client = smtp_app.test_client()
    response = client.post("/auth/forgot-password", data={"email": user.email})
    assert response.status_code == 200
    assert db.scalar(select(AccountToken.user_id)) == user.id  # the request's work is committed
    with smtp_app.app_context():  # and the failed send is in RQ's hands (retried by a worker)
        from rq import Queue
        from rq.registry import FailedJobRegistry

        from lms.extensions import redis_connection

        queue = Queue(smtp_app.config["QUEUE_NAME"], connection=redis_connection())
        failed = [queue.fetch_job(job_id) for job_id in FailedJobRegistry(queue=queue).get_job_ids()]
        assert any(job.func_name == "lms.mail.deliver_email" for job in failed if job)


def test_console_backend_writes_the_message_to_the_log(database_url, redis_url, make, caplog):
    console_app = create_app(make_test_config(database_url, redis_url, MAIL_BACKEND="console"))
    user = make.user()
    with caplog.at_level(logging.INFO, logger="lms.mail"):
        console_app.test_client().post("/auth/forgot-password", data={"email": user.email})
    assert any("Reset your password" in r.getMessage() and user.email in r.getMessage() for r in caplog.records)


def test_emails_use_the_recipients_language(make, outbox, client):
    user = make.user(locale="th")
    client.post("/auth/forgot-password", data={"email": user.email})
    assert outbox[0]["Content-Type"].startswith("multipart/alternative")
    assert outbox[0]["Subject"]  # rendered (translated when the catalog has it)


def test_an_admin_can_send_a_reset_link(client, make, outbox, db):
    admin = make.user(role="ADMIN")
    user = make.user()
    AuthActions(client).login(admin)
    response = client.post(f"/admin/users/{user.id}/reset-link", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"password-reset link was sent" in response.data
    assert outbox[-1]["To"] == user.email
