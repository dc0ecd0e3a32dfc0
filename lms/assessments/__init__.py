"""Assessments: the bank, questions and media, taking on a phone, grading, gradebook, progress.

Modules:

* ``models`` — the tables; ``questions`` — question types, validation and scoring (pure);
* ``media`` — ``[[media:label]]`` in question text; ``services`` — visibility, the bank and authoring;
* ``taking`` — attempts, autosave, submit; ``preview`` — a teacher tries an assessment as a student; ``grading`` — the queue, grading, re-scoring;
* ``gradebook`` — gradebook and student progress; ``extensions`` — a student's own due date and attempts; ``item_analysis`` — how well each question worked;
* ``rubrics`` — the rubric library and a question's rubric; ``rubric_grading`` — levels chosen when grading;
* ``replies`` — a student's one reply to the teacher's feedback;
* ``interchange`` / ``gift`` — import and export;
* ``hooks`` — what other domains see (resource visibility and usage, section pages);
* ``views_*`` — the blueprints.
"""

from functools import cache

from flask import Blueprint


@cache
def blueprint() -> Blueprint:
    """The bank and assessment pages at ``assessments.<view>``; the other areas nested as
    ``assessments.<area>.<view>``."""
    from lms.assessments import (
        views_analysis,
        views_bank,
        views_extensions,
        views_gradebook,
        views_grading,
        views_interchange,
        views_preview,
        views_questions,
        views_replies,
        views_rubrics,
        views_take,
    )

    for area in (views_questions, views_take, views_preview, views_grading, views_gradebook, views_extensions,
                 views_interchange, views_analysis, views_rubrics, views_replies):
        views_bank.bp.register_blueprint(area.bp)
    return views_bank.bp
