"""A man in the middle for the SSO tests: an HTTP proxy in front of the real provider that can
rewrite the ID token in the token endpoint's answer (its claims changed, its signature kept)."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "set-cookie"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge_claims(id_token: str, **claims) -> str:
    """The same token with ``claims`` changed in its payload; header and signature untouched."""
    header, payload, signature = id_token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded.update(claims)
    return ".".join((header, _b64(json.dumps(decoded).encode()), signature))


@contextlib.contextmanager
def tampering_proxy(port: int, backend: str, forged_claims: dict):
    """Serve 127.0.0.1:``port``, forwarding to ``backend``; ID tokens from ``/token`` get ``forged_claims``."""

    class Handler(BaseHTTPRequestHandler):
        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() != "content-length"}
            answer = requests.request(self.command, backend + self.path, headers=headers, data=body,
                                      allow_redirects=False, timeout=10)
            content = answer.content
            if self.path.startswith("/token") and answer.ok and forged_claims:
                token = answer.json()
                token["id_token"] = forge_claims(token["id_token"], **forged_claims)
                content = json.dumps(token).encode()
            self.send_response(answer.status_code)
            for key, value in answer.headers.items():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            for cookie in answer.raw.headers.getlist("Set-Cookie"):
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _forward

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
