"""Item analysis of an assessment (page and CSV), for those who grade it."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from lms.assessments import item_analysis, services
from lms.assessments.views_bank import common_context
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.csvexport import csv_response
from lms.common.htmx import render

bp = Blueprint("analysis", __name__)


def _gradeable(assessment_id):
    """The assessment if the actor may see it (else 404) and grade it (else 403)."""
    assessment = services.get_assessment_for(current_user, assessment_id)
    services.require_edit_assessment(current_user, assessment)
    return assessment


@bp.route("/assessments/<int:assessment_id>/analysis")
@allow(Role.ADMIN, Role.TEACHER)
def page(assessment_id):
    analysis = item_analysis.analyse(_gradeable(assessment_id))
    return render("assessments/analysis.html", analysis=analysis, assessment=analysis.assessment,
                  flag_labels=item_analysis.flag_labels(), thresholds=item_analysis, **common_context())


@bp.route("/assessments/<int:assessment_id>/analysis.csv")
@allow(Role.ADMIN, Role.TEACHER)
def export(assessment_id):
    analysis = item_analysis.analyse(_gradeable(assessment_id))
    return csv_response(f"item-analysis-{analysis.assessment.id}.csv", *item_analysis.analysis_table(analysis))
