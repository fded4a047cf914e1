"""The OpenAPI schema says every answer an operation can give: besides its success, the errors in the
one error shape (400 refused input, 401 no valid token, 403 refused by CSRF or throttling, 404 not
found or not yours, 405, 503 database unavailable), and 409 where an operation says the object's state
can refuse it. A drf-spectacular postprocessing hook adds them, so
fuzzing (tests/test_api_fuzz.py) checks each answer against what is documented."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse

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
