"""A domain's blueprint: one nested blueprint per area, so endpoints read ``<domain>.<area>.<view>``."""

from flask import Blueprint


def domain_blueprint(name: str, import_name: str, *areas, connect_signals=None) -> Blueprint:
    """A blueprint ``name`` with each area module's ``bp`` registered under it, in the order given;
    ``connect_signals`` (the domain's receivers, ``lms.core.signals``) runs once, when it is registered."""
    bp = Blueprint(name, import_name)
    if connect_signals is not None:
        bp.record_once(lambda _state: connect_signals())
    for area in areas:
        bp.register_blueprint(area.bp)
    return bp
