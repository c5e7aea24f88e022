"""Typed errors raised by the services, with messages a person can act on."""

from __future__ import annotations

from collections.abc import Iterable


class ServiceError(Exception):
    """Base class of every error a service raises on purpose."""


class NotFound(ServiceError, LookupError):
    """The thing asked for does not exist."""


class AlreadyExists(ServiceError):
    """Creating this would duplicate something that must be unique."""


class InvalidInput(ServiceError, ValueError):
    """The request itself is wrong: a bad value, or a change the current state does not allow."""


class AmbiguousReference(InvalidInput):
    """A name or slug matches more than one thing."""

    def __init__(self, message: str, candidates: Iterable[str]) -> None:
        self.candidates = tuple(candidates)
        super().__init__(message)


class StaleEdit(ServiceError):
    """Someone else saved a newer version since this edit started; reload and try again."""
