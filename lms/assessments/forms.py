"""Assessment forms (Flask-WTF).  The question editor and the grading page read their many
per-question fields directly (their names carry the option or question id)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.assessments.labels import (
    ASSESSMENT_STATUS,
    DISPLAY_MODE,
    LATE_POLICY,
    RESULTS_VISIBILITY,
    SCORING_POLICY,
    SUBMISSION_STATUS,
)
from lms.assessments.models import EXTENSION_REASON_MAX, TITLE_MAX
from lms.assessments.services import SettingsInput
from lms.core.localtime import DATETIME_FORMAT, to_local, to_utc
from lms.school.forms import choices

# The labels of the stored codes live in the one registry (lms.assessments.labels).
SCORING_LABELS = SCORING_POLICY
LATE_LABELS = LATE_POLICY
RESULTS_LABELS = RESULTS_VISIBILITY
DISPLAY_LABELS = DISPLAY_MODE
STATUS_LABELS = ASSESSMENT_STATUS
SUBMISSION_STATUS_LABELS = SUBMISSION_STATUS


class CreateForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    core_subject_id = SelectField(_l("Core subject"), validators=[Optional()], validate_choice=False)
    level_id = SelectField(_l("Level"), validators=[Optional()], validate_choice=False)
    instructions = TextAreaField(_l("Instructions (Markdown)"), validators=[Optional(), Length(max=50_000)])


class SettingsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    core_subject_id = SelectField(_l("Core subject"), validators=[Optional()], validate_choice=False)
    level_id = SelectField(_l("Level"), validators=[Optional()], validate_choice=False)
    instructions = TextAreaField(_l("Instructions (Markdown)"), validators=[Optional(), Length(max=50_000)],
                                 description=_l("Shown before the questions. Media: [[media:label]]."))
    attempts_allowed = StringField(_l("Attempts allowed"), validators=[Optional()],
                                   description=_l("Empty: unlimited."))
    scoring_policy = SelectField(_l("Which attempt counts"), choices=choices(SCORING_LABELS.items()))
    opens_at = DateTimeLocalField(_l("Opens at"), format=DATETIME_FORMAT, validators=[Optional()])
    due_at = DateTimeLocalField(_l("Due at"), format=DATETIME_FORMAT, validators=[Optional()])
    late_policy = SelectField(_l("After the due date"), choices=choices(LATE_LABELS.items()))
    late_deduction_percent = StringField(_l("Late deduction (%)"), validators=[Optional()])
    late_floor_percent = StringField(_l("Lowest score after the late deduction (%)"), validators=[Optional()])
    time_limit_minutes = StringField(_l("Time limit (minutes)"), validators=[Optional()],
                                     description=_l("Empty: no time limit. The server enforces it."))
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_options = BooleanField(_l("Shuffle the options of choice questions"))
    results_visibility = SelectField(_l("Students see their results"), choices=choices(RESULTS_LABELS.items()))
    display_mode = SelectField(_l("Show"), choices=choices(DISPLAY_LABELS.items()))
    random_count = StringField(_l("Random questions per attempt"), validators=[Optional()],
                               description=_l("Empty: every question. A number: that many, drawn at random."))
    random_tag = StringField(_l("Draw them from the tag"), validators=[Optional(), Length(max=40)],
                             description=_l("Empty: from all questions."))

    def fill(self, assessment) -> None:
        """Show the stored values (datetimes in the organization's time zone)."""
        self.title.data, self.instructions.data = assessment.title, assessment.instructions
        self.core_subject_id.data = str(assessment.core_subject_id or "")
        self.level_id.data = str(assessment.level_id or "")
        self.attempts_allowed.data = str(assessment.attempts_allowed or "")
        self.scoring_policy.data, self.late_policy.data = assessment.scoring_policy, assessment.late_policy
        self.opens_at.data, self.due_at.data = to_local(assessment.opens_at), to_local(assessment.due_at)
        self.late_deduction_percent.data = str(assessment.late_deduction_percent)
        self.late_floor_percent.data = str(assessment.late_floor_percent)
        self.time_limit_minutes.data = str(assessment.time_limit_minutes or "")
        self.shuffle_questions.data, self.shuffle_options.data = (assessment.shuffle_questions,
                                                                  assessment.shuffle_options)
        self.results_visibility.data, self.display_mode.data = (assessment.results_visibility,
                                                                assessment.display_mode)
        self.random_count.data = str(assessment.random_count or "")
        self.random_tag.data = assessment.random_tag or ""

    def to_input(self):
        return SettingsInput(
            title=self.title.data or "", instructions=self.instructions.data or "",
            core_subject_id=self.core_subject_id.data or None, level_id=self.level_id.data or None,
            attempts_allowed=(self.attempts_allowed.data or "").strip() or None,
            scoring_policy=self.scoring_policy.data, opens_at=to_utc(self.opens_at.data),
            due_at=to_utc(self.due_at.data), late_policy=self.late_policy.data,
            late_deduction_percent=(self.late_deduction_percent.data or "").strip() or 0,
            late_floor_percent=(self.late_floor_percent.data or "").strip() or 0,
            time_limit_minutes=(self.time_limit_minutes.data or "").strip() or None,
            shuffle_questions=bool(self.shuffle_questions.data), shuffle_options=bool(self.shuffle_options.data),
            results_visibility=self.results_visibility.data, display_mode=self.display_mode.data,
            random_count=(self.random_count.data or "").strip() or None,
            random_tag=(self.random_tag.data or "").strip())


class MediaForm(FlaskForm):
    file = FileField(_l("File (image, audio, video or document)"))
    resource_id = SelectField(_l("…or one of your resources"), validators=[Optional()], validate_choice=False)
    label = StringField(_l("Label"), validators=[Optional(), Length(max=40)],
                        description=_l("One short word, e.g. picture-1. Questions show it with [[media:picture-1]]; "
                                       "a new file with the same label is shown in new attempts (earlier attempts keep the file "
                                       "they showed)."))
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])


class ImportForm(FlaskForm):
    file = FileField(_l("File (.json or .gift / .txt)"))
    text = TextAreaField(_l("…or paste it here"), validators=[Optional(), Length(max=2_000_000)])
    title = StringField(_l("Title (for GIFT questions)"), validators=[Optional(), Length(max=TITLE_MAX)])


class ExtensionForm(FlaskForm):
    """A student's extension (``lms.assessments.extensions.grant_extension`` checks the rules)."""

    due_at = DateTimeLocalField(_l("New due date"), format=DATETIME_FORMAT, validators=[Optional()])
    extra_attempts = IntegerField(_l("Extra attempts"), validators=[Optional()])
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=EXTENSION_REASON_MAX)])

    def fill(self, extension) -> None:
        if extension is not None:
            self.due_at.data = to_local(extension.due_at)
            self.extra_attempts.data = extension.extra_attempts or None
            self.reason.data = extension.reason
