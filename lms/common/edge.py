"""Input hygiene at the edge (ASVS 5.1), once for every page and API route.

* Text: NUL and the other C0 control characters (but tab, line feed and carriage return) and lone
  UTF-16 surrogates are refused in the path, the query string, form fields (names, values, upload
  file names) and JSON bodies (keys and strings): 400 naming the field, before any view runs.
  A form view marked ``@form_checks_text`` has its posted values checked by its WTForms form
  instead (the filters below): the message is then next to the field, in the form (422 to htmx).
  PostgreSQL cannot store NUL at all (psycopg2 raised, a 500) and the others are never typed.
* JSON bodies: at most ``JSON_MAX_BYTES`` and nested at most ``MAX_JSON_DEPTH`` deep (checked
  before parsing: Python's parser recursed until it crashed); the app's JSON provider refuses
  deeper documents wherever ``get_json`` is called.  Bodies that are not JSON answer 400.
* Numbers: ids in paths (``<int:...>``) above PostgreSQL's ``integer`` answer 404 (the URL map's
  ``int`` converter is bounded); ``INT4_MAX`` bounds ids and integers elsewhere (``as_id``, forms).
* Forms: every Flask-WTF form gets filters giving a field error for control characters, integers
  outside PostgreSQL's ``integer``, non-finite or huge decimals and dates outside
  ``YEAR_MIN``–``YEAR_MAX``.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from lms.common.errorpages import error_response
from lms.common.ids import ID_MAX as INT4_MAX  # PostgreSQL ``integer``: ids and every Integer column

INT4_MIN = -(2**31)
DECIMAL_MAX = 10**12  # far above any mark, price or measure the forms take
YEAR_MIN, YEAR_MAX = 1900, 2200
MAX_JSON_DEPTH = 64
JSON_MAX_BYTES = 1024 * 1024

# C0 controls except \t \n \r, and lone surrogates (from JSON "\ud800" escapes).
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def has_forbidden_characters(text) -> bool:
    return isinstance(text, str) and FORBIDDEN_CHARACTERS.search(text) is not None


def year_in_range(value) -> bool:
    """True for dates and datetimes in ``YEAR_MIN``–``YEAR_MAX`` (and for anything else)."""
    return not isinstance(value, (date, datetime)) or YEAR_MIN <= value.year <= YEAR_MAX


def date_range_message() -> str:
    return _("Enter a date between %(first)d and %(last)d.", first=YEAR_MIN, last=YEAR_MAX)


# --- the URL map: bounded ids --------------------------------------------------------------------


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` that does not match numbers PostgreSQL's ``integer`` cannot hold (404, not 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT4_MAX, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# --- JSON: depth before parsing ------------------------------------------------------------------

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class JSONTooDeep(ValueError):
    pass


def json_depth_exceeds(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays/objects more than ``limit`` deep (brackets in strings
    do not count).  Linear, without parsing: deep documents crash Python's recursive parser."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def loads_limited(text, **kwargs):
    """``json.loads`` that raises ``JSONTooDeep`` (a ``ValueError``) instead of crashing on depth."""
    import json

    if json_depth_exceeds(text):
        raise JSONTooDeep(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return json.loads(text, **kwargs)


class LimitedJSONProvider(DefaultJSONProvider):
    """The app's JSON provider: ``request.get_json`` refuses too-deep documents (a ValueError, so
    ``get_json(silent=True)`` gives None and ``get_json()`` a 400)."""

    def loads(self, s, **kwargs):
        return loads_limited(s, **kwargs)


# --- the request check ---------------------------------------------------------------------------


def _refuse(status: int, message: str, *, field: str, code: str):
    return error_response(status, message, code=code, details={"field": field, "reason": message})


def _bad_text(field: str):
    return _refuse(400, _("“%(field)s” contains a control character (such as a NUL byte) that cannot be "
                          "accepted. Remove it and try again.", field=field[:60]),
                   field=field, code="INVALID_CHARACTERS")


def form_checks_text(view):
    """Mark a form view whose posted text all goes through its Flask-WTF form: control characters
    in the values become a field error there rather than the edge's 400 (names, file names, the
    path and the query string are still checked here).  Apply it under ``@allow``."""
    view.lms_form_checks_text = True
    return view


def _values_checked_by_the_form() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "lms_form_checks_text", False))


def _first_bad_in_multidict(values, *, names_only: bool = False) -> str | None:
    for key, items in values.lists():
        if has_forbidden_characters(key):
            return "?"
        if names_only:
            continue
        for item in items:
            if has_forbidden_characters(item) or has_forbidden_characters(getattr(item, "filename", None)):
                return key
    return None


def first_bad_in_json(document) -> str | None:
    """The key (or "body") of the first string holding forbidden characters; iterative."""
    stack = [("body", document)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, str):
            if has_forbidden_characters(value):
                return name
        elif isinstance(value, dict):
            for key, item in value.items():
                if has_forbidden_characters(key):
                    return "body"
                stack.append((key, item))
        elif isinstance(value, list):
            stack.extend((name, item) for item in value)
    return None


def check_request():
    """``before_request``: refuse hostile text, deep or huge JSON and unreadable bodies."""
    if has_forbidden_characters(request.path):
        return _bad_text("path")
    bad = _first_bad_in_multidict(request.args)
    if bad:
        return _bad_text(bad)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if request.is_json:
        return _check_json()
    try:
        bad = _first_bad_in_multidict(request.form, names_only=_values_checked_by_the_form()) \
            or _first_bad_in_multidict(request.files)
    except ValueError:  # an unreadable body (werkzeug skips most malformed multipart parts itself)
        return _refuse(400, _("The form could not be read. Reload the page and try again."), field="body",
                       code="BAD_REQUEST")
    return _bad_text(bad) if bad else None


def _check_json():
    limit = current_app.config.get("JSON_MAX_BYTES", JSON_MAX_BYTES)
    if request.content_length is not None and request.content_length > limit:
        return _refuse(413, _("The JSON body is too large (at most %(size)d kB).", size=limit // 1024),
                       field="body", code="PAYLOAD_TOO_LARGE")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        return _refuse(413, _("The JSON body is too large (at most %(size)d kB).", size=limit // 1024),
                       field="body", code="PAYLOAD_TOO_LARGE")
    if not raw.strip():
        return None
    if json_depth_exceeds(raw):
        return _refuse(400, _("The JSON is nested too deeply (more than %(depth)d levels).", depth=MAX_JSON_DEPTH),
                       field="body", code="BAD_REQUEST")
    document = request.get_json(silent=True)
    if document is None:
        return _refuse(400, _("The request body is not valid JSON."), field="body", code="BAD_REQUEST")
    bad = first_bad_in_json(document)
    return _bad_text(bad) if bad else None


# --- forms: field errors -------------------------------------------------------------------------


def _text_filter(value):
    if has_forbidden_characters(value):
        raise ValueError(_("This contains a control character (such as a NUL byte) that cannot be accepted."))
    return value


def _integer_filter(value):
    if isinstance(value, int) and not INT4_MIN <= value <= INT4_MAX:
        raise ValueError(_("This number is too large."))
    return value


def _decimal_filter(value):
    if value is not None and not isinstance(value, bool):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return value
        if not math.isfinite(number) or abs(number) > DECIMAL_MAX:
            raise ValueError(_("This number is too large."))
    return value


def _date_filter(value):
    if not year_in_range(value):
        raise ValueError(date_range_message())
    return value


def edge_filters(field_class) -> list:
    from wtforms import fields

    if issubclass(field_class, fields.IntegerField):
        return [_integer_filter]
    if issubclass(field_class, (fields.DecimalField, fields.FloatField)):
        return [_decimal_filter]
    if issubclass(field_class, (fields.DateField, fields.DateTimeField, fields.DateTimeLocalField)):
        return [_date_filter]
    if issubclass(field_class, (fields.StringField, fields.TextAreaField)):
        return [_text_filter]
    return []


def _scalar_texts(value) -> list[str]:
    """JSON values as the strings a browser would have sent (objects and nulls send nothing)."""
    if isinstance(value, bool):
        return ["y"] if value else []
    if isinstance(value, (str, int, float)):
        return [str(value)]
    if isinstance(value, list):
        return [text for item in value if not isinstance(item, (list, dict)) for text in _scalar_texts(item)]
    return []


def _wrap_formdata(original):
    """Form data as the fields expect it: files only under names that are not text fields (a file
    sent as the e-mail address made validators crash), JSON values only as strings."""

    def wrap_formdata(self, form, formdata):
        from flask_wtf.form import _Auto, _is_submitted
        from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict, MultiDict
        from wtforms.fields import FileField, MultipleFileField

        if formdata is _Auto and _is_submitted() and not request.files and not request.form and request.is_json:
            document = request.get_json(silent=True)
            return ImmutableMultiDict([(key, text) for key, value in
                                       (document.items() if isinstance(document, dict) else ())
                                       for text in _scalar_texts(value)])
        data = original(self, form, formdata)
        if isinstance(data, CombinedMultiDict) and request.files:
            text_names = {field.name for field in form._fields.values()
                          if not isinstance(field, (FileField, MultipleFileField))}
            files = MultiDict([(key, item) for key, item in request.files.items(multi=True)
                               if key not in text_names])
            return CombinedMultiDict([files, request.form])
        return data

    return wrap_formdata


def install_form_filters() -> None:
    """Every ``FlaskForm`` field gets the filters for its kind, after its own."""
    from flask_wtf import FlaskForm

    if not getattr(FlaskForm.Meta, "_lms_edge", False):
        FlaskForm.Meta.wrap_formdata = _wrap_formdata(FlaskForm.Meta.wrap_formdata)
        FlaskForm.Meta._lms_edge = True

    def bind_field(self, form, unbound_field, options):
        extra = edge_filters(unbound_field.field_class)
        if extra:
            own = list(unbound_field.kwargs.get("filters") or ())
            return unbound_field.bind(form=form, filters=[*own, *extra], **options)
        return unbound_field.bind(form=form, **options)

    FlaskForm.Meta.bind_field = bind_field


def init_app(app) -> None:
    """Before the blueprints (their rules use the bounded converter) and before CSRF (which reads
    the form): the check runs first on every request."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    # For routes that answer an id beyond that range themselves (the API's SESSION_NOT_FOUND).
    app.url_map.converters["unbounded_int"] = IntegerConverter
    app.json = LimitedJSONProvider(app)
    app.before_request(check_request)
    install_form_filters()
