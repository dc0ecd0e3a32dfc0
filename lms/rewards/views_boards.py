"""Leaderboards: ``/classrooms/<id>/leaderboard`` and ``/sessions/<id>/leaderboard`` (404 while
they are off, and for anyone outside the classroom or session)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.htmx import render
from lms.rewards import boards

bp = Blueprint("boards", __name__)

MEMBERS = (Role.ADMIN, Role.TEACHER, Role.STUDENT)


@bp.route("/classrooms/<int:classroom_id>/leaderboard")
@allow(*MEMBERS)
def classroom(classroom_id: int):
    room, board = boards.classroom_board(current_user, classroom_id)
    return render("rewards/leaderboard.html", board=board, classroom=room, course_session=None)


@bp.route("/sessions/<int:session_id>/leaderboard")
@allow(*MEMBERS)
def teaching_session(session_id: int):
    course_session, board = boards.session_board(current_user, session_id)
    return render("rewards/leaderboard.html", board=board, classroom=None, course_session=course_session)
