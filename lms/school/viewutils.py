"""Small helpers shared by the school views."""

from __future__ import annotations

from flask import request

from lms.common.errors import DomainError
from lms.common.ids import as_id


def attach_error(form, err: DomainError) -> None:
    """Show a service's error next to the field it names (or above the form)."""
    field = getattr(err, "field", None)
    if field and field in form:
        form[field].errors = [*form[field].errors, err.message]
    else:
        form.form_errors.append(err.message)
    form._errors = None  # WTForms caches ``form.errors``


def arg_int(name: str) -> int | None:
    value = request.args.get(name, "")
    return as_id(value)


def form_int(name: str) -> int | None:
    value = request.form.get(name, "")
    return as_id(value)
