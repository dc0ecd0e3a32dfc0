"""The resource library, uploads and links, editing, deleting, and the authorised download."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import SIGNED_IN, allow
from lms.common.downloads import private_file
from lms.common.formviews import arg_int, deleted, render_form, saving
from lms.common.htmx import redirect_to, render
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.curriculum import services as curriculum
from lms.extensions import db
from lms.resources import services, storage
from lms.resources.forms import ResourceEditForm, ResourceForm
from lms.resources.models import RESOURCE_KINDS

bp = Blueprint("resources", __name__)

nav_item("resources.index", _l("Resources"), Role.ADMIN, Role.TEACHER, order=35, group="school")

INLINE_TYPES = ("image/", "audio/", "video/", "application/pdf")
UPLOAD_OVERHEAD = 1024 * 1024  # form fields around the file


def _upload_limit():
    """Uploads may be larger than other requests: raise the limit for this one route only, and
    before anything (the CSRF check included) reads the body."""
    if request.endpoint == "resources.create" and request.method == "POST" and \
            getattr(current_user, "role", None) in (Role.ADMIN, Role.TEACHER):
        request.max_content_length = services.max_upload_bytes() + UPLOAD_OVERHEAD


@bp.record_once
def _install_upload_limit(state):
    state.app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)


@bp.route("/resources")
@allow(Role.ADMIN, Role.TEACHER)
def index():
    filters = {"q": request.args.get("q", "").strip()[:100], "kind": request.args.get("kind", ""),
               "subject_id": arg_int("subject")}
    page = paginate(services.library_query(current_user, **filters), per_page=24)
    ctx = {"results": page, "filters": filters, "kinds": RESOURCE_KINDS, "kind_labels": services.kind_labels(),
           "subjects": list(db.session.scalars(curriculum.visible_subjects(current_user)
                                               .order_by(curriculum.Subject.name))),
           "usage": services.usage_counts(r.id for r in page.items)}
    return render("resources/index.html", "resources/_list.html", **ctx)


def _target_section(form):
    value = form.section_id.data or request.args.get("section", "")
    if not value:
        return None
    section = curriculum.get_section_for(current_user, value)
    curriculum.require_edit(current_user, curriculum.subject_of(section))
    return section


def _new_page(form, section, status=200):
    ctx = {"form": form, "section": section, "limits": services.size_limits()}
    return render_form("resources/new.html", "resources/_form.html", failed=status == 422, **ctx)


@bp.route("/resources/new", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def create():
    if request.method == "GET":
        form = ResourceForm(formdata=None, section_id=request.args.get("section", ""))
        return _new_page(form, _target_section(form))
    form = ResourceForm()
    section = _target_section(form)
    if not form.validate():
        return _new_page(form, section, 422)
    upload = request.files.get("file")
    has_file = upload is not None and upload.filename
    if not has_file and not form.url.data:
        form.file.errors = [_("Choose a file or give a link.")]
        return _new_page(form, section, 422)
    with saving(form) as saved:
        if has_file:
            resource = services.upload(current_user, upload.stream, upload.filename, title=form.title.data,
                                       label=form.label.data, description=form.description.data, section=section)
        else:
            resource = services.add_link(current_user, form.url.data, title=form.title.data,
                                         label=form.label.data, description=form.description.data,
                                         section=section)
    if not saved:
        return _new_page(form, section, 422)
    flash(_("“%(title)s” was added.", title=resource.title), "success")
    if section is not None:
        return redirect_to(url_for("curriculum.sections.edit", section_id=section.id))
    return redirect_to(url_for("resources.detail", resource_id=resource.id))


def _detail_page(resource, form=None, status=200):
    form = form or ResourceEditForm(formdata=None, obj=resource)
    ctx = {"resource": resource, "form": form, "places": services.places_of(resource),
           "can_manage": services.can_manage(current_user, resource), "kind_labels": services.kind_labels()}
    return render_form("resources/detail.html", "resources/_edit_form.html", failed=status == 422, **ctx)


@bp.route("/resources/<int:resource_id>")
@allow(Role.ADMIN, Role.TEACHER)
def detail(resource_id):
    return _detail_page(services.get_resource_for(current_user, resource_id))


@bp.route("/resources/<int:resource_id>", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def update(resource_id):
    resource = services.get_resource_for(current_user, resource_id)
    services.require_manage(current_user, resource)
    form = ResourceEditForm()
    if form.validate():
        with saving(form) as saved:
            services.update(current_user, resource, title=form.title.data, label=form.label.data,
                            description=form.description.data)
        if saved:
            flash(_("Saved."), "success")
            return _detail_page(resource)
    resource = services.get_resource_for(current_user, resource_id)
    return _detail_page(resource, form, 422)


@bp.route("/resources/<int:resource_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete(resource_id):
    resource = services.get_resource_for(current_user, resource_id)
    title = resource.title
    services.delete(current_user, resource)
    db.session.commit()
    return deleted(title, url_for("resources.index"))


# --- files ------------------------------------------------------------------------------------


def _file_response(path, content_type: str, download_name: str, inline: bool):
    # Even if a browser were to render it as a page, it could run nothing and reach nothing.
    return private_file(path, content_type, csp="sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
                        as_attachment=not inline, download_name=download_name)


@bp.route("/resources/<int:resource_id>/download")
@allow(SIGNED_IN)
def download(resource_id):
    resource = services.get_resource_for(current_user, resource_id)
    if resource.file is None:
        abort(404)
    path = storage.path_of(resource.file.storage_name)
    if not path.is_file():
        abort(404)
    content_type = resource.file.content_type
    inline = content_type.startswith(INLINE_TYPES)
    name = resource.filename or f"resource-{resource.id}"
    return _file_response(path, content_type, name, inline)


@bp.route("/resources/<int:resource_id>/thumbnail")
@allow(SIGNED_IN)
def thumbnail(resource_id):
    resource = services.get_resource_for(current_user, resource_id)
    stored = resource.file
    if stored is None or not stored.thumbnail_name:
        abort(404)
    path = storage.path_of(stored.thumbnail_name)
    if not path.is_file():
        abort(404)
    return _file_response(path, stored.thumbnail_type, f"thumbnail-{resource.id}", True)
