"""Every piece of user-facing text in templates is marked for translation.

The check walks each template's Jinja AST: literal template text (with every
Jinja expression replaced by a placeholder) is parsed as HTML, and any visible
text or user-facing attribute (title, alt, placeholder, aria-label, ...) that
still contains a word is reported.  Text inside ``{{ _("...") }}`` is an
expression, so it never reaches the check.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
USER_FACING_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
PLACEHOLDER = "\ue000"
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# Text that is not language: format symbols, units and the like.
ALLOWED = {"px", "KB", "MB", "GB", "CSV", "JSON", "PDF", "GIFT", "ID", "OK"}


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in USER_FACING_ATTRIBUTES and value:
                self._check(value, f'{name}="{value}"')
        if tag == "input":
            kinds = {n: v for n, v in attrs}
            if kinds.get("type") in ("submit", "button", "reset") and kinds.get("value"):
                self._check(kinds["value"], f'value="{kinds["value"]}"')

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data, data.strip())

    def _check(self, text, shown):
        words = [w for w in WORD.findall(text.replace(PLACEHOLDER, " ")) if w not in ALLOWED]
        if words:
            self.found.append(shown)


def _literal_html(template_source: str, env: Environment) -> str:
    ast = env.parse(template_source)
    parts: list[str] = []

    def walk(node):
        if isinstance(node, nodes.TemplateData):
            parts.append(node.data)
            return
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                walk(child)
            return
        if isinstance(node, nodes.Expr):
            parts.append(PLACEHOLDER)
            return
        for child in node.iter_child_nodes():
            walk(child)

    walk(ast)
    return "".join(parts)


def unmarked_text(path: Path, env: Environment) -> list[str]:
    collector = _TextCollector()
    collector.feed(_literal_html(path.read_text(encoding="utf-8"), env))
    collector.close()
    return collector.found


def test_templates_have_no_unmarked_user_facing_text(app):
    env = app.jinja_env
    problems = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        found = unmarked_text(path, env)
        if found:
            problems[str(path.relative_to(TEMPLATES))] = found
    assert problems == {}, "text not marked with _(): " + "; ".join(
        f"{name}: {found[:5]}" for name, found in problems.items())


def test_the_checker_finds_unmarked_text(app, tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text('<p>{{ _("Marked") }}</p><p>Not marked</p><img alt="A picture" src="{{ x }}">'
                      '<button title="{{ _(\'ok\') }}">{{ label }}</button>')
    assert unmarked_text(sample, app.jinja_env) == ["Not marked", 'alt="A picture"']
