"""Request bodies checked against the operation's schema in the OpenAPI document, before the services.

The services are lenient on purpose (the HTML forms send strings: "30", "true", "published"); the API
is not: a body is a JSON object with only the documented keys, each of its documented JSON type
(an integer is not "30" or 30.5, a boolean is not "true" or 1, an enum value is spelled exactly,
``null`` only where the document says ``nullable``, a datetime is RFC 3339 with an offset).  Ranges,
lengths and cross-field rules stay with the services, which give the contract's messages.
Every problem is 400 VALIDATION_ERROR naming the (top-level) field.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from lms.common.errors import ValidationFailed

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def check_body(data: dict, schema: dict) -> None:
    _check(data, schema, "")


def _fail(message: str, path: str):
    """``details.field`` is the body's top-level key; the message names the exact place."""
    raise ValidationFailed(message, field=path.split(".", 1)[0])


def _check(value, schema: dict, path: str) -> None:
    """Refuse what the services would leniently accept; leave the rest to them (they know the contract's
    messages: "Start date is required", "Start date must be valid ISO date", ...)."""
    from lms.api.openapi import SCHEMAS  # import cycle: openapi imports this module

    if "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    field = path or "body"
    if value is None:
        return  # the document marks null wherever the service takes it (as "clear" or "the default")
    kind = schema.get("type")
    if kind == "object":
        _check_object(value, schema, path)
    elif kind == "integer":
        if isinstance(value, str) or (isinstance(value, float) and value.is_integer()):
            _fail(_("%(field)s must be an integer", field=field), field)
    elif kind == "boolean":
        if not isinstance(value, bool):
            _fail(_("%(field)s must be true or false", field=field), field)
    elif kind == "string":
        _check_string(value, schema, field)
    elif kind == "array":
        if not isinstance(value, list):
            _fail(_("%(field)s must be a list", field=field), field)
        for index, item in enumerate(value):
            _check(item, schema.get("items", {}), f"{field}.{index}")


def _check_object(value, schema: dict, path: str) -> None:
    if not isinstance(value, dict):
        return
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        child = f"{path}.{key}" if path else str(key)
        if key in properties:
            _check(item, properties[key], child)
        elif extra is False:
            _fail(_("%(field)s is not a known field", field=child), child)
        elif isinstance(extra, dict):
            _check(item, extra, child)


def _check_string(value, schema: dict, field: str) -> None:
    if not isinstance(value, str):
        _fail(_("%(field)s must be a string", field=field), field)
    if schema.get("format") == "date-time" and not RFC3339.match(value) and (_parses(value) or not value):
        _fail(_("%(field)s must be an ISO 8601 date and time with a time zone, like 2026-03-01T09:00:00Z",
                field=field), field)
    enum = schema.get("enum")
    if enum and value not in enum and value.strip().upper() in enum:  # "published", " DRAFT"
        _fail(_("%(name)s must be one of %(choices)s", name=field, choices=", ".join(map(str, enum))), field)

def _parses(value: str) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return False
    return True
