"""Navigation entries registered by each domain blueprint, filtered by role, optionally grouped.

* ``nav_item(endpoint, _l("Label"), Role.X, ..., order=N, group="school")`` adds a link.
* ``nav_item(..., badge=count_of)``: ``count_of(user)`` gives a number shown next to the link (0: none).
* ``nav_group("school", _l("School"), Role.ADMIN, order=N)`` declares a dropdown.  A group only
  groups for the roles it is declared for: for everyone else its items stay top-level links
  (``curriculum.subjects.index`` sits under "School" for administrators and on the bar for students).
  An item naming an undeclared group is a top-level link too.

``nav_for(user)`` answers the entries for the layout, in order: ``{"kind": "item", "label",
"url", "endpoint"}`` or ``{"kind": "group", "key", "label", "items": [...], "active"}``; a group
with no visible item is left out, and a group with a single item is shown as that item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import url_for


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string
    roles: frozenset
    order: int = 100
    group: str | None = None
    badge: Callable | None = None


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: object  # a lazy_gettext string
    roles: frozenset
    order: int = 100


_ITEMS: dict[str, NavItem] = {}
_GROUPS: dict[str, NavGroup] = {}


def nav_item(endpoint: str, label, *roles: str, order: int = 100, group: str | None = None,
             badge: Callable | None = None) -> None:
    """Show a link to ``endpoint`` in the main navigation for the given roles (inside ``group``'s
    dropdown for the roles that group is declared for); ``badge(user)``: a count shown beside it."""
    _ITEMS[endpoint] = NavItem(endpoint, label, frozenset(str(r) for r in roles), order, group, badge)


def nav_group(key: str, label, *roles: str, order: int = 100) -> None:
    """Declare a dropdown of the main navigation, used for ``roles`` (its place on the bar: ``order``)."""
    _GROUPS[key] = NavGroup(key, label, frozenset(str(r) for r in roles), order)


def _is_current(url: str, path: str) -> bool:
    return url != "/" and (path == url or path.startswith(url.rstrip("/") + "/"))


def nav_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    from flask import current_app, has_request_context, request

    role = str(user.role)
    path = request.path if has_request_context() else ""
    entries: list[tuple[tuple, dict]] = []
    groups: dict[str, dict] = {}
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.endpoint)):
        if role not in item.roles or item.endpoint not in current_app.view_functions:
            continue
        url = url_for(item.endpoint)
        link = {"kind": "item", "endpoint": item.endpoint, "label": item.label, "url": url,
                "current": _is_current(url, path), "badge": item.badge(user) if item.badge else 0}
        group = _GROUPS.get(item.group) if item.group else None
        if group is None or role not in group.roles:
            entries.append(((item.order, item.endpoint), link))
            continue
        entry = groups.get(group.key)
        if entry is None:
            entry = groups[group.key] = {"kind": "group", "key": group.key, "label": group.label, "items": []}
            entries.append(((group.order, "~" + group.key), entry))
        entry["items"].append(link)
    result = []
    for _key, entry in sorted(entries, key=lambda e: e[0]):
        if entry["kind"] == "group":
            if len(entry["items"]) == 1:
                entry = entry["items"][0]
            else:
                entry["current"] = any(i["current"] for i in entry["items"])
        result.append(entry)
    return result


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")
