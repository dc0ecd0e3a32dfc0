"""Virus scanning of uploads with ClamAV's daemon (clamd), when the instance enables it.

Settings: ``CLAMAV_SOCKET`` (a unix socket path) or ``CLAMAV_HOST`` + ``CLAMAV_PORT``; none set
means no scanning.  The file is streamed with clamd's INSTREAM command (length-prefixed chunks).
An infected file is refused (and audited: the ``upload_infected`` signal); a configured scanner that cannot be reached, times out
or answers with an error refuses the upload too (fail closed): nothing unscanned is stored.
"""

from __future__ import annotations

import logging
import socket
import struct

from flask import current_app
from flask_babel import gettext as _

from lms.common.errors import ValidationFailed
from lms.core import signals

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not give a verdict (the reason is for the log)."""


class TooLargeToScan(ScannerUnavailable):
    """The file is longer than clamd's StreamMaxLength."""


def configured() -> bool:
    config = current_app.config
    return bool(config.get("CLAMAV_SOCKET") or config.get("CLAMAV_HOST"))


def _connect() -> socket.socket:
    config = current_app.config
    timeout = float(config.get("CLAMAV_TIMEOUT") or 60)
    if config.get("CLAMAV_SOCKET"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(config["CLAMAV_SOCKET"])
        except BaseException:
            sock.close()
            raise
        return sock
    return socket.create_connection((config["CLAMAV_HOST"], int(config.get("CLAMAV_PORT") or 3310)),
                                    timeout=timeout)


def scan_stream(fh) -> str | None:
    """The signature clamd found in the binary file ``fh`` (from its start), or None when clean.
    ScannerUnavailable when there is no verdict."""
    fh.seek(0)
    try:
        with _connect() as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                while chunk := fh.read(CHUNK):
                    sock.sendall(struct.pack(">I", len(chunk)) + chunk)
                sock.sendall(struct.pack(">I", 0))
            except (BrokenPipeError, ConnectionResetError):
                pass  # clamd stopped reading (size limit): its answer says why
            reply = _read_reply(sock)
    except OSError as err:
        raise ScannerUnavailable(f"clamd: {err}") from err
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if "size limit exceeded" in answer:
        raise TooLargeToScan(f"clamd answered {answer!r}")
    if answer.endswith(" FOUND"):
        return answer.removeprefix("stream:").removesuffix(" FOUND").strip()
    if answer.endswith(" OK") or answer == "stream: OK":
        return None
    raise ScannerUnavailable(f"clamd answered {answer!r}")


def _read_reply(sock) -> bytes:
    reply = b""
    while not reply.endswith(b"\0"):
        try:
            part = sock.recv(4096)
        except ConnectionResetError:
            break
        if not part:
            break
        reply += part
    return reply


def check_upload(fh, actor, filename: str) -> None:
    """Refuse (ValidationFailed, nothing stored) an infected upload or one that could not be scanned.
    Does nothing when scanning is not configured."""
    if not configured():
        return
    try:
        signature = scan_stream(fh)
    except TooLargeToScan as err:
        log.error("upload refused, larger than clamd's StreamMaxLength: %s", err)
        raise ValidationFailed(_("The file was not saved: it is larger than the virus scanner accepts. Ask an "
                                 "administrator to raise the scanner's limit (StreamMaxLength)."),
                               field="file") from err
    except ScannerUnavailable as err:
        log.error("upload refused, virus scanning unavailable: %s", err)
        raise ValidationFailed(_("The file was not saved: virus scanning is unavailable, try again later."),
                               field="file", status=503) from err
    if signature is not None:
        log.warning("upload refused: %s contains %s", filename, signature)
        signals.upload_infected.send(actor, filename=filename, signature=signature)  # the audit log keeps it
        raise ValidationFailed(_("The file was not saved: the virus scanner found “%(signature)s” in it.",
                                 signature=signature), field="file")
