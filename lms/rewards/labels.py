"""Labels of the stored codes of badges and points."""

from flask_babel import lazy_gettext as _l

from lms.common.labels import register_labels

CRITERION = register_labels("badge_criterion", {
    "SESSIONS_ATTENDED": _l("Teaching sessions attended"),
    "SECTIONS_COMPLETED": _l("Sections completed"),
    "ASSESSMENTS_PASSED": _l("Assessments passed"),
    "PERFECT_SCORES": _l("Perfect scores"),
    "POINTS": _l("Points earned"),
    "MANUAL": _l("Given by a teacher"),
})
POINT_KIND = register_labels("point_kind", {
    "ATTENDANCE": _l("Attendance"), "SECTION": _l("Section completed"), "ASSESSMENT": _l("Assessment passed"),
})
ICON_NAMES = register_labels("badge_icon", {
    "star": _l("Star"), "trophy": _l("Trophy"), "medal": _l("Medal"), "rocket": _l("Rocket"),
    "books": _l("Books"), "target": _l("Target"), "fire": _l("Fire"), "sparkles": _l("Sparkles"),
    "calendar": _l("Calendar"), "brain": _l("Brain"), "crown": _l("Crown"), "heart": _l("Heart"),
})
