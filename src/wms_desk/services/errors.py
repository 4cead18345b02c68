"""Errors services raise; each message says what happened and what to do next."""

from __future__ import annotations

from wms_desk.domain.errors import DomainError, IllegalTransition, PermissionDenied

__all__ = [
    "AuthenticationFailed",
    "DatabaseUnavailable",
    "DomainError",
    "IllegalTransition",
    "NotFound",
    "PermissionDenied",
    "ServiceError",
    "StaleData",
    "ValidationFailed",
]


class ServiceError(DomainError):
    """A user action could not be carried out."""


class NotFound(ServiceError):
    pass


class ValidationFailed(ServiceError):
    pass


class AuthenticationFailed(ServiceError):
    pass


class StaleData(ServiceError):
    """Someone else changed the record between reading and writing it."""


class DatabaseUnavailable(ServiceError):
    """The database cannot be reached; nothing was changed."""
