"""Labels of the teaching-session domain's stored codes (see ``lms.common.labels``)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from lms.common.labels import register_labels

COURSE_SESSION_STATUS = register_labels("course_session_status", {
    # An EXPIRED teaching session has ended (an invitation or an announcement "expires").
    "DRAFT": _l("Draft"), "PUBLISHED": _l("Published"),
    "EXPIRED": lazy_pgettext("teaching session status", "Expired"),
})
ENROLLMENT_STATUS = register_labels("enrollment_status", {
    "PENDING": _l("Waiting for approval"), "ENROLLED": _l("Enrolled"), "DROPPED": _l("Dropped"),
    "COMPLETED": lazy_pgettext("enrollment status", "Completed"), "EXPELLED": _l("Removed"),
})
ATTENDANCE_STATUS = register_labels("attendance_status", {
    # "Late" also marks late work on an assessment: a context keeps them apart.
    "PRESENT": lazy_pgettext("attendance", "Present"), "LATE": lazy_pgettext("attendance", "Late"),
    "EXCUSED": lazy_pgettext("attendance", "Excused"), "ABSENT": lazy_pgettext("attendance", "Absent"),
})
ATTENDANCE_SOURCE = register_labels("attendance_source", {
    "TEACHER": _l("Marked by the teacher"), "CHECKIN": _l("Checked in"), "DEFAULT": _l("Not marked (default)"),
})
COURSE_SESSION_MODE = register_labels("course_session_mode", {
    "ONLINE": _l("Online"), "IN_PERSON": _l("In person"), "HYBRID": _l("Hybrid (in person and online)"),
})
