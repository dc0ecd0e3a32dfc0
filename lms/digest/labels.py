"""Labels of the weekly digest's stored codes."""

from flask_babel import lazy_gettext as _l

from lms.common.labels import register_labels

DIGEST_STATUS = register_labels("digest_status", {
    "SENT": _l("Sent"), "EMPTY": _l("Nothing to report"),
})
OPT_OUT_SOURCE = register_labels("digest_opt_out_source", {
    "WEB": _l("on your profile"), "EMAIL": _l("with the link in an email"),
})
