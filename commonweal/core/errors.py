"""The one error type services raise when a request cannot be carried out."""

from collections.abc import Mapping


class ApplicationError(Exception):
    """A rule was broken; `message` is for the person, `field_errors` map form fields to messages."""

    def __init__(self, message: str, *, field_errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors: dict[str, str] = dict(field_errors or {})


class StateConflict(ApplicationError):
    """The request is well formed but the object's state forbids it now (a published methodology, a
    passed deadline, a declaration already made, a lot already awarded). Pages show it like any refusal;
    the API answers 409 Conflict."""
