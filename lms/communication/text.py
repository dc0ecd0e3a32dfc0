"""Announcement bodies: markdown (``lms.common.markdown``) or plain text, as safe HTML."""

from __future__ import annotations

import html as html_lib
import re

import nh3
from markupsafe import Markup, escape

from lms.common.markdown import inert, render_markdown

BLOCK_END = re.compile(r"<(?:br|/p|/li|/h\d|/tr|/td|/th|/blockquote|/pre)\b[^>]*>")


def render_plain(text: str) -> Markup:
    """Plain text: escaped, paragraphs on blank lines, line breaks kept (inside an ``hx-disable``
    container, like every rendering of user text)."""
    paragraphs = [p for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return inert(Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.strip().split("\n")))
        for p in paragraphs))


def render_body(text: str, body_format: str) -> Markup:
    return render_markdown(text) if body_format == "MARKDOWN" else render_plain(text)


def plain_excerpt(text: str, body_format: str, length: int = 160) -> str:
    """A short plain-text preview of the body (tags removed)."""
    spaced = BLOCK_END.sub(" ", str(render_body(text, body_format)))
    flat = html_lib.unescape(" ".join(nh3.clean(spaced, tags=set()).split()))
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
