"""One way for a view to run a service operation that may refuse, and to answer with its form.

A form view is::

    if form.validate_on_submit():
        with saving(form) as saved:
            student = people.create_student(current_user, form.full_name.data, ...)
        if saved:
            flash(_("%(name)s was added.", name=student.full_name), "success")
            return redirect_to(url_for("school.students.detail", student_id=student.id))
    return render_form("school/student_form.html", "school/_student_form.html", form=form, student=None)

When the block ends normally the request's transaction is committed.  When a
service raises a ``DomainError`` the transaction is rolled back and the message
is shown next to the form field it names (or above the form); without a form
it is flashed as an error.  Either way the exception stops there and ``saved``
is false.  ``render_form`` shows the page (GET) or the form with its messages
once it was posted (422 for htmx, as ``render_form_errors`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import flash, request
from flask_babel import gettext as _

from lms.common.errors import DomainError
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.common.ids import as_id
from lms.extensions import db


class Outcome:
    """What ``saving`` yields: true once the block ran and was committed."""

    def __init__(self):
        self.error: DomainError | None = None
        self._done = False

    def __bool__(self) -> bool:
        return self._done and self.error is None

    @property
    def message(self) -> str | None:
        return self.error.message if self.error else None

    @property
    def messages(self) -> list[str]:
        """Every problem the error lists (a whole file's, in ``details["errors"]``), else its message."""
        if self.error is None:
            return []
        return self.error.details.get("errors") or [self.error.message]


@contextmanager
def saving(form=None, *, field: str | None = None, quiet: bool = False,
           catch: type[DomainError] | tuple[type[DomainError], ...] = DomainError) -> Iterator[Outcome]:
    """Commit the block's work, or roll it back and show the service's error.

    ``form``: the error goes next to its field (``attach_error``; ``field`` for
    an error that names none, else above the form).  No form: it is flashed,
    unless ``quiet`` (the view shows ``outcome.message`` itself).
    ``catch`` narrows which errors become a message; others propagate.
    A ``return`` inside the block ends it normally, so it commits: check the
    input before the block.
    """
    outcome = Outcome()
    try:
        yield outcome
    except catch as err:
        db.session.rollback()
        outcome.error = err
        if form is not None:
            attach_error(form, err, field=field)
        elif not quiet:
            flash(err.message, "error")
    else:
        db.session.commit()
    outcome._done = True


def attach_error(form, err: DomainError, *, field: str | None = None) -> None:
    """Show a service's error next to the field it names (or ``field``, or above the form)."""
    field = getattr(err, "field", None) or field
    if field and field in form:
        form[field].errors = [*form[field].errors, err.message]
    else:
        form.form_errors.append(err.message)
    form._errors = None  # WTForms caches ``form.errors``


def arg_int(name: str) -> int | None:
    """The id in the query string's ``name`` (None when missing or not an id)."""
    return as_id(request.args.get(name, ""))


def form_int(name: str) -> int | None:
    """The id in the posted form's ``name`` (None when missing or not an id)."""
    return as_id(request.form.get(name, ""))


def render_form(page: str, fragment: str | None = None, *, failed: bool | None = None, **context):
    """The page of ``context["form"]``: plain, or with its messages (422 for htmx) when ``failed``.

    ``failed`` defaults to "the form was submitted": a view that got this far did not succeed.
    """
    if failed is None:
        failed = context["form"].is_submitted()
    return (render_form_errors if failed else render)(page, fragment, **context)


def deleted(title: str, url: str):
    """After a committed deletion: say “title” was deleted and go to ``url``."""
    flash(_("“%(title)s” was deleted.", title=title), "success")
    return redirect_to(url)


def saved_answer(message: str, url: str, page: str, fragment: str, context: Callable[[], dict]):
    """After a save: say so; htmx gets ``fragment`` again (with ``context()``), a plain post goes to ``url``."""
    flash(message, "success")
    if is_htmx():
        return render(page, fragment, **context())
    return redirect_to(url)


def outcome_answer(outcome: Outcome, message: str | None, url: str, page: str, fragment: str,
                   context: Callable[[Outcome], dict]):
    """After a ``saving(quiet=True)`` block: ``message`` when it was saved; a plain post goes to
    ``url`` (the error flashed when it failed); htmx gets ``fragment`` again with ``context(outcome)``
    (422 when it failed: the context shows ``outcome.message``)."""
    if outcome and message:
        flash(message, "success")
    if not is_htmx():
        if not outcome:
            flash(outcome.message, "error")
        return redirect_to(url)
    return render(page, fragment, status=200 if outcome else 422, **context(outcome))
