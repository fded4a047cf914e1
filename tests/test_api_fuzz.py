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

# Examples per operation: some 140 operations x this many requests fit in about a minute on two workers.
EXAMPLES_PER_OPERATION = 10
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


@pytest.fixture
def manager_token(tenant_a: Tenant) -> str:
    """One token per operation: a function-scoped fixture is made once for all of a test's examples."""
    return factories.api_token(tenant_a.manager).key


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
    case: Any, tenant_a: Tenant, manager_token: str, _connection_kept: None
) -> None:
    if case.path_parameters and "org" in case.path_parameters:
        case.path_parameters["org"] = tenant_a.buyer.slug  # reach past the organisation, into the operation
    response = case.call(headers={"Authorization": f"Token {manager_token}"})
    case.validate_response(response, checks=CHECKS)


def test_every_operation_documents_its_error_answers() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"400", "401", "403", "404", "503"} <= set(operation["responses"]), f"{method} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"]["type"] == "integer":
                    assert parameter["schema"]["maximum"] == 2**63 - 1


# --- Procurement, reached past the organisation and the object ----------------------------------------------

# As a procurement officer (and a supplier for the supplier's operations), with the path's id set to a real
# object of the right kind, so generated bodies reach the views' parsing and the services' rules.
PROCUREMENT_EXAMPLES = 5
PROCUREMENT_PATHS = (
    "/procurements/",
    "/procurements/{id}/",
    "/procurements/{id}/ask/",
    "/procurements/{id}/lots/",
    "/procurements/{id}/impacts/",
    "/procurements/{id}/criteria/",
    "/procurements/{id}/evaluators/",
    "/procurements/{id}/declaration/",
    "/procurements/{id}/awards/",
    "/lots/{id}/",
    "/impacts/{id}/",
    "/criteria/{id}/",
    "/scales/",
    "/questions/",
    "/bids/",
    "/bids/{id}/",
    "/bids/{id}/commitments/",
    "/tenders/{id}/scores/",
    "/tenders/{id}/moderation/",
)
procurement_schema = _api_schema().include(
    path_regex="^/api/v1/organisations/\\{org\\}("
    + "|".join(p.replace("{", "\\{").replace("}", "\\}") for p in PROCUREMENT_PATHS)
    + ")$",
    method=["POST", "PATCH"],
)


@pytest.fixture
def procurement_objects(tenant_a: Tenant) -> dict[str, Any]:
    """A procurement officer who declared on a closed procurement with a supplier's tender, and a draft:
    made once for each operation, shared by its examples."""
    from .procurement_support import bid_make, declare, procurement_published

    officer = factories.member_user(tenant_a.buyer, "procurement_officer")
    world = procurement_published(tenant_a.buyer, deadline_passed=True)
    draft = procurement_published(tenant_a.buyer, reference="FUZZ-DRAFT")
    draft.procurement.state = "draft"
    draft.procurement.save(update_fields=["state"])
    bid = bid_make(world, tenant_a.supplier, price="1000")
    declare(world.procurement, officer)
    return {
        "officer": factories.api_token(officer).key,
        "supplier": factories.api_token(tenant_a.supplier_user).key,
        "/procurements/": draft.procurement.pk,
        "/lots/": draft.lot.pk,
        "/criteria/": draft.quality[0].pk,
        "/impacts/": 0,
        "/bids/": bid.pk,
        "/tenders/": bid.pk,
    }


@procurement_schema.parametrize()
@settings(
    max_examples=PROCUREMENT_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_procurement_writes_answer_as_documented_and_never_500(
    case: Any, tenant_a: Tenant, procurement_objects: dict[str, Any], _connection_kept: None
) -> None:
    tail = case.path.split("{org}")[1]
    supplier_side = tail.startswith(("/bids/", "/questions/"))
    case.path_parameters["org"] = tenant_a.supplier.slug if supplier_side else tenant_a.buyer.slug
    if "id" in case.path_parameters:
        case.path_parameters["id"] = next(pk for prefix, pk in procurement_objects.items() if tail.startswith(prefix))
    key = procurement_objects["supplier" if supplier_side else "officer"]
    response = case.call(headers={"Authorization": f"Token {key}"})
    case.validate_response(response, checks=CHECKS)
