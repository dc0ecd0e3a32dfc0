"""Announcement bodies: markdown (``lms.common.markdown``) or plain text, as safe HTML."""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

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


class _PlainText(HTMLParser):
    """Sanitised HTML → text a person reads in a plain-text email: paragraphs and headings on
    their own lines, list items with bullets or numbers, a link's address after its text."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote", "table", "tr", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # per open list: [ordered, next number]
        self.href: list[str | None] = []
        self.quote = 0

    def _newline(self, blank: bool = False):
        text = "".join(self.out).rstrip(" ")
        wanted = "\n\n" if blank else "\n"
        if text and not text.endswith(wanted):
            text = text.rstrip("\n") + wanted
        self.out = [text]

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._newline(blank=not self.lists)
        if tag in ("ul", "ol"):
            start = dict(attrs).get("start")
            self.lists.append([tag == "ol", int(start) if start and start.isdigit() else 1])
        elif tag == "li":
            self._newline()
            indent = "  " * (len(self.lists) - 1)
            if self.lists and self.lists[-1][0]:
                self.out.append(f"{indent}{self.lists[-1][1]}. ")
                self.lists[-1][1] += 1
            else:
                self.out.append(f"{indent}• ")
        elif tag == "br":
            self._newline()
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(f"[{alt}]")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag == "hr":
            self.out.append("———")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "a" and self.href:
            href = self.href.pop()
            text = "".join(self.out)
            if href and not text.rstrip().endswith(href) and not href.startswith("mailto:"):
                self.out.append(f" ({href})")
        if tag == "blockquote" and self.quote:
            self.quote -= 1
        if tag in self.BLOCKS:
            self._newline(blank=not self.lists)

    def handle_data(self, data):
        so_far = "".join(self.out)
        if not so_far or so_far.endswith("\n"):
            data = data.lstrip("\n")
        if not data.strip() and (not so_far or so_far.endswith(("\n", " "))):
            return
        if self.quote:
            if not so_far or so_far.endswith("\n"):
                data = "> " * self.quote + data
            data = data.replace("\n", "\n" + "> " * self.quote)
        self.out.append(data)

    def result(self, html: str) -> str:
        self.feed(html)
        self.close()
        lines = [line.rstrip() for line in "".join(self.out).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(text: str | None, body_format: str = "MARKDOWN") -> str:
    """A body as readable plain text (the text part of an email): Markdown is rendered, not shown."""
    if not text:
        return ""
    if body_format != "MARKDOWN":
        return text.replace("\r\n", "\n").strip()
    return _PlainText().result(str(render_markdown(text)))
