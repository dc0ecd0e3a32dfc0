from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional

from lms.common.ids import ID_MAX

try:  # WTForms 3.3+ wants option objects (tuples are deprecated)
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choice(value, label):
    """One ``<option>`` of a SelectField."""
    return SelectChoice(value=value, label=label) if SelectChoice else (value, label)


def choices(pairs) -> list:
    return [choice(value, label) for value, label in pairs]


LOCALE_CHOICES = choices([("en", "English"), ("th", "ไทย")])
ASSIGNMENT_ROLE_CHOICES = choices([("HOMEROOM", _l("Homeroom teacher")), ("SUBJECT", _l("Subject teacher"))])


def int_or_none(value):
    """A choice's number; None when absent, not a number or beyond any id (2**31 - 1)."""
    try:
        number = int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None
    return number if number is None or abs(number) <= ID_MAX else None


class OrganizationForm(FlaskForm):
    name = StringField(_l("School name"), validators=[DataRequired(), Length(max=200)])
    logo = FileField(_l("Logo (PNG, JPEG, GIF or WebP, up to 1 MB)"))
    remove_logo = BooleanField(_l("Remove the current logo"))
    timezone = SelectField(_l("Timezone"), validators=[DataRequired()])
    locale = SelectField(_l("Default language"), choices=LOCALE_CHOICES, validators=[DataRequired()])
    use_buddhist_era = BooleanField(_l("Show years in the Buddhist era (พ.ศ.) in Thai"))
    academic_year = StringField(_l("Current academic year"), validators=[DataRequired(), Length(max=20)])
    session_timeout_minutes = IntegerField(_l("Sign out after this many minutes without activity"),
                                           validators=[InputRequired(), NumberRange(1, 1440)])
    heartbeat_seconds = IntegerField(_l("Heartbeat interval (seconds)"),
                                     validators=[InputRequired(), NumberRange(10, 600)])
    classes_per_level = IntegerField(_l("Classes allowed per level"),
                                     validators=[InputRequired(), NumberRange(1, 50)])
    invitation_days = IntegerField(_l("Invitations are valid for (days)"),
                                   validators=[InputRequired(), NumberRange(1, 90)])
    # The weekly email to parents; choices are set by the view (day names in the reader's
    # language).  Left out of a post: unchanged.
    digest_weekday = SelectField(_l("Weekly email to parents: day"), coerce=int, validate_choice=False,
                                 validators=[Optional()])
    digest_hour = SelectField(_l("Weekly email to parents: time"), coerce=int, validate_choice=False,
                              choices=choices([(h, f"{h:02d}:00") for h in range(24)]), validators=[Optional()])
    # Retention of logs (lms.privacy.retention): left out of a post, unchanged.
    log_retention_days = IntegerField(_l("Keep login attempts and other logs for (days)"),
                                      validators=[Optional(), NumberRange(30, 3650)])
    audit_retention_days = IntegerField(_l("Keep the audit log for (days)"),
                                        validators=[Optional(), NumberRange(365, 3650)])
    # Picture passwords: level codes; choices set by the view, checked by the service.
    picture_password_levels = SelectMultipleField(_l("Levels whose students may sign in with pictures"),
                                                  validate_choice=False)


class LevelForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=10)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    at_start = BooleanField(_l("Put it before the first level (e.g. kindergarten)"))


class ClassroomForm(FlaskForm):
    level_id = SelectField(_l("Level"), coerce=int_or_none, validators=[InputRequired()])
    number = IntegerField(_l("Class number (blank: the next free one)"), validators=[Optional(), NumberRange(1, 50)])
    academic_year = StringField(_l("Academic year"), validators=[DataRequired(), Length(max=20)])


class AssignTeacherForm(FlaskForm):
    teacher_id = SelectField(_l("Teacher"), coerce=int_or_none, validators=[InputRequired()])
    role = SelectField(_l("Role"), choices=ASSIGNMENT_ROLE_CHOICES)
    subject_name = StringField(_l("Subject (for a subject teacher)"), validators=[Length(max=100)])


class AssignClassroomForm(FlaskForm):
    classroom_id = SelectField(_l("Classroom"), coerce=int_or_none, validators=[InputRequired()])
    role = SelectField(_l("Role"), choices=ASSIGNMENT_ROLE_CHOICES)
    subject_name = StringField(_l("Subject (for a subject teacher)"), validators=[Length(max=100)])


class StudentForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email(), Length(max=254)])
    student_number = StringField(_l("Student number"), validators=[Length(max=32)])
    username = StringField(_l("Username"), validators=[Length(max=40)])
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()])
    classroom_id = SelectField(_l("Classroom"), coerce=int_or_none, validators=[Optional()])
    guardian_notes = TextAreaField(_l("Notes about guardians"), validators=[Length(max=2000)])


class StudentEditForm(StudentForm):
    status = SelectField(_l("Status"))


class PlaceStudentForm(FlaskForm):
    classroom_id = SelectField(_l("Classroom"), coerce=int_or_none, validators=[Optional()])


class AddToClassroomForm(FlaskForm):
    student = StringField(_l("Student number or email"), validators=[DataRequired(), Length(max=254)])


class LinkParentForm(FlaskForm):
    email = EmailField(_l("Parent's email"), validators=[DataRequired(), Email(), Length(max=254)])


class FamilyCodeForm(FlaskForm):
    code = StringField(_l("Family code"), validators=[DataRequired(), Length(max=40)])


class InviteParentForm(FlaskForm):
    email = EmailField(_l("Parent's email"), validators=[DataRequired(), Email(), Length(max=254)])
    full_name = StringField(_l("Parent's name"), validators=[Optional(), Length(max=200)])


class StaffForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=choices([("TEACHER", _l("Teacher")),
                                                           ("ADMIN", _l("Administrator"))]))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))


class RolloverForm(FlaskForm):
    to_year = StringField(_l("New academic year"), validators=[DataRequired(), Length(max=20)])
    copy_teachers = BooleanField(_l("Teachers keep their classroom names (P1/1's teachers teach next year's P1/1)"),
                                 default=True)
    ungraded_acknowledged = BooleanField(_l("I understand: work still waiting for grading can no longer be graded "
                                            "after the rollover"))


class ClassCodeForm(FlaskForm):
    """Turn class-code registration on, or regenerate the code (lms.school.class_codes)."""

    days = IntegerField(_l("Valid for (days)"), default=7,
                        validators=[InputRequired(), NumberRange(min=1, max=30)])


class JoinClassForm(FlaskForm):
    """A student registering with a class code.  A picture password can be offered here later
    (``picture_password``) for the levels where that is the rule; for now a normal password.
    No username or email: the server makes the username (``lms.school.class_codes``)."""

    full_name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class CohortForm(FlaskForm):
    """A cohort's name and description (lms.school.cohorts checks them again)."""
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=500)])
