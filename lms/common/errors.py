"""Errors raised by services; views and the API turn them into responses.

A service raises one of these with a message a user can read.  HTML views
show the message (flash or the form fragment, 4xx status); the JSON API maps
``status`` and ``code`` to its error body.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}


class ValidationFailed(DomainError):
    status = 400
    code = "VALIDATION_ERROR"

    def __init__(self, message: str, *, field: str | None = None, **kwargs):
        details = kwargs.pop("details", None) or ({"field": field, "reason": message} if field else {})
        super().__init__(message, details=details, **kwargs)
        self.field = field


class NotFound(DomainError):
    status = 404
    code = "NOT_FOUND"


class Forbidden(DomainError):
    status = 403
    code = "FORBIDDEN"


class Conflict(DomainError):
    status = 409
    code = "CONFLICT"


class BusinessRuleViolation(DomainError):
    status = 422
    code = "UNPROCESSABLE_ENTITY"
