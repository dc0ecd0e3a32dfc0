from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from lms.profiles.models import BIO_MAX
from lms.profiles.services import PHONE_INPUT_MAX


class ContactForm(FlaskForm):
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=PHONE_INPUT_MAX)])
    bio = TextAreaField(_l("Short bio"), validators=[Optional(), Length(max=BIO_MAX)])


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo"))
