"""Media in question text, referenced by label.

Syntax: ``[[media:label]]`` anywhere in a question's text (or an assessment's instructions),
e.g. ``Listen: [[media:song-1]] Which animal is it?``.  The label is the one given to the file
on the assessment's **Media** list (one short word: letters, digits, ``-``, ``_``, ``.``;
case-insensitive).  The label is looked up among the assessment's media when an attempt starts
and the file is frozen with the question version the student gets (``QuestionVersionMedia``):
uploading a new file under the same label changes what *new* attempts show, while attempts
already started, submitted or graded keep showing (and linking to) the file they were shown.
The teacher's pages and the instructions show the files under the labels now.  Renaming the
file or reordering the list never breaks a question.  Images are shown, audio and video get the browser's player,
documents a download link.  An unknown label shows a visible "missing media" marker to teachers
(and a neutral placeholder to students); the publish check lists unknown labels.  Media go only
where text may stand: ``[[media:label]]`` inside a link (its text, address or title), an image's
description or code stays as typed.  The media markup is built here from the resource and placed
into the parsed, sanitised HTML; the author's text never becomes markup.
"""

from __future__ import annotations

import re
import secrets
from html.parser import HTMLParser

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from lms.assessments.models import AssessmentMedia, QuestionVersionMedia
from lms.common.markdown import inert, is_htmx_attribute, sanitised_markdown
from lms.extensions import db
from lms.resources.services import max_upload_bytes

MEDIA_RE = re.compile(r"\[\[media:([^\]\s]{1,40})\]\]")


def labels_in(text: str | None) -> list[str]:
    """The labels referenced in ``text`` (in order, without repeats, as written)."""
    seen, labels = set(), []
    for match in MEDIA_RE.finditer(text or ""):
        label = match.group(1)
        if label.lower() not in seen:
            seen.add(label.lower())
            labels.append(label)
    return labels


def media_of(assessment_id: int) -> list[AssessmentMedia]:
    return list(db.session.scalars(select(AssessmentMedia).where(AssessmentMedia.assessment_id == assessment_id)
                                   .order_by(AssessmentMedia.position)))


def media_map(assessment_id: int) -> dict:
    """``{label (lower-case): Resource}`` for an assessment (one query)."""
    return {m.label_key: m.resource for m in media_of(assessment_id)}


def frozen_media(text: str | None, media: dict) -> dict[str, int]:
    """``{label (lower-case): resource id}`` of the labels ``text`` uses that ``media`` has: what a
    question version freezes."""
    return {label.lower(): media[label.lower()].id for label in labels_in(text) if label.lower() in media}


def frozen_media_of(version_ids) -> dict[int, dict[str, int]]:
    """``{version id: {label: resource id}}`` as frozen (one query)."""
    result: dict[int, dict[str, int]] = {}
    ids = list(version_ids)
    if ids:
        for version_id, key, resource_id in db.session.execute(
                select(QuestionVersionMedia.question_version_id, QuestionVersionMedia.label_key,
                       QuestionVersionMedia.resource_id).where(QuestionVersionMedia.question_version_id.in_(ids))):
            result.setdefault(version_id, {})[key] = resource_id
    return result


def freeze_media(version_id: int, frozen: dict[str, int]) -> None:
    db.session.add_all(QuestionVersionMedia(question_version_id=version_id, label_key=key, resource_id=resource_id)
                       for key, resource_id in frozen.items())


def version_media(versions, assessment_id: int) -> dict[int, dict]:
    """``{version id: {label: Resource}}``: the files each version showed when it was frozen; a
    label it has none for (versions made before files were frozen) shows the assessment's file
    now.  Two queries for any number of versions."""
    current = media_map(assessment_id)
    ids = [v.id for v in versions]
    rows = list(db.session.scalars(select(QuestionVersionMedia)
                                   .where(QuestionVersionMedia.question_version_id.in_(ids)))) if ids else []
    result = {version_id: dict(current) for version_id in ids}
    for row in rows:
        result[row.question_version_id][row.label_key] = row.resource
    return result


