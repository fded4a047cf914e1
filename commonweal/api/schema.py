"""The OpenAPI schema says every answer an operation can give: besides its success, the errors in the
one error shape (400 refused input, 401 no valid token, 403 refused by CSRF or throttling, 404 not
found or not yours, 405, 503 database unavailable), and 409 where an operation says the object's state
can refuse it. A drf-spectacular postprocessing hook adds them, so
fuzzing (tests/test_api_fuzz.py) checks each answer against what is documented."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.serializers import ListSerializer

from .pagination import list_filter_parameters

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What is wrong, for a person."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": 'One message per field that is wrong ("lines.0.quantity").',
        },
    },
    "required": ["detail"],
}
ERROR_RESPONSES = {
    "400": "The request was refused: `errors` names each field that is wrong. Nothing was changed.",
    "401": "No valid token was sent.",
    "403": "Refused (a session request without its CSRF token, or too many requests).",
    "404": "No such object, or not one the caller may see: the same answer, so existence does not leak.",
    "405": "The method is not allowed here.",
    "503": "The service cannot reach its database: try again after Retry-After seconds.",
}


def conflict(when: str) -> dict[int, Any]:
    """The 409 answer of an operation the object's state can refuse (`core.errors.StateConflict`), saying
    when; `error_responses_add` gives it the error shape."""
    return {409: OpenApiResponse(description=f"Refused in the object's present state: {when}. Nothing was changed.")}


# Django's <int:…> matches digits only, and ids are the database's 64-bit integers.
PATH_INTEGER_BOUNDS = {"minimum": 0, "maximum": 2**63 - 1}


def error_responses_add(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the error shape as a component and each error answer to every operation that lacks it, and
    bound integer path parameters to what the URL conf matches."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"].update(PATH_INTEGER_BOUNDS)
            for code, description in ERROR_RESPONSES.items():
                operation["responses"].setdefault(code, {"description": description, "content": reference})
            # An operation that says when it answers an error of its own (a 409, see `conflict`, or a 403 it
            # describes) gets the error shape as that answer's body.
            for code, answer in operation["responses"].items():
                if code.startswith("4") and isinstance(answer, dict) and "content" not in answer:
                    answer["content"] = reference
    return result


class ListAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the filters and ordering `pagination.list_filter` reads on every
    list (a GET answering `Serializer(many=True)`), derived from the same serializer fields."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if not operation or self.method != "GET" or not getattr(self.view, "list_filtering", True):
            return operation
        serializer = self.get_response_serializers()
        if isinstance(serializer, dict):  # responses given by status: the list is the 200 answer
            serializer = serializer.get(200, serializer.get("200"))
        if not isinstance(serializer, ListSerializer) or isinstance(serializer.child, dict):
            return operation
        present = {parameter["name"] for parameter in operation.get("parameters", [])}
        operation.setdefault("parameters", []).extend(
            parameter
            for parameter in list_filter_parameters(type(serializer.child))
            if parameter["name"] not in present
        )
        return operation


IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    "description": (
        "Any unique text (a UUID): send the same request again with the same key and it is answered as the "
        "first time, without doing it twice (kept 24 hours)."
    ),
}
IF_NONE_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of the copy you have: 304 with no body when it is still current.",
}
ETAG_HEADER = {"schema": {"type": "string"}, "description": "A weak validator of this answer's body."}
IDEMPOTENCY_RESPONSES = {
    "409": "A request with the same Idempotency-Key is still being answered, or the change conflicts.",
    "422": "This Idempotency-Key was already sent with a different request.",
}


def conventions_add(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Document the conventions `middleware.py` applies to every path: `Idempotency-Key` (with 409 and
    422) on every POST, `If-None-Match`, `ETag` and 304 on every GET."""
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.setdefault("parameters", [])
            names = {parameter["name"] for parameter in parameters}
            if method == "post":
                if "Idempotency-Key" not in names:
                    parameters.append(IDEMPOTENCY_PARAMETER)
                for code, description in IDEMPOTENCY_RESPONSES.items():
                    operation["responses"].setdefault(code, {"description": description, "content": reference})
            elif method == "get":
                if "If-None-Match" not in names:
                    parameters.append(IF_NONE_MATCH_PARAMETER)
                operation["responses"].setdefault("304", {"description": "Not modified: the If-None-Match ETag."})
                ok = operation["responses"].get("200")
                if isinstance(ok, dict):
                    ok.setdefault("headers", {}).setdefault("ETag", ETAG_HEADER)
    return result
