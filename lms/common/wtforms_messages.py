"""WTForms' own validation messages ("This field is required.", "Not a valid choice.", ...).

WTForms ships no Thai catalog, so its messages are marked here: ``bin/i18n update`` extracts
them into our catalogs, and ``lms.common.i18n.install_form_translations`` makes every form
(``FlaskForm`` and its subclasses, in any domain) translate them through those catalogs.
Nothing imports this list at run time; it exists to be extracted (keep it in step with the
msgids of ``wtforms/locale/wtforms.pot`` when WTForms is upgraded).
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

MESSAGES = (
    # wtforms.validators
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 0),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 0),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 0),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    # wtforms.csrf
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    # wtforms.fields
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 0),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    # flask_wtf.file
    _l("File does not have an approved extension: {extensions}"),
    _l("File does not have an approved extension."),
)
