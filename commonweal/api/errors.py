"""API errors as JSON, in one shape: {"detail": message, "errors": {field: message}}. A refused input is a
400; a request the object's state forbids now (`StateConflict`: a published methodology, a passed deadline)
is a 409.

A refused permission is a 404 like any object the caller may not see, and says no more than one: why it
was refused is for the log, not for the caller (`tenancy/permissions.py`)."""

import logging
from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from commonweal.core.errors import ApplicationError, StateConflict
from commonweal.tenancy.permissions import PermissionRefused

logger = logging.getLogger(__name__)
REFUSED = "No such resource."


def _first_messages(detail: Any, prefix: str = "") -> dict[str, str]:
    """Flatten DRF's nested validation detail to one message per field ("lines.0.quantity")."""
    if isinstance(detail, dict):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            flat.update(_first_messages(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}"))
        return flat
    if isinstance(detail, list) and detail and not isinstance(detail[0], str | exceptions.ErrorDetail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_first_messages(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    if isinstance(detail, list):
        return {prefix or "non_field_errors": str(detail[0])} if detail else {}
    return {prefix or "non_field_errors": str(detail)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PermissionRefused):
        logger.info("Refused (answered 404): %s", exc)
        return Response({"detail": REFUSED}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, StateConflict):
        return Response({"detail": exc.message, "errors": exc.field_errors}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, "errors": exc.field_errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {"detail": "There is a problem with the request.", "errors": _first_messages(exc.detail)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
