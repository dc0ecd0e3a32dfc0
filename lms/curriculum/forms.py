"""Curriculum forms (Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.curriculum.models import TITLE_MAX
from lms.school.forms import choices, int_or_none  # noqa: F401 - choices re-exported for the views


class CoreSubjectForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    archived = BooleanField(_l("Archived (not offered for new subjects)"))


class SubjectForm(FlaskForm):
    core_subject_id = SelectField(_l("Core subject"), coerce=int_or_none, validators=[DataRequired()])
    audience = SelectField(_l("For"), validators=[DataRequired()], validate_choice=False)
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)],
                       description=_l("Leave empty for e.g. “Mathematics P1”."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class CopySubjectForm(FlaskForm):
    audience = SelectField(_l("Copy to"), validators=[DataRequired(message=_l("Choose where the copy is for."))],
                           validate_choice=False)
    name = StringField(_l("Name of the copy"), validators=[DataRequired(message=_l("Give the copy a name.")),
                                                           Length(max=100)])
    keep_published = BooleanField(_l("Publish what is published in the original"),
                                  description=_l("Otherwise students see nothing of the copy until you publish it."))
    # One token per copy form (lms.curriculum.copying): sending it twice makes one copy.
    token = HiddenField()


class SubjectTeacherForm(FlaskForm):
    teacher_id = SelectField(_l("Teacher"), coerce=int_or_none, validators=[DataRequired()])


class TitleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])


class SectionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    content = TextAreaField(_l("Content (Markdown)"), validators=[Optional(), Length(max=200_000)])


class OutlineForm(FlaskForm):
    outline = TextAreaField(_l("Outline"), validators=[DataRequired(message=_l("Paste an outline: one title per line."))])
