"""The one way to declare who may use a route.

Every view function carries ``@allow(...)``; a test walks ``app.url_map`` and
fails on any endpoint without the declaration.  Role checks here are coarse
(which kinds of user may call the route at all); object-level visibility is
decided in each domain's services (not visible -> 404, visible but not
allowed -> 403).
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from lms.extensions import login_manager

PUBLIC = "PUBLIC"        # anyone, signed in or not
SIGNED_IN = "SIGNED_IN"  # any signed-in user, whatever the role


def allow(*who: str):
    """``@allow(PUBLIC)``, ``@allow(SIGNED_IN)`` or ``@allow(Role.ADMIN, Role.TEACHER, ...)``."""
    if not who:
        raise ValueError("allow() needs at least one role, PUBLIC or SIGNED_IN")
    allowed = frozenset(str(w) for w in who)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if PUBLIC not in allowed:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if SIGNED_IN not in allowed and str(current_user.role) not in allowed:
                    abort(403)
            return view(*args, **kwargs)

        wrapped.access = allowed
        return wrapped

    return decorator


def access_of(view) -> frozenset | None:
    """The declaration on a view function (None when it has none)."""
    return getattr(view, "access", None)
