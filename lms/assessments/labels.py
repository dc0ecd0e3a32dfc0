"""Labels of the assessments domain's stored codes (see ``lms.common.labels``)."""

from flask_babel import lazy_gettext as _l

from lms.common.labels import register_labels

ASSESSMENT_STATUS = register_labels("assessment_status", {
    "DRAFT": _l("Draft"), "PUBLISHED": _l("Published"), "ARCHIVED": _l("Archived"),
})
QUESTION_TYPE = register_labels("question_type", {
    "SINGLE_CHOICE": _l("Single choice"), "MULTIPLE_CHOICE": _l("Multiple choice"),
    "TRUE_FALSE": _l("True / false"), "SHORT_ANSWER": _l("Short answer"), "NUMERIC": _l("Number"),
    "LONG_ANSWER": _l("Long answer"), "FILE_UPLOAD": _l("File upload"), "MATCHING": _l("Matching"),
})
SCORING_POLICY = register_labels("scoring_policy", {
    "HIGHEST": _l("The highest score"), "LATEST": _l("The latest attempt"),
    "AVERAGE": _l("The average of the attempts"),
})
LATE_POLICY = register_labels("late_policy", {
    "REFUSE": _l("Refuse late work"), "ACCEPT": _l("Accept it, marked late"),
})
RESULTS_VISIBILITY = register_labels("results_visibility", {
    "AFTER_SUBMIT": _l("Right after submitting"), "AFTER_DUE": _l("After the due date"), "NEVER": _l("Never"),
})
DISPLAY_MODE = register_labels("display_mode", {
    "ALL_AT_ONCE": _l("All questions on one page"), "ONE_PER_SCREEN": _l("One question per screen"),
})
SUBMISSION_STATUS = register_labels("submission_status", {
    "IN_PROGRESS": _l("In progress"), "SUBMITTED": _l("Waiting for grading"), "GRADED": _l("Graded"),
    "RETURNED": _l("Returned"),
})
SUBMISSION_EVENT = register_labels("submission_event", {
    "STARTED": _l("started"), "SUBMITTED": _l("submitted"), "AUTO_SUBMITTED": _l("submitted automatically (time up)"),
    "GRADED": _l("graded"), "RETURNED": _l("returned to the student"), "RESCORED": _l("re-scored after a key change"),
    "REPLIED": _l("the student replied to the feedback"),
})
