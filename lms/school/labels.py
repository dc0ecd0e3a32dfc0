"""Labels of the school domain's stored codes (see ``lms.common.labels``; levels and classroom
names are shown with ``level_label``/``level_name``/``classroom_label`` from there)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from lms.common.labels import register_labels

STUDENT_STATUS = register_labels("student_status", {
    # "Active"/"Left" also describe accounts and classroom places: a context keeps them apart.
    "ACTIVE": lazy_pgettext("student status", "Active"), "GRADUATED": _l("Graduated"),
    "LEFT": lazy_pgettext("student status", "Left"), "SUSPENDED": _l("Suspended"),
})
MEMBERSHIP_STATUS = register_labels("membership_status", {
    "ACTIVE": _l("Current"), "PROMOTED": _l("Moved up"), "REPEATED": _l("Repeated the year"),
    "GRADUATED": _l("Graduated"), "MOVED": _l("Moved to another class"),
    "LEFT": lazy_pgettext("classroom membership", "Left"),
})
ASSIGNMENT_ROLE = register_labels("assignment_role", {
    "HOMEROOM": _l("Homeroom teacher"), "SUBJECT": _l("Subject teacher"),
})
MOVE_OUTCOME = register_labels("move_outcome", {
    "PROMOTED": _l("Moved up"), "REPEATED": _l("Repeats"), "GRADUATED": _l("Graduated"),
})
