"""API errors as JSON: service refusals become 400 with their field errors."""

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from commonweal.core.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, "errors": exc.field_errors}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
