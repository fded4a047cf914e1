"""Fuzzing the JSON API from its own OpenAPI schema with schemathesis, on the suite's throw-away database:
every operation, as tenant A's contract manager with a real token, with examples generated from the
schema (a bounded, repeatable number each). No answer may be a server error, and every answer must be
documented: its status code, content type and body (the 400/401/403/404/405/503 error shape included)."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import DEFAULT_DB_ALIAS, connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from . import factories
from .conftest import Tenant

# Examples per operation: ~40 operations x this many requests fits in about a minute on two workers.
EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _api_schema() -> Any:
    """The schema as the API serves it (generated in this process: no request, no database)."""
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = get_wsgi_application()
    # Values of the documented types only: a malformed id (a string where an integer is documented) still
    # answers Django's HTML 404, which the JSON error work changes; negative examples can follow it.
    loaded.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])
    return loaded


schema = _api_schema()


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """The end of each request must not close the connection (Django does, outside autocommit, and the
    test's transaction would end with it on PostgreSQL); Django's test client does the same."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close_if_unusable_or_obsolete = lambda: None  # type: ignore[method-assign]
    yield
    del connection.close_if_unusable_or_obsolete


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_answers_as_documented_and_never_500(
    case: Any, tenant_a: Tenant, _connection_kept: None
) -> None:
    token = factories.api_token(tenant_a.manager)
    if case.path_parameters and "org" in case.path_parameters:
        case.path_parameters["org"] = tenant_a.buyer.slug  # reach past the organisation, into the operation
    response = case.call(headers={"Authorization": f"Token {token.key}"})
    case.validate_response(response, checks=CHECKS)


def test_every_operation_documents_its_error_answers() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"400", "401", "403", "404", "503"} <= set(operation["responses"]), f"{method} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"]["type"] == "integer":
                    assert parameter["schema"]["maximum"] == 2**63 - 1
