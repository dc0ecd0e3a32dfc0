"""Labels of the accounts domain's stored codes (see ``lms.common.labels``)."""

from flask_babel import lazy_gettext as _l

from lms.common.labels import register_labels

ROLE = register_labels("role", {
    "ADMIN": _l("Administrator"), "TEACHER": _l("Teacher"), "STUDENT": _l("Student"), "PARENT": _l("Parent"),
    "SUPERVISOR": _l("Supervisor"),
})
ROLE_PLURAL = register_labels("role_plural", {
    "ADMIN": _l("Administrators"), "TEACHER": _l("Teachers"), "STUDENT": _l("Students"), "PARENT": _l("Parents"),
    "SUPERVISOR": _l("Supervisors"),
})
INVITATION_STATUS = register_labels("invitation_status", {
    "PENDING": _l("Pending"), "ACCEPTED": _l("Accepted"), "EXPIRED": _l("Expired"), "REVOKED": _l("Revoked"),
})
END_REASON = register_labels("end_reason", {
    "LOGOUT": _l("Signed out"), "EXPIRED": _l("Timed out"), "REVOKED": _l("Signed out remotely"),
})
THEME = register_labels("theme", {
    "SYSTEM": _l("Same as this device"), "LIGHT": _l("Light"), "DARK": _l("Dark"),
})