def _media_html(resource, label: str) -> Markup:
    url = url_for("resources.download", resource_id=resource.id)
    title = resource.description or resource.title
    if resource.kind == "IMAGE":
        size = ""
        if resource.file is not None and resource.file.width:
            size = Markup(' width="{}" height="{}"').format(resource.file.width, resource.file.height)
        return Markup('<img class="question-media" src="{}" alt="{}"{} loading="lazy">').format(url, title, size)
    if resource.kind == "AUDIO":
        return Markup('<audio class="question-media" controls preload="metadata" src="{}" aria-label="{}">'
                      '</audio>').format(url, title)
    if resource.kind == "VIDEO":
        return Markup('<video class="question-media" controls playsinline preload="metadata" src="{}"{} '
                      'aria-label="{}"></video>').format(url, _poster(resource), title)
    if resource.kind == "LINK":
        return Markup('<a href="{}" rel="noopener nofollow noreferrer" target="_blank">{}</a>').format(
            resource.url, resource.title)
    if _has_thumbnail(resource):  # a PDF: its first page beside the link
        return Markup('<a class="document-card" href="{}"><img class="document-page" src="{}"{} alt="{}" '
                      'loading="lazy"> <span>{}</span></a>').format(
            url, url_for("resources.thumbnail", resource_id=resource.id), _thumbnail_size(resource.file),
            _("First page of “%(title)s”", title=resource.title), resource.title)
    return Markup('<a href="{}">{}</a>').format(url, resource.title)


def _has_thumbnail(resource) -> bool:
    return resource.file is not None and bool(resource.file.thumbnail_name)


def _thumbnail_size(stored) -> Markup:
    if not stored.thumbnail_width:
        return Markup("")
    return Markup(' width="{}" height="{}"').format(stored.thumbnail_width, stored.thumbnail_height)


def _poster(resource) -> Markup:
    """A video's poster frame (once the worker made it), sized so the player keeps its place."""
    if not _has_thumbnail(resource):
        return Markup("")
    return Markup(' poster="{}"{}').format(url_for("resources.thumbnail", resource_id=resource.id),
                                          _thumbnail_size(resource.file))


def _missing_html(label: str, staff: bool) -> Markup:
    if staff:
        return Markup('<span class="media-missing" role="note">{}</span>').format(
            _("Missing media: no file has the label “%(label)s”.", label=label))
    return Markup('<span class="media-missing" role="note">{}</span>').format(_("(media not available)"))


# A placeholder for the n-th ``[[media:label]]`` while the text goes through Markdown and the
# sanitiser.  Letters and digits only (Markdown and nh3 leave it alone), with a random part chosen
# when the process starts: an author cannot type one of ours, and ours never reach a page (every one
# is replaced or turned back into the label's text below), so what looks like a placeholder in an
# author's text is just text.
_NONCE = secrets.token_hex(8)
_PLACEHOLDER = "lmsmedia" + _NONCE + "n{}x"
_PLACEHOLDER_RE = re.compile("lmsmedia" + _NONCE + r"n(\d+)x")
# Inside these the label stays text: a link cannot hold media, code shows the syntax itself.
_LITERAL_INSIDE = {"a", "code", "pre"}
_VOID = {"br", "hr", "img", "wbr"}


