"""User-written Markdown (sections, announcements, assessments) rendered to HTML, then sanitised with nh3 (an allow-list).

Allowed: headings, paragraphs, lists, emphasis, links (http, https, mailto; always
``rel="noopener nofollow"``), tables, code, block quotes, and images whose source is this
site's resource download URL (``/resources/<id>/download``).  Everything else — scripts,
styles, event-handler attributes, ``javascript:`` links, iframes, raw HTML tags outside the
list — is removed; an image or link left without its source or address is dropped (a link keeps
its text).  No attribute of htmx (``hx-*``, ``data-hx-*``) ever survives.

Every rendering is wrapped in ``<div class="user-content" hx-disable>`` (:func:`inert`): htmx 2 ignores
``hx-*`` attributes inside such a container, so even markup that slipped past the sanitiser could
not make a reader's browser send a request with the reader's session and CSRF token.  Nothing may
edit the sanitised HTML as a string afterwards; :mod:`lms.assessments.media` places its media by
walking the parsed HTML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

import markdown as md
import nh3
from flask import current_app, has_app_context
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote",
    "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td", "sub", "sup", "del",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
RESOURCE_SRC = re.compile(r"^/resources/\d+/(?:download|thumbnail)$")


def _image_source(value: str) -> str | None:
    """Keep an image source only when it is one of this site's resource files."""
    value = value.strip()
    if has_app_context():
        base = current_app.config.get("BASE_URL", "").rstrip("/")
        if base and value.startswith(base + "/"):
            value = value[len(base):]
    return value if RESOURCE_SRC.match(value) else None


def is_htmx_attribute(name: str) -> bool:
    """``hx-post``, ``data-hx-get``, ``hx-on:click``...: attributes htmx acts on."""
    name = name.strip().lower()
    return name.startswith(("hx-", "data-hx-"))


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if is_htmx_attribute(attribute):
        return None
    if element == "img" and attribute == "src":
        return _image_source(value)
    if element in ("td", "th") and attribute == "align":
        return value if value in ("left", "right", "center") else None
    if element == "ol" and attribute == "start":
        return value if value.isdigit() else None
    return value


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        link_rel="noopener nofollow",
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )


class _DropEmpty(HTMLParser):
    """Re-serialise sanitised HTML without what the sanitiser left empty: an image whose source
    was refused (a broken-image icon otherwise) is dropped; a link whose address was refused
    (``javascript:``...) loses its ``<a>`` and keeps its text, so nothing looks clickable that
    does nothing."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.links: list[bool] = []  # per open <a>: was it kept?

    def handle_starttag(self, tag, attrs):
        if tag == "img" and not any(name == "src" and value for name, value in attrs):
            return
        if tag == "a":
            kept = any(name == "href" and value for name, value in attrs)
            self.links.append(kept)
            if not kept:
                return
        parts = [tag] + [name if value is None else f'{name}="{escape(value)}"' for name, value in attrs]
        self.out.append("<" + " ".join(parts) + ">")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "a" and self.links:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("img", "br", "hr", "wbr"):
            return
        if tag == "a" and self.links and not self.links.pop():
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def result(self, html: str) -> str:
        self.feed(html)
        self.close()
        return "".join(self.out)


def _drop_empty(html: str) -> str:
    return _DropEmpty().result(html) if ("<img" in html or "<a" in html) else html


INERT_OPEN = Markup('<div class="user-content" hx-disable>')
INERT_CLOSE = Markup("</div>")


def inert(html: Markup) -> Markup:
    """Safe HTML written by a user, inside a container where htmx processes nothing."""
    return INERT_OPEN + html + INERT_CLOSE if html else Markup("")


def sanitised_markdown(text: str | None) -> Markup:
    """Markdown → sanitised HTML, not yet wrapped (for :mod:`lms.assessments.media`, which wraps it).

    The result depends only on the text and the site's ``BASE_URL`` (image sources), so the
    most recent renderings are kept: a take page shows the same frozen questions to a whole
    class, a section the same content to every student."""
    if not text:
        return Markup("")
    base = current_app.config.get("BASE_URL", "") if has_app_context() else ""
    return Markup(_render_cached(text, base))  # noqa: S704 - sanitised by nh3 in _render_cached


def render_markdown(text: str | None) -> Markup:
    """Markdown → safe HTML (a ``Markup``, so Jinja does not escape it again), inside an
    ``hx-disable`` container."""
    return inert(sanitised_markdown(text))


@lru_cache(maxsize=512)
def _render_cached(text: str, base: str) -> str:
    html = md.markdown(text, extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
    return _drop_empty(sanitise_html(html))
