"""Rendering for htmx: the same fragment serves the full page and the swap."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request


def is_htmx() -> bool:
    """An htmx request that wants a fragment (boosted links want the full page, and so does
    the Back button's history restore of a pushed URL: htmx keeps no history cache here)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true" \
        and request.headers.get("HX-History-Restore-Request") != "true"


def render(page: str, fragment: str | None = None, *, status: int = 200, **context):
    """Render ``page`` for a normal request, only ``fragment`` for htmx.

    The page template includes the fragment, so both answers share one markup. A fragment answer
    also carries the flashed messages out of band (``_flash_oob.html``), so every swap shows them.
    """
    htmx = is_htmx()
    template = fragment if fragment and htmx else page
    body = render_template(template, **context)
    if htmx and template.rpartition("/")[2].startswith("_"):
        body += render_template("_flash_oob.html")
    return make_response(body, status)


def render_form_errors(page: str, fragment: str | None = None, **context):
    """Re-render a form with its validation messages (422 for htmx, the page itself otherwise)."""
    return render(page, fragment, status=422 if is_htmx() else 200, **context)


def redirect_to(url: str, status: int = 303):
    """Redirect that also works for htmx requests (full navigation via HX-Redirect)."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=status)


def trigger(response, event: str):
    """Ask htmx to fire ``event`` on the client after the swap (e.g. to refresh a counter)."""
    existing = response.headers.get("HX-Trigger")
    response.headers["HX-Trigger"] = f"{existing}, {event}" if existing else event
    return response
