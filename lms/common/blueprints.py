"""A domain's blueprint: one nested blueprint per area, so endpoints read ``<domain>.<area>.<view>``."""

from flask import Blueprint


def domain_blueprint(name: str, import_name: str, *areas) -> Blueprint:
    """A blueprint ``name`` with each area module's ``bp`` registered under it, in the order given."""
    bp = Blueprint(name, import_name)
    for area in areas:
        bp.register_blueprint(area.bp)
    return bp
