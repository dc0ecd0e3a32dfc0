"""Labels of the resources domain's stored codes (see ``lms.common.labels``)."""

from flask_babel import lazy_gettext as _l

from lms.common.labels import register_labels

RESOURCE_KIND = register_labels("resource_kind", {
    "IMAGE": _l("Image"), "AUDIO": _l("Audio"), "VIDEO": _l("Video"), "DOCUMENT": _l("Document"),
    "LINK": _l("Link"),
})
