"""Editing a subject's tree in place: add, rename, delete, publish, reorder and move nodes.

Every action answers the re-rendered tree (``curriculum/_tree.html``) to htmx, or redirects
to the subject page for a plain form post.
"""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.ids import as_id
from lms.curriculum import services, tree
from lms.curriculum.views_subjects import subject_context

bp = Blueprint("tree", __name__)

KIND_OF_PATH = {"units": "unit", "parts": "part", "sections": "section"}
NODE_PATH = "/<any(units, parts, sections):kinds>/<int:node_id>"


def _answer(subject_id: int, *, status: int = 200, error: str | None = None):
    """The tree fragment (htmx) or the subject page, with an error message when given."""
    if error:
        flash(error, "error")
    if not is_htmx():
        return redirect_to(url_for("curriculum.subjects.detail", subject_id=subject_id))
    subject = services.get_subject_for(current_user, subject_id)
    return render("curriculum/subject.html", "curriculum/_tree.html", status=status,
                  **subject_context(subject))


def _act(node_or_subject, action):
    """Run ``action()``; commit, or roll back and show the message (422 for bad input)."""
    subject_id = services.subject_of(node_or_subject).id
    with saving(quiet=True, catch=ValidationFailed) as saved:  # other refusals go to the error handler
        message = action()
    if not saved:
        return _answer(subject_id, status=422, error=saved.message)
    if message:
        flash(message, "success")
    return _answer(subject_id)


def _add(kind: str, parent_id):
    parent = tree.get_parent_for_add(current_user, kind, parent_id)
    services.require_edit(current_user, services.subject_of(parent))

    def action():
        node = tree.add_child(current_user, parent, request.form.get("title", ""))
        return _("Added %(kind)s “%(title)s”.", kind=tree.node_label(kind), title=node.title)

    return _act(parent, action)


@bp.route("/subjects/<int:subject_id>/units", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def add_unit(subject_id):
    return _add("unit", subject_id)


@bp.route("/units/<int:unit_id>/parts", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def add_part(unit_id):
    return _add("part", unit_id)


@bp.route("/parts/<int:part_id>/sections", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def add_section(part_id):
    return _add("section", part_id)


def _node(kinds: str, node_id):
    node = services.get_node_for(current_user, KIND_OF_PATH[kinds], node_id)
    services.require_edit(current_user, services.subject_of(node))
    return node


@bp.route(NODE_PATH + "/rename", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def rename(kinds, node_id):
    """GET: the row as a rename form (htmx; loaded on demand to keep the tree light)."""
    node = _node(kinds, node_id)
    subject_id = services.subject_of(node).id
    if request.method == "GET":
        if not is_htmx():
            return redirect_to(url_for("curriculum.subjects.detail", subject_id=subject_id))
        return render_template("curriculum/_rename_row.html", kinds=kinds, node=node, subject_id=subject_id)
    return _act(node, lambda: tree.rename(current_user, node, request.form.get("title", "")) and None)


@bp.route(NODE_PATH + "/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete(kinds, node_id):
    node = _node(kinds, node_id)
    title, kind = node.title, node.kind

    def action():
        gone = tree.delete(current_user, node)
        if gone:
            return _("Deleted %(kind)s “%(title)s” with %(contents)s.", kind=tree.node_label(kind), title=title,
                     contents=gone)
        return _("Deleted %(kind)s “%(title)s”.", kind=tree.node_label(kind), title=title)

    return _act(node, action)


@bp.route(NODE_PATH + "/publish", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def publish(kinds, node_id):
    node = _node(kinds, node_id)
    published = request.form.get("published", "1") == "1"
    with_children = request.form.get("with_children") == "1"

    def action():
        tree.set_published(current_user, node, published, with_children=with_children)
        return None

    return _act(node, action)


@bp.route(NODE_PATH + "/move", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def move(kinds, node_id):
    """``direction=up|down`` (buttons), or ``parent_id`` and ``index`` (a drop)."""
    node = _node(kinds, node_id)
    direction = request.form.get("direction", "")

    def action():
        if direction:
            tree.step(current_user, node, direction)
        else:
            parent_id, index = request.form.get("parent_id", ""), request.form.get("index", "")
            if as_id(index) is None or (parent_id and as_id(parent_id) is None):
                raise ValidationFailed(_("Say where to move it."), field="index")
            tree.move(current_user, node, parent_id=as_id(parent_id) if parent_id else None, index=as_id(index))
        return None

    return _act(node, action)
