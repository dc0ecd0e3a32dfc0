"""An import-linter contract type for pyproject.toml's ``[tool.importlinter]``.

``forbidden_patterns`` is the ``forbidden`` contract with shell patterns for the forbidden
modules (``lms.*.views_*``: a wildcard inside a name, which import-linter's own expressions do
not allow), matched against every module of the graph.  As in ``forbidden``, a source package
may import its own forbidden modules (a domain its own views).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.domain import fields
from importlinter.domain.imports import ModuleExpression


class ForbiddenPatternsContract(ForbiddenContract):
    type_name = "forbidden_patterns"

    forbidden_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    forbidden_patterns = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose):
        self.forbidden_modules = {
            ModuleExpression(module) for module in sorted(graph.modules)
            if any(fnmatchcase(module, pattern) for pattern in self.forbidden_patterns)}
        return super().check(graph, verbose)
