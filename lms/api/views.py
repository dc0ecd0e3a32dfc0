"""The API blueprint with every route module loaded (registered as ``lms.api.views:bp``)."""

from lms.api import views_student, views_teacher  # noqa: F401 - routes register on import
from lms.api.core import bp  # noqa: F401
