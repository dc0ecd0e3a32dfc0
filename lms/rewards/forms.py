"""Forms of badges and points (``lms.rewards.rules`` and ``lms.rewards.badges`` check them again)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.rewards.labels import CRITERION, ICON_NAMES
from lms.rewards.models import (
    BADGE_DESCRIPTION_MAX,
    BADGE_NAME_MAX,
    ICONS,
    POINTS_MAX,
    REASON_MAX,
    THRESHOLD_MAX,
)
from lms.school.forms import choices


def _points(label):
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=POINTS_MAX)])


class RulesForm(FlaskForm):
    points_present = _points(_l("Points for being present at a meeting"))
    points_late = _points(_l("Points for being late at a meeting"))
    points_section = _points(_l("Points for a section completed"))
    points_assessment = _points(_l("Points for an assessment passed"))
    pass_percent = IntegerField(_l("An assessment is passed from this percentage of its points"),
                                validators=[InputRequired(), NumberRange(min=1, max=100)])
    leaderboards_enabled = BooleanField(_l("Leaderboards in classrooms and teaching sessions"))


class BadgeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=BADGE_NAME_MAX)])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=BADGE_DESCRIPTION_MAX)])
    icon = RadioField(_l("Icon"), choices=choices((key, ICON_NAMES[key]) for key in ICONS), validators=[InputRequired()])
    criterion = SelectField(_l("Earned by"), choices=choices(CRITERION.items()), validators=[InputRequired()])
    threshold = IntegerField(_l("How many (not for badges teachers give)"),
                             validators=[Optional(), NumberRange(min=1, max=THRESHOLD_MAX)])


class AwardForm(FlaskForm):
    badge_id = SelectField(_l("Badge"), coerce=str, validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX)])
