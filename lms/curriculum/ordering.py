"""Dense positions (0..n-1) under concurrent edits.

Every change to an ordered list (insert, delete, reorder, move between parents) runs in the
request's one transaction and:

1. locks the parent row(s) (``SELECT ... FOR UPDATE`` on PostgreSQL, in id order so that two
   moves never deadlock; SQLite serialises writers anyway),
2. reads the siblings *after* the lock (so it sees what a concurrent editor committed),
3. renumbers them 0..n-1 in two statements: first every row to a temporary position above
   any real one (``OFFSET + id``, distinct), then each row to its final position — so the
   database's unique (parent, position) constraint never sees a transient duplicate.
"""

from __future__ import annotations

from sqlalchemy import case, select, update

from lms.extensions import db

OFFSET = 1_000_000


def lock(model, *ids) -> None:
    """Lock parent rows (distinct ids, ascending) until the transaction ends."""
    wanted = sorted({int(i) for i in ids if i is not None})
    if not wanted:
        return
    db.session.execute(select(model.id).where(model.id.in_(wanted)).order_by(model.id).with_for_update())


def sibling_ids(model, parent_column, parent_id) -> list[int]:
    """Ids of the children of ``parent_id`` in their current order (read after the lock)."""
    return list(db.session.scalars(
        select(model.id).where(parent_column == parent_id).order_by(model.position, model.id)))


def renumber(model, parent_attr: str, orders: dict[int, list[int]]) -> None:
    """Give the rows of each ``{parent_id: [child ids in order]}`` the positions 0..n-1.

    A child may appear under a different parent than it had (a move): its parent is updated
    in the same statements.
    """
    ids = [child for children in orders.values() for child in children]
    if not ids:
        return
    table = model.__table__
    parent_col = table.c[parent_attr]
    db.session.execute(
        update(table).where(table.c.id.in_(ids)).values(position=OFFSET + table.c.id))
    positions = {child: index for children in orders.values() for index, child in enumerate(children)}
    parents = {child: parent for parent, children in orders.items() for child in children}
    db.session.execute(
        update(table).where(table.c.id.in_(ids)).values(
            position=case(positions, value=table.c.id),
            **{parent_attr: case(parents, value=table.c.id, else_=parent_col)}))
    # Loaded objects still hold the old numbers: reload them on next access.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, model) and obj.id in positions:
            db.session.expire(obj, ["position", parent_attr])


def place(ids: list[int], item_id: int, index: int | None) -> list[int]:
    """``ids`` with ``item_id`` (removed from where it was) inserted at ``index`` (None: at the end)."""
    rest = [i for i in ids if i != item_id]
    if index is None or index > len(rest):
        index = len(rest)
    index = max(index, 0)
    return [*rest[:index], item_id, *rest[index:]]


def step(model, parent_attr: str, parent_id: int, item_id: int, direction: str) -> bool:
    """Move ``item_id`` one place "up" or "down" among its siblings (lock the parent first).
    False, and nothing changed, when it is already first or last."""
    ids = sibling_ids(model, getattr(model, parent_attr), parent_id)
    index = ids.index(item_id) + (-1 if direction == "up" else 1)
    if not 0 <= index < len(ids):
        return False
    renumber(model, parent_attr, {parent_id: place(ids, item_id, index)})
    return True
