"""Navigation entries registered by each domain blueprint, filtered by role."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string
    roles: frozenset
    order: int = 100


_ITEMS: dict[str, NavItem] = {}


def nav_item(endpoint: str, label, *roles: str, order: int = 100) -> None:
    """Show a link to ``endpoint`` in the main navigation for the given roles."""
    _ITEMS[endpoint] = NavItem(endpoint, label, frozenset(str(r) for r in roles), order)


def nav_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    from flask import current_app

    items = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.endpoint)):
        if str(user.role) in item.roles and item.endpoint in current_app.view_functions:
            items.append({"endpoint": item.endpoint, "label": item.label, "url": url_for(item.endpoint)})
    return items
