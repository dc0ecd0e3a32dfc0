from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

try:  # wtforms >= 3.3 wants option objects; tuples still work (with a warning) before that
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)


def select_choices(pairs) -> list:
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    login = StringField(_l("Email, username or student number"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class AcceptInvitationForm(FlaskForm):
    full_name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


LOCALE_CHOICES = [("", _l("Organization default")), ("en", "English"), ("th", "ไทย (Thai)")]


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=select_choices(LOCALE_CHOICES), validators=[Optional()])


class EmailChangeForm(FlaskForm):
    new_email = EmailField(_l("New email address"), validators=[DataRequired(), Email(), Length(max=254)])
    # Its own id: the password form on the same page (/me) has a current_password too.
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                                     id="email-current-password")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(),
                                        EqualTo("new_password", message=_l("The two passwords differ."))])


ROLE_CHOICES = [("STUDENT", _l("Student")), ("PARENT", _l("Parent")), ("TEACHER", _l("Teacher")),
                ("SUPERVISOR", _l("Supervisor")), ("ADMIN", _l("Administrator"))]


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    full_name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=select_choices(ROLE_CHOICES), validators=[DataRequired()])
    classroom_id = SelectField(_l("Classroom (students)"), choices=[], validate_choice=False,
                               validators=[Optional()])
    children = StringField(_l("Children (parents): student numbers or emails"),
                           validators=[Optional(), Length(max=500)])
    expires_in_days = IntegerField(_l("Link valid for (days)"), validators=[Optional(), NumberRange(min=1, max=90)])


class BulkInviteForm(FlaskForm):
    text = TextAreaField(_l("One person per line: email, name, role[, classroom or children]"),
                         validators=[Optional()])
    file = FileField(_l("…or a CSV file with the same columns"))
    expires_in_days = IntegerField(_l("Link valid for (days)"), validators=[Optional(), NumberRange(min=1, max=90)])


class ResendAllForm(FlaskForm):
    expires_in_days = IntegerField(_l("Link valid for (days)"), validators=[Optional(), NumberRange(min=1, max=90)])


class UsernameForm(FlaskForm):
    username = StringField(_l("Username"), validators=[Length(max=40)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=select_choices(ROLE_CHOICES), validators=[DataRequired()])
