"""Labels of the communication domain's stored codes (see ``lms.common.labels``)."""

from flask_babel import lazy_gettext as _l

from lms.common.labels import register_labels

ANNOUNCEMENT_STATUS = register_labels("announcement_status", {
    "DRAFT": _l("Draft"), "SCHEDULED": _l("Scheduled"), "PUBLISHED": _l("Published"), "EXPIRED": _l("Expired"),
})
TARGET_KIND = register_labels("target_kind", {
    "EVERYONE": _l("Everyone"), "TEACHERS": _l("All teachers"), "STUDENTS": _l("All students"),
    "PARENTS": _l("All parents"), "LEVEL": _l("A level"), "CLASSROOM": _l("A classroom"),
    "PEOPLE": _l("Chosen people"),
})
BODY_FORMAT = register_labels("body_format", {
    "MARKDOWN": _l("Markdown (**bold**, lists, links)"), "TEXT": _l("Plain text"),
})
