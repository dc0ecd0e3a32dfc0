"""Every user-facing string in Python is marked for translation (an AST walk over ``lms/``).

Checked: the message of ``flash(...)``; the message of the service errors
(``ValidationFailed``, ``NotFound``, ``Forbidden``, ``Conflict``, ``BusinessRuleViolation``,
``DomainError``); WTForms field labels and descriptions (``StringField("Name")``,
``label=``, ``description=``); validator messages (``DataRequired(message="...")``); menu
labels (``nav_item(endpoint, "Label", ...)``); and the labels given to ``register_labels`` and
notification kinds (``register_kind``).  A string literal, an f-string, ``"..." % x`` or
``"...".format(...)`` there fails; ``_("...")``/``_l("...")`` (or any other expression) passes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

LMS = Path(__file__).resolve().parent.parent / "lms"
ERRORS = {"ValidationFailed", "NotFound", "Forbidden", "Conflict", "BusinessRuleViolation", "DomainError"}
VALIDATORS = {"DataRequired", "InputRequired", "Optional", "Length", "Email", "EqualTo", "NumberRange",
              "Regexp", "URL", "AnyOf", "NoneOf", "IPAddress", "MacAddress", "UUID", "FileRequired",
              "FileAllowed", "FileSize", "DateRange"}
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal_text(node) -> str | None:
    """The text of a bare (unmarked) string expression, or None when ``node`` is something else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal_text(node.func.value)
    return None


def _user_facing(node) -> bool:
    text = _literal_text(node)
    return bool(text and WORD.search(text))


def _checked_arguments(call: ast.Call):
    """(what, node) for each argument of ``call`` that users read."""
    name = _name(call.func) or ""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if name == "flash" and call.args:
        yield "flash()", call.args[0]
    elif name in ERRORS:
        yield from _error_arguments(name, call, keywords)
    elif name.endswith("Field") and name[:1].isupper():
        yield from _field_arguments(name, call, keywords)
    elif name in VALIDATORS:
        if "message" in keywords:
            yield f"{name}(message=)", keywords["message"]
    elif len(call.args) >= 2:
        yield from _registry_arguments(name, call)


def _error_arguments(name: str, call: ast.Call, keywords: dict):
    if call.args:
        yield f"{name}()", call.args[0]
    if "message" in keywords:
        yield f"{name}(message=)", keywords["message"]


def _field_arguments(name: str, call: ast.Call, keywords: dict):
    if call.args:
        yield f"{name} label", call.args[0]
    for key in ("label", "description"):
        if key in keywords:
            yield f"{name}({key}=)", keywords[key]


def _registry_arguments(name: str, call: ast.Call):
    """Labels given to the navigation and the label registries (the second argument)."""
    if name == "nav_item":
        yield "nav_item label", call.args[1]
    elif name == "register_kind":
        yield "register_kind message", call.args[1]
    elif name == "register_labels" and isinstance(call.args[1], ast.Dict):
        for value in call.args[1].values:
            yield "register_labels label", value

def unmarked_strings(source: str, filename: str = "<source>") -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            for what, arg in _checked_arguments(node):
                if _user_facing(arg):
                    problems.append(((arg.lineno, arg.col_offset),
                                     f"{filename}:{arg.lineno} {what}: {_literal_text(arg)!r}"))
    return [text for _position, text in sorted(problems)]


def test_python_modules_mark_every_user_facing_string():
    problems = []
    for path in sorted(LMS.rglob("*.py")):
        problems += unmarked_strings(path.read_text(encoding="utf-8"), str(path.relative_to(LMS.parent)))
    assert problems == [], "not marked with _()/_l():\n" + "\n".join(problems)


def test_the_checker_finds_unmarked_strings():
    sample = '''
flash("Saved.", "success")
flash(_("Saved."), "success")
flash(f"Saved {name}.")
raise ValidationFailed("Too long", field="title")
raise NotFound(_("No such thing."))
raise Forbidden("Not yours: %s" % name)
name = StringField("Full name", validators=[DataRequired(message="Say your name")])
email = EmailField(_l("Email"), validators=[Email(message=_l("That is not an email address."))])
nav_item("x.index", "Things", "ADMIN")
register_labels("status", {"ACTIVE": "Active", "LEFT": _l("Left")})
flash(err.message, "error")
flash(message, "success")
raise Conflict(str(err))
'''
    found = [p.split(" ", 1)[1] for p in unmarked_strings(sample)]
    assert found == [
        "flash(): 'Saved.'",
        "flash(): 'Saved .'",
        "ValidationFailed(): 'Too long'",
        "Forbidden(): 'Not yours: %s'",
        "StringField label: 'Full name'",
        "DataRequired(message=): 'Say your name'",
        "nav_item label: 'Things'",
        "register_labels label: 'Active'",
    ]
