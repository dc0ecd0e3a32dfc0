"""Badges and points (seeds 002 and 004): a points ledger, badge definitions with criteria, manual
badges, the students' badges page and the opt-in leaderboards (see ``lms.rewards.services``)."""

from functools import cache

from flask import Blueprint

from lms.common.blueprints import domain_blueprint


@cache
def blueprint() -> Blueprint:
    """Badges and points pages, one nested blueprint per area: ``rewards.<area>.<view>``."""
    from lms.rewards import views_admin, views_boards, views_manual, views_student

    return domain_blueprint("rewards", __name__, views_admin, views_student, views_manual, views_boards)
