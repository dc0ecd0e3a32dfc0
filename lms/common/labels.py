"""What users read for stored codes: statuses, roles, kinds, levels and classroom names.

The database keeps English codes (``ACTIVE``, ``P1``, ``P4/2``); pages, emails and exports show
them in the reader's language through this module.

* Statuses and other enum codes: each domain registers its codes once, in its ``labels.py``
  (``register_labels("student_status", {"ACTIVE": _l("Active"), ...})``); templates write
  ``{{ profile.status|label("student_status") }}`` and Python ``label("student_status", code)``.
  An unregistered code is shown as it is (never an error on a page).
* Levels: the default codes P1–P6, M1–M6 (and K1–K3) read "ป.1", "ม.1", "อ.1" in Thai;
  a code the administrator chose (``EP1``) is shown as written.  The default names
  ("Prathom 1") are translated; a name the administrator changed is shown as written.
* Classrooms: ``classroom_label(room)`` is the level's label and the number, "ป.4/2".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext as _

_REGISTRY: dict[str, dict[str, object]] = {}


def register_labels(kind: str, labels: Mapping) -> dict[str, object]:
    """Register the labels (lazy strings) of one kind of code; returns them as a plain dict."""
    registered = {str(code): text for code, text in labels.items()}
    _REGISTRY[kind] = registered
    return registered


def label(kind: str, code) -> str:
    """The label of ``code`` in the reader's language (the code itself when unknown)."""
    if code is None or code == "":
        return ""
    text = _REGISTRY.get(kind, {}).get(str(code))
    return str(text) if text is not None else str(code)


def label_filter(code, kind: str) -> str:
    """Jinja: ``{{ value|label("kind") }}``."""
    return label(kind, code)


# --- levels and classrooms ----------------------------------------------------------------------

_DEFAULT_CODE = re.compile(r"^([PMK])(\d{1,2})$")
_DEFAULT_NAME = re.compile(r"^(Prathom|Mathayom|Kindergarten) (\d{1,2})$")


def _short(stage: str, number: int) -> str:
    if stage == "P":
        return _("P%(number)s", number=number)
    if stage == "M":
        return _("M%(number)s", number=number)
    return _("K%(number)s", number=number)


def _long(stage: str, number: int) -> str:
    if stage == "Prathom":
        return _("Prathom %(number)s", number=number)
    if stage == "Mathayom":
        return _("Mathayom %(number)s", number=number)
    return _("Kindergarten %(number)s", number=number)


def _default_translated(level, attr: str, pattern, translate) -> str:
    """``level.<attr>`` (or ``level`` itself, a string) translated when it is a default one."""
    text = getattr(level, attr, level)
    if text is None:
        return ""
    match = pattern.match(str(text))
    return translate(match.group(1), int(match.group(2))) if match else str(text)


def level_label(level) -> str:
    """The short label of a level (a ``Level`` or its code): "P1" → "ป.1" in Thai."""
    return _default_translated(level, "code", _DEFAULT_CODE, _short)


def level_name(level) -> str:
    """The full name of a level: "Prathom 1" → "ประถมศึกษาปีที่ 1" in Thai (edited names as written)."""
    return _default_translated(level, "name", _DEFAULT_NAME, _long)


def classroom_label(classroom) -> str:
    """A classroom's name for readers: "P4/2" → "ป.4/2" in Thai.

    Takes a ``Classroom`` or a stored name such as ``PromotionMove.from_classroom_name``."""
    if classroom is None:
        return ""
    level = getattr(classroom, "level", None)
    if level is not None:
        return f"{level_label(level)}/{classroom.number}"
    code, slash, number = str(classroom).rpartition("/")
    if not slash:
        return str(classroom)
    return f"{level_label(code)}/{number}"


def level_code_of(text: str) -> str:
    """The stored code of a level as a reader may write it: "ป.1" → "P1" (in any language);
    anything else comes back upper-cased, as codes are stored."""
    from flask_babel import force_locale

    from lms.common.i18n import SUPPORTED_LOCALES  # import cycle: i18n imports this module

    text = (text or "").strip().replace(" ", "")
    match = re.match(r"^(.*?)(\d{1,2})$", text)
    if match:
        number = int(match.group(2))
        for locale in SUPPORTED_LOCALES:
            with force_locale(locale):
                for stage in "PMK":
                    if _short(stage, number).replace(" ", "").casefold() == text.casefold():
                        return f"{stage}{number}"
    return text.upper()


def classroom_names(classroom) -> set[str]:
    """Every way a reader may write a classroom's name (code form and each language's label),
    upper-cased without spaces: what an import file may contain."""
    from flask_babel import force_locale

    from lms.common.i18n import SUPPORTED_LOCALES  # import cycle: i18n imports this module

    names = {classroom.name}
    for locale in SUPPORTED_LOCALES:
        with force_locale(locale):
            names.add(classroom_label(classroom))
    return {n.upper().replace(" ", "") for n in names}


def init_app(app) -> None:
    app.jinja_env.filters.update(label=label_filter, level_label=level_label, level_name=level_name,
                                 classroom_label=classroom_label)
