"""The API blueprint with every route module loaded (nested as ``api.v1`` by ``lms.api.blueprint``)."""

from lms.api import views_roster, views_student, views_teacher  # noqa: F401 - routes register on import
from lms.api.core import bp  # noqa: F401
