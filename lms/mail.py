"""Email: render text + HTML from ``templates/email/<name>.txt|.html`` and send it in the background.

``send_email(to, subject, "password_reset", user=..., link=...)`` renders now (in the
recipient's language) and enqueues ``deliver_email``, which the worker runs after the
request has committed.  ``MAIL_BACKEND`` chooses how a message leaves:

* ``smtp``: through ``MAIL_SERVER``/``MAIL_PORT`` (STARTTLS with ``MAIL_USE_TLS``, SSL on
  port 465), logging in with ``MAIL_USERNAME``/``MAIL_PASSWORD`` when set.  A failure
  raises, so RQ retries the job; the request that asked for the email is already committed.
* ``console`` (the embedded default): the message is written to the log.
* ``memory`` (tests): appended to ``lms.mail.outbox``; ``clear_outbox()`` empties it.

Links in emails are absolute, built on ``BASE_URL`` with ``absolute_url(endpoint, ...)``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale

from lms.common.i18n import SUPPORTED_LOCALES
from lms.core.organization import current_organization
from lms.jobs import background_job, enqueue

log = logging.getLogger(__name__)

#: Messages "sent" with MAIL_BACKEND=memory (tests read them here).
outbox: list[EmailMessage] = []


def clear_outbox() -> None:
    outbox.clear()


def absolute_url(endpoint: str, **values) -> str:
    """``BASE_URL`` + the path of ``endpoint`` (works in requests and in background jobs)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        adapter = current_app.url_map.bind("localhost", script_name="/")
        path = adapter.build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def _default_locale() -> str:
    try:
        locale = current_organization().locale
    except Exception:
        locale = current_app.config.get("ORG_LOCALE", "en")
    return locale if locale in SUPPORTED_LOCALES else "en"


def render_email(to: str, subject, template: str, *, locale: str | None = None, list_unsubscribe: str | None = None,
                 one_click: bool = False, **context) -> EmailMessage:
    """The message for ``to``: ``subject`` may be a lazy string, translated into ``locale``.

    ``list_unsubscribe``: for digests and notifications, the address that unsubscribes the reader
    (the ``List-Unsubscribe`` header mail programs show as "Unsubscribe").  ``one_click``: that
    address takes a POST without signing in (RFC 8058: ``List-Unsubscribe-Post``)."""
    with force_locale(locale or _default_locale()):
        context.setdefault("organization", current_organization())
        subject_text = str(subject)
        text_body = render_template(f"email/{template}.txt", subject=subject_text, **context)
        html_body = render_template(f"email/{template}.html", subject=subject_text, **context)
    message = EmailMessage()
    message["Subject"] = subject_text
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "lms.local"
    message["Message-ID"] = make_msgid(domain=domain)
    if list_unsubscribe:
        message["List-Unsubscribe"] = f"<{list_unsubscribe}>"
        if one_click:
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    return message


def send_email(to: str | None, subject, template: str, *, locale: str | None = None, list_unsubscribe: str | None = None,
               one_click: bool = False, **context) -> None:
    """Render now and deliver in the background (after the current transaction commits).

    An account may have no email (students who sign in with a username): nothing is sent then."""
    if not to:
        return
    message = render_email(to, subject, template, locale=locale, list_unsubscribe=list_unsubscribe,
                           one_click=one_click, **context)
    enqueue(deliver_email, message.as_string())


@background_job
def deliver_email(raw_message: str) -> None:
    """Send one rendered message with the configured backend; raises on SMTP failure (RQ retries)."""
    from email import message_from_string
    from email.policy import default as default_policy

    message = message_from_string(raw_message, _class=EmailMessage, policy=default_policy)
    backend = current_app.config.get("MAIL_BACKEND", "console")
    if backend == "memory":
        outbox.append(message)
    elif backend == "smtp":
        _send_smtp(message)
    else:
        text_part = message.get_body(preferencelist=("plain",))
        log.info("email (MAIL_BACKEND=console) to %s: %s\n%s", message["To"], message["Subject"],
                 text_part.get_content() if text_part is not None else "")


def _send_smtp(message: EmailMessage) -> None:
    cfg = current_app.config
    host, port = cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT") or 587)
    if port == 465:
        smtp = smtplib.SMTP_SSL(host, port, timeout=20, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=20)
    with smtp:
        if port != 465 and cfg.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    log.info("email sent to %s: %s", message["To"], message["Subject"])