class _MediaPlacer(HTMLParser):
    """Re-serialise sanitised HTML, putting media where a placeholder stands in a text node.

    Attribute values are never filled with markup: a placeholder inside one (a link address, a
    title) becomes the label's literal text again, or, in an address, the attribute is dropped."""

    def __init__(self, tokens: list[tuple[str, Markup]]):
        super().__init__(convert_charrefs=False)
        self.tokens = tokens
        self.out: list[str] = []
        self.text: list[str] = []
        self.literal_depth = 0

    # text ------------------------------------------------------------------------------------
    def handle_data(self, data):
        self.text.append(data)

    def handle_entityref(self, name):
        self.text.append(f"&{name};")

    def handle_charref(self, name):
        self.text.append(f"&#{name};")

    def _literal(self, match: re.Match) -> str:
        index = int(match.group(1))
        return f"[[media:{self.tokens[index][0]}]]" if index < len(self.tokens) else match.group(0)

    def _flush(self):
        raw = "".join(self.text)
        self.text = []
        if not raw:
            return
        pos = 0
        for match in _PLACEHOLDER_RE.finditer(raw):
            self.out.append(raw[pos:match.start()])
            index = int(match.group(1))
            if index >= len(self.tokens):
                self.out.append(match.group(0))
            elif self.literal_depth:
                self.out.append(str(escape(self._literal(match))))
            else:
                self.out.append(str(self.tokens[index][1]))
            pos = match.end()
        self.out.append(raw[pos:])

    # tags --------------------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        self._flush()
        parts = [tag]
        for name, value in attrs:
            if is_htmx_attribute(name):
                continue
            if value is None:
                parts.append(name)
                continue
            if _PLACEHOLDER_RE.search(value):
                if name in ("href", "src"):
                    continue
                value = _PLACEHOLDER_RE.sub(self._literal, value)
            parts.append(f'{name}="{escape(value)}"')
        self.out.append("<" + " ".join(parts) + ">")
        if tag in _LITERAL_INSIDE:
            self.literal_depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _LITERAL_INSIDE:
            self.literal_depth -= 1

    def handle_endtag(self, tag):
        self._flush()
        if tag in _VOID:
            return
        self.out.append(f"</{tag}>")
        if tag in _LITERAL_INSIDE and self.literal_depth:
            self.literal_depth -= 1

    def handle_comment(self, data):  # the sanitiser removes comments; never re-emit one
        self._flush()

    def result(self, html: str) -> str:
        self.feed(html)
        self.close()
        self._flush()
        return "".join(self.out)


def render_with_media(text: str | None, media: dict, *, staff: bool = False) -> Markup:
    """Markdown (sanitised by the one sanitiser) with ``[[media:label]]`` replaced by the media, inside
    an ``hx-disable`` container.

    The media elements are built here from the assessment's resources (never from the author's
    text) and placed into text nodes of the parsed, sanitised HTML."""
    if not text:
        return Markup("")
    tokens: list[tuple[str, Markup]] = []

    def placeholder(match: re.Match) -> str:
        label = match.group(1)
        resource = media.get(label.lower())
        tokens.append((label, _media_html(resource, label) if resource is not None else _missing_html(label, staff)))
        return _PLACEHOLDER.format(len(tokens) - 1)

    html = str(sanitised_markdown(MEDIA_RE.sub(placeholder, text)))
    if tokens:
        html = _MediaPlacer(tokens).result(html)
    return inert(Markup(html))  # noqa: S704 - sanitised markdown; media markup built with escaping above


def unknown_labels(texts, media: dict) -> list[str]:
    """Labels referenced in ``texts`` that no media of the assessment has."""
    missing = []
    for text in texts:
        for label in labels_in(text):
            if label.lower() not in media and label not in missing:
                missing.append(label)
    return missing



# --- uploads larger than the app's request limit ------------------------------------------------------

UPLOAD_OVERHEAD = 1024 * 1024  # form fields around the file


def allow_library_uploads(bp, endpoint: str, *roles) -> None:
    """Let a POST to ``endpoint`` by one of ``roles`` be as large as the library allows: the limit
    is raised for that route only, before anything (the CSRF check included) reads the body."""
    from flask import request
    from flask_login import current_user

    def upload_limit():
        if request.endpoint == endpoint and request.method == "POST" and \
                getattr(current_user, "role", None) in roles:
            request.max_content_length = max_upload_bytes() + UPLOAD_OVERHEAD

    @bp.record_once
    def install(state):
        state.app.before_request_funcs.setdefault(None, []).insert(0, upload_limit)
