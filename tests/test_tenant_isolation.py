"""Tenant isolation for every page and API endpoint, generated from the URL conf and the OpenAPI schema.

Every named route is found by walking the URL conf, so a new endpoint is covered without editing this
file. Each route that takes `org` and/or `pk` is requested by tenant B's people (the contract manager
and the supplier contact) with tenant A's organisation slug, and with their own slug but tenant A's
object: both must answer 404 and show nothing of tenant A, and a POST must change nothing. Anonymous
requests are sent to sign in (pages) or refused with 401/403 (API). The API is then attacked again
from its OpenAPI schema with tenant B's tokens. Positive controls make the same requests as tenant A's
own people, so a 404 proves isolation rather than a broken URL.

A route with a URL kwarg this file cannot fill fails (see HOW_TO_ADD) instead of escaping the check.
"""

import copy
import inspect
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django import DjangoDbBlocker
from rest_framework.settings import api_settings

from commonweal.accounts.models import User
from commonweal.core.models import AuditEvent
from commonweal.delivery import services_returns
from commonweal.delivery.models import Agreement, DeliveryReturn, Evidence, LineStatus, ReturnLine
from commonweal.frameworks import interchange, services_priorities
from commonweal.frameworks import models as framework_models
from commonweal.frameworks import services_versions as framework_services
from commonweal.frameworks.models import Framework, FrameworkShare, FrameworkVersion, Measure, Outcome, Theme
from commonweal.frameworks.services_interchange import STARTER_FRAMEWORK
from commonweal.reporting import services_public
from commonweal.reporting.models import BudgetLine, FinancialYear, ReportVersion, Story
from commonweal.tenancy.models import Department, DepartmentSpendLabel, Organisation, Role

from . import factories
from .conftest import Tenant, built_once, make_tenant
from .factories import MembershipFactory, NetworkFactory, api_token, evidence_file
from .isolation import area_modules

# --- What this file knows about the routes ---------------------------------------------------------

API_PREFIX = "api/v1/"
# The schema, the human-readable API page and the browsable reference describe the API; not part of it.
SCHEMA_EXCLUDED_ROUTES = {"api:schema", "api:docs", "api:reference"}

# How each URL kwarg is filled for a request about tenant A's objects (see `url_kwargs`).
TENANT_KWARGS: dict[str, str] = {
    "org": "the slug of the organisation the request acts for",
    "pk": "the primary key of one of tenant A's objects, of the model PK_MODELS names for the route",
    "year": "the start year of one of tenant A's financial years (tenant B has no year of that number)",
    "department": "the primary key of one of tenant A's departments",
}

# For each route that takes `pk`, the model whose primary key it takes.
PK_MODELS: dict[str, type[models.Model]] = {
    "delivery:agreement-detail": Agreement,
    "delivery:return-submit": Agreement,
    "delivery:return-line-review": ReturnLine,
    "delivery:evidence-download": Evidence,
    "api:agreement-detail": Agreement,
    "api:return-list": Agreement,
    "api:return-line-review": ReturnLine,
    # Value sets and deflator series (commonweal/frameworks/urls_value_sets.py, commonweal/api/value_sets.py)
    "frameworks:value-set-detail": framework_models.ValueSet,
    "frameworks:value-set-update": framework_models.ValueSet,
    "frameworks:value-set-entry-add": framework_models.ValueSet,
    "frameworks:value-set-entry-edit": framework_models.ValueSetEntry,
    "frameworks:value-set-entry-remove": framework_models.ValueSetEntry,
    "frameworks:deflator-detail": framework_models.DeflatorSeries,
    "frameworks:deflator-points": framework_models.DeflatorSeries,
    "api:value-set-detail": framework_models.ValueSet,
    # Framework versions (commonweal/frameworks/urls_versions.py)
    "frameworks:framework-detail": Framework,
    "frameworks:framework-fork": Framework,
    "frameworks:draft-create": Framework,
    "frameworks:framework-share": Framework,
    "frameworks:version-diff": Framework,
    "frameworks:framework-unshare": FrameworkShare,
    "frameworks:version-detail": FrameworkVersion,
    "frameworks:version-publish": FrameworkVersion,
    "frameworks:theme-add": FrameworkVersion,
    "frameworks:theme-edit": Theme,
    "frameworks:theme-remove": Theme,
    "frameworks:outcome-add": Theme,
    "frameworks:outcome-edit": Outcome,
    "frameworks:outcome-remove": Outcome,
    "frameworks:measure-add": Outcome,
    "frameworks:measure-edit": Measure,
    "frameworks:measure-remove": Measure,
    # Framework files (commonweal/frameworks/urls_interchange.py, commonweal/api/frameworks.py)
    "frameworks:version-downloads": FrameworkVersion,
    "frameworks:version-export-yaml": FrameworkVersion,
    "frameworks:version-export-json": FrameworkVersion,
    "frameworks:version-export-xlsx": FrameworkVersion,
    "frameworks:version-export-csv": FrameworkVersion,
    "frameworks:version-export-values-csv": FrameworkVersion,
    "api:framework-version-detail": FrameworkVersion,
    # Priorities and the proportionality policy (commonweal/frameworks/urls_priorities.py)
    "frameworks:priority-weights": Framework,
    "frameworks:focus-area-remove": framework_models.FocusArea,
    "frameworks:priority-group-remove": framework_models.PriorityGroup,
    "frameworks:band-edit": framework_models.ProportionalityBand,
}

# Routes whose kwargs name no organisation's private data (or that are deliberately public), with the
# reason isolation does not apply. They get no generated isolation cases: list one only with a reason.
NOT_TENANT_SCOPED: dict[str, str] = {
    "accounts:password-reset-confirm": "a signed single-use link to one person's account (uidb64, token)",
    # The plan on a page is public once the organisation publishes it, and a 404 for everyone until then
    # (see test_an_unpublished_plan_is_a_404_for_everyone).
    "plans:plan": "an organisation's published plan on a page, for anyone",
    "plans:plan-pdf": "an organisation's published plan on a page as a PDF, for anyone",
}

HOW_TO_ADD = (
    "Tell tests/test_tenant_isolation.py how to fill it with tenant A's objects: for `pk`, add "
    '"<namespace>:<url name>": <Model whose pk it takes> to PK_MODELS; for a new kwarg, add it to '
    "TENANT_KWARGS and fill it in `url_kwargs`; if the route reads no organisation's private data (or "
    "is deliberately public), add it to NOT_TENANT_SCOPED with the reason."
)

ROLES = ("manager", "supplier")

# What tenant A's own people get from a GET of a tenant-scoped route, where it is not 200.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    "delivery:return-submit": {"manager": 404},  # only the supplier submits returns
    "delivery:return-line-review": {"supplier": 404},  # only the buyer's contract managers review
    # Value sets belong to the buyer; a supplier has none and may not create them.
    "frameworks:value-set-create": {"supplier": 404},
    "frameworks:deflator-create": {"supplier": 404},
    "api:value-set-detail": {"supplier": 404},
    "api:framework-version-detail": {"supplier": 404},  # the buyer's framework, not the supplier's
    # Tenant A's framework versions belong to its buyer: its supplier, with its own slug, gets a 404.
    **{name: {"supplier": 404} for name in PK_MODELS if name.startswith("frameworks:")},
}

# Routes that declare POST: which of tenant A's people may POST `post_data` and the status they get.
OWNER_POST: dict[str, tuple[str, int]] = {
    "delivery:return-submit": ("supplier", 302),
    "delivery:return-line-review": ("manager", 302),
    "api:return-list": ("supplier", 201),
    "api:return-line-review": ("manager", 200),
    # Value sets: the manager is also the social value lead. The calculator and the valuation API only
    # calculate (see POST_WRITES_NOTHING).
    "frameworks:value-set-create": ("manager", 302),
    "frameworks:value-set-update": ("manager", 302),
    "frameworks:value-set-entry-add": ("manager", 302),
    "frameworks:value-set-entry-edit": ("manager", 302),
    "frameworks:value-set-entry-remove": ("manager", 302),
    "frameworks:deflator-create": ("manager", 302),
    "frameworks:deflator-points": ("manager", 302),
    "frameworks:valuation-calculator": ("manager", 200),
    "api:valuation": ("manager", 200),
    # Framework versions: the manager is also the social value lead (see `framework_objects`).
    **{
        f"frameworks:{name}": ("manager", 302)
        for name in [
            "template-use",
            "framework-fork",
            "draft-create",
            "framework-share",
            "framework-unshare",
            "version-publish",
            "theme-add",
            "theme-edit",
            "theme-remove",
            "outcome-add",
            "outcome-edit",
            "outcome-remove",
            "measure-add",
            "measure-edit",
            "measure-remove",
        ]
    },
    "frameworks:framework-import": ("manager", 302),
    # Priorities, the policy and the plan: the manager is also the social value lead.
    **{
        f"frameworks:{name}": ("manager", 302)
        for name in [
            "priority-weights",
            "focus-areas",
            "focus-area-remove",
            "priority-groups",
            "priority-group-remove",
            "policy-load",
            "band-edit",
            "plan-publication",
        ]
    },
    "api:ask": ("manager", 200),
}

# Routes in OWNER_POST whose POST only reads: tenant A's POST must succeed and store nothing.
POST_WRITES_NOTHING: dict[str, str] = {
    "frameworks:valuation-calculator": "a calculation shown on the page",
    "api:valuation": "a calculation returned as JSON",
    "api:ask": "a proposed social value ask returned as JSON",
    "frameworks:policy-load": "the world loaded tenant A's default policy already: loading it again changes nothing",
}

# Each area's own registrations (tests/isolation/), merged into the tables above.
AREAS = area_modules()
for area in AREAS:
    for table_name, table in (
        ("PK_MODELS", PK_MODELS),
        ("OWNER_GET_STATUS", OWNER_GET_STATUS),
        ("OWNER_POST", OWNER_POST),
        ("POST_WRITES_NOTHING", POST_WRITES_NOTHING),
        ("NOT_TENANT_SCOPED", NOT_TENANT_SCOPED),
    ):
        table.update(getattr(area, table_name, {}))

A_NARRATIVE = "Tenant A placed twelve apprentices at the Northgate depot"
A_EVIDENCE_NAME = "tenant-a-apprentice-register.pdf"
A_FRAMEWORK_TITLE = "Tenant A social value framework"
A_FORK_TITLE = "Tenant A local framework"
TEMPLATE_KEY = "tenant-template"
A_FOCUS_AREA = "Tenant A focus ward"
A_PRIORITY_GROUP = "Tenant A priority group"
A_PLAN_SUMMARY = "Tenant A plan summary"


# --- Walking the URL conf --------------------------------------------------------------------------

HANDLER_METHODS = ("get", "post", "put", "patch", "delete")
UNRESTRICTED = frozenset({"GET", "POST"})


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:url-name"; empty if the pattern has no name
    route: str  # the full route, e.g. "o/<slug:org>/agreements/<int:pk>/"
    kwargs: tuple[str, ...]
    declared_methods: frozenset[str] | None  # None: the view does not restrict its methods

    @property
    def methods(self) -> frozenset[str]:
        """The methods to send: those declared, or GET and POST to a view that takes any method."""
        return self.declared_methods if self.declared_methods is not None else UNRESTRICTED

    @property
    def is_api(self) -> bool:
        return self.route.startswith(API_PREFIX)

    @property
    def needs_isolation(self) -> bool:
        return bool(self.kwargs) and self.name not in NOT_TENANT_SCOPED

    def __str__(self) -> str:
        return self.name or self.route


def view_methods(callback: Callable[..., Any]) -> frozenset[str] | None:
    """The HTTP methods a view accepts: a class view's handlers, or a `require_http_methods` list."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return frozenset(
            method.upper()
            for method in HANDLER_METHODS
            if method in view_class.http_method_names and hasattr(view_class, method)
        )
    func: Any = callback
    while func is not None:
        if inspect.isfunction(func):
            allowed = inspect.getclosurevars(func).nonlocals.get("request_method_list")
            if allowed is not None:
                return frozenset(method for method in allowed if method not in ("HEAD", "OPTIONS"))
        func = getattr(func, "__wrapped__", None)
    return None


def walk(
    patterns: Sequence[URLPattern | URLResolver],
    prefix: str = "",
    namespace: str = "",
    kwargs: tuple[str, ...] = (),
) -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        names = kwargs + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, route, inner, names)
        else:
            yield Route(
                name=f"{namespace}{entry.name}" if entry.name else "",
                route=route,
                kwargs=names,
                declared_methods=view_methods(entry.callback),
            )


ROUTES = sorted(walk(get_resolver().url_patterns), key=lambda route: route.route)
ROUTE_NAMES = {route.name for route in ROUTES}
ISOLATED_ROUTES = [route for route in ROUTES if route.needs_isolation]


def route_problems(route: Route) -> list[str]:
    problems = []
    if not route.name:
        problems.append(f"The route {route.route!r} has no name: give it one so it can be tested.")
    unknown = sorted(set(route.kwargs) - set(TENANT_KWARGS))
    if unknown and route.name not in NOT_TENANT_SCOPED:
        problems.append(f"{route} ({route.route}) takes {unknown}, which this test cannot fill. {HOW_TO_ADD}")
    if "pk" in route.kwargs and route.name not in PK_MODELS and route.name not in NOT_TENANT_SCOPED:
        problems.append(f"{route} ({route.route}) takes `pk` but PK_MODELS does not name its model. {HOW_TO_ADD}")
    return problems


def url_kwargs(route: Route, *, org: str | None, objects: dict[Any, int]) -> dict[str, Any]:
    """The kwargs to reverse `route` for the organisation `org` and the objects given (by model)."""
    problems = route_problems(route)
    if problems:
        pytest.fail("\n".join(problems))
    values: dict[str, Any] = {}
    for kwarg in route.kwargs:
        if kwarg == "org":
            assert org is not None
            values[kwarg] = org
        elif kwarg in ("year", "department"):
            # Keyed by the kwarg's name; an area may name the value for one route as (route, kwarg).
            values[kwarg] = objects.get((route.name, kwarg), objects[kwarg])
        elif kwarg == "pk" and route.name in objects:
            # An area may name the object for one route, when the area's model object does not suit it.
            values[kwarg] = objects[route.name]
        elif kwarg == "pk":
            model = PK_MODELS[route.name]
            if model not in objects:
                pytest.fail(
                    f"{route} takes the pk of a {model.__name__}, but the `world` fixture makes none for "
                    "tenant A: make one there and add it to `a_objects`."
                )
            values[kwarg] = objects[model]
    return values


# --- The OpenAPI schema ----------------------------------------------------------------------------


def schema_parse(response: HttpResponseBase) -> dict[str, Any]:
    """The schema from a response in whichever format it came (JSON or, by default, YAML)."""
    assert response.status_code == 200, response.status_code
    content = response.content  # type: ignore[attr-defined]
    if "json" in response["Content-Type"]:
        return json.loads(content)
    return yaml.safe_load(content)


def schema_param(kwarg: str) -> str:
    """The name a URL kwarg has in schema paths: DRF’s SCHEMA_COERCE_PATH_PK renames pk to id."""
    return "id" if kwarg == "pk" and api_settings.SCHEMA_COERCE_PATH_PK else kwarg


def openapi_path(route: Route) -> str:
    def placeholder(match: re.Match[str]) -> str:
        return "{" + schema_param(match[1]) + "}"

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", placeholder, route.route)


SCHEMA = schema_parse(Client().get(reverse("api:schema"), {"format": "json"}))
SCHEMA_OPERATIONS = [
    (path, method.upper())
    for path, item in sorted(SCHEMA["paths"].items())
    for method in item
    if method in HANDLER_METHODS
]
API_ROUTES_BY_PATH = {
    openapi_path(route): route for route in ROUTES if route.is_api and route.name not in SCHEMA_EXCLUDED_ROUTES
}


def schema_route(path: str) -> Route:
    route = API_ROUTES_BY_PATH.get(path)
    if route is None:
        pytest.fail(f"The schema lists {path}, which is not a route under /{API_PREFIX} in the URL conf.")
    return route


def schema_url(path: str, kwargs: dict[str, Any]) -> str:
    values = {schema_param(kwarg): value for kwarg, value in kwargs.items()}

    def fill(match: re.Match[str]) -> str:
        if match[1] not in values:
            pytest.fail(f"The schema path {path} has the parameter {{{match[1]}}}, with no value. {HOW_TO_ADD}")
        return quote(str(values[match[1]]))

    return re.sub(r"\{(\w+)\}", fill, path)


# --- The two tenants and their objects -------------------------------------------------------------


@dataclass
class World:
    a: Tenant
    b: Tenant
    a_objects: dict[Any, int]  # the pk of one of tenant A's objects of each kind
    # Made once with the world, as a case's request costs a fraction of making them (see `world_build`):
    # the form data about tenant A every POST sends, and each person's signed-in session and API token.
    a_post_data: dict[str, Any] = field(default_factory=dict)
    sessions: dict[int, str] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)

    def leak_markers(self) -> list[str]:
        """Strings only tenant A's data contains: none may appear in a response to tenant B."""
        measures = [commitment.measure.title for commitment in self.a.commitments]
        return [
            self.a.agreement.reference,
            self.a.buyer.name,
            self.a.supplier.name,
            A_NARRATIVE,
            A_EVIDENCE_NAME,
            A_FRAMEWORK_TITLE,
            A_FORK_TITLE,
            A_FOCUS_AREA,
            A_PRIORITY_GROUP,
            A_PLAN_SUMMARY,
            *measures,
            *(marker for area in AREAS for marker in getattr(area, "LEAK_MARKERS", [])),
        ]


def submit_return(tenant: Tenant, *, narrative: str, evidence_name: str) -> DeliveryReturn:
    first, second, _ = tenant.commitments
    return services_returns.return_submit(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        quantities={first.pk: Decimal("4"), second.pk: Decimal("2.5")},
        narrative=narrative,
        evidence=evidence_file(evidence_name),
    )


def network_slug(tenant: Tenant) -> str:
    """A network the tenant's buyer belongs to and has not shared its framework with (to share with)."""
    return f"{tenant.buyer.slug}-network"


def framework_objects(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, templates: Path
) -> dict[type[models.Model], int]:
    """The tenant's frameworks as its social value lead leaves them: the agreement's framework shared
    with one network, and a fork of it with a draft version 2 (themes, outcomes and measures to edit)."""
    lead = tenant.manager_member()
    framework = tenant.agreement.framework_version.framework
    framework.title = A_FRAMEWORK_TITLE
    framework.save(update_fields=["title"])
    partners = NetworkFactory.create()
    tenant.buyer.networks.add(NetworkFactory.create(slug=network_slug(tenant)), partners)
    share = framework_services.framework_share(actor=tenant.manager, member=lead, framework=framework, network=partners)
    fork = framework_services.framework_fork(
        actor=tenant.manager, member=lead, source=tenant.agreement.framework_version, code="tenant", title=A_FORK_TITLE
    )
    draft = framework_services.version_draft_create(actor=tenant.manager, member=lead, framework=fork.framework)
    measure = draft.measures.order_by("pk").first()
    assert measure is not None
    # One shipped template, so the template page has one to start from.
    templates.mkdir()
    template = STARTER_FRAMEWORK.read_text(encoding="utf-8")
    (templates / f"{TEMPLATE_KEY}.yaml").write_text(template, encoding="utf-8")
    monkeypatch.setattr(interchange, "TEMPLATES_DIR", templates)
    return {
        Framework: framework.pk,
        FrameworkShare: share.pk,
        FrameworkVersion: draft.pk,
        Theme: measure.outcome.theme_id,
        Outcome: measure.outcome_id,
        Measure: measure.pk,
    }


def value_set_objects(tenant: Tenant) -> dict[type[models.Model], int]:
    """The tenant's value set, with a value for its first commitment's measure, and a deflator series.
    Their titles carry the buyer's name, which tenant B must never be shown."""
    value_set = factories.ValueSetFactory.create(
        organisation=tenant.buyer, code="tenant-values", title=f"{tenant.buyer.name} value set"
    )
    entry = factories.ValueSetEntryFactory.create(
        value_set=value_set, measure_code=tenant.commitments[0].measure.code, source=f"{tenant.buyer.name} research"
    )
    series = factories.DeflatorSeriesFactory.create(
        organisation=tenant.buyer, code="tenant-index", title=f"{tenant.buyer.name} price index"
    )
    factories.deflator_points(series, {2024: "100", 2025: "102.5"})
    return {
        framework_models.ValueSet: value_set.pk,
        framework_models.ValueSetEntry: entry.pk,
        framework_models.DeflatorSeries: series.pk,
    }


def priority_objects(tenant: Tenant) -> dict[type[models.Model], int]:
    """The tenant's focus area, priority group and default proportionality policy, and its plan,
    saved but not published: nobody may see it until the lead publishes it."""
    lead = tenant.manager_member()
    area = services_priorities.focus_area_create(
        actor=tenant.manager, member=lead, gss_code="E08000009", name=A_FOCUS_AREA, reason=""
    )
    group = services_priorities.priority_group_create(
        actor=tenant.manager, member=lead, name=A_PRIORITY_GROUP, description=""
    )
    policy = services_priorities.policy_load_default(actor=tenant.manager, member=lead)
    services_priorities.plan_publish(actor=tenant.manager, member=lead, summary=A_PLAN_SUMMARY)
    services_priorities.plan_unpublish(actor=tenant.manager, member=lead)
    band = policy.bands.order_by("position").first()
    assert band is not None
    return {
        framework_models.FocusArea: area.pk,
        framework_models.PriorityGroup: group.pk,
        framework_models.ProportionalityBand: band.pk,
    }


def world_build(monkeypatch: pytest.MonkeyPatch, templates: Path) -> World:
    tenant_a, tenant_b = make_tenant("A"), make_tenant("B")
    for number, commitment in enumerate(tenant_a.commitments, start=1):
        commitment.measure.title = f"Tenant A measure {number}: apprenticeships"
        commitment.measure.save(update_fields=["title"])
    # Both managers are their organisation's social value lead too, so tenant B's attacker may change
    # frameworks (its own) and tenant A's positive controls can change tenant A's.
    for tenant in (tenant_a, tenant_b):
        MembershipFactory.create(user=tenant.manager, organisation=tenant.buyer, role=Role.SOCIAL_VALUE_LEAD)
    a_frameworks = framework_objects(tenant_a, monkeypatch, templates)
    a_value_sets = value_set_objects(tenant_a)
    a_priorities = priority_objects(tenant_a)
    a_return = submit_return(tenant_a, narrative=A_NARRATIVE, evidence_name=A_EVIDENCE_NAME)
    submit_return(tenant_b, narrative="Tenant B ran two school workshops", evidence_name="b.pdf")
    line = a_return.lines.order_by("pk").first()
    evidence = a_return.evidence.get()
    assert line is not None
    a_areas: dict[Any, int] = {}
    for area in AREAS:
        if hasattr(area, "world_objects"):
            a_areas.update(area.world_objects(tenant_a, tenant_b))
    world = World(
        a=tenant_a,
        b=tenant_b,
        a_objects={
            Agreement: tenant_a.agreement.pk,
            ReturnLine: line.pk,
            Evidence: evidence.pk,
            **a_frameworks,
            **a_value_sets,
            **a_priorities,
            **a_areas,
        },
    )
    world.a_post_data = post_data(tenant_a)
    for user in (tenant_a.manager, tenant_a.supplier_user, tenant_b.manager, tenant_b.supplier_user):
        signed_in = Client()
        signed_in.force_login(user)
        world.sessions[user.pk] = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
        world.tokens[user.pk] = api_token(user).key
    return world


@pytest.fixture(scope="module")
def world_once(django_db_blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world, built once per module (and xdist worker) in a transaction that is rolled back at the end.

    Building it takes some 940 queries; a case's request takes a few. Each case runs in its own savepoint
    inside that transaction (the `db` fixture), rolled back after it, so every case starts from the world
    exactly as built. Nothing in the build may outlive the transaction: no commit hooks run (`on_commit`
    never fires inside it), and the only files written (evidence, spend Parquet, the template folder)
    are under this run's temporary roots."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from built_once(
            django_db_blocker, lambda: world_build(monkeypatch, tmp_path_factory.mktemp("world") / "templates")
        )


@pytest.fixture
def world(world_once: World, db: None) -> World:
    """The world as built, shared by the cases: they read its objects and send requests, which load their
    own, so they need no copy of it (making one would cost more than most cases' request)."""
    return world_once


@pytest.fixture
def world_copy(world_once: World, db: None) -> World:
    """A fresh copy of the world's objects (as `TestCase.setUpTestData` gives), for a case that calls a
    service with them, which may change an instance in memory."""
    return copy.deepcopy(world_once)


def person(tenant: Tenant, role: str) -> User:
    return tenant.manager if role == "manager" else tenant.supplier_user


def home_slug(tenant: Tenant, role: str) -> str:
    return tenant.buyer.slug if role == "manager" else tenant.supplier.slug


def sign_in(client: Client, world: World, user: User) -> None:
    """`client.force_login(user)`, with the session the world made for `user` (it is as good, and cheaper)."""
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user.pk]


def token_header(world: World, user: User) -> dict[str, str]:
    return {"Authorization": f"Token {world.tokens[user.pk]}"}


def fresh(upload: SimpleUploadedFile) -> SimpleUploadedFile:
    content = upload.file.getvalue() if isinstance(upload.file, io.BytesIO) else b""
    return SimpleUploadedFile(upload.name or "upload", content, upload.content_type or "application/octet-stream")


def a_post_data(world: World) -> dict[str, Any]:
    """Tenant A's POST data as the world made it, each file in it fresh (a request reads a file to its end)."""
    return {
        key: fresh(value) if isinstance(value, SimpleUploadedFile) else value
        for key, value in world.a_post_data.items()
    }


def post_data(tenant: Tenant) -> dict[str, Any]:
    """Valid-looking data for every POST endpoint at once, about `tenant`: each view reads its fields."""
    quantities = {str(commitment.pk): "3" for commitment in tenant.commitments}
    return {
        "quantities": json.dumps(quantities),
        **{f"quantity_{pk}": quantity for pk, quantity in quantities.items()},
        "narrative": "Three more apprentices started",
        "evidence": evidence_file(),
        "decision": LineStatus.VERIFIED,
        "reason": "",
        # Value sets (with the code and title above): a value set's details, a value of one unit of the
        # tenant's first measure, a deflator index; the calculator and the valuation API value 3 units.
        "source": "Tenant research, 2024",
        "licence": "Open Government Licence v3.0",
        "base_year": "2024",
        "valid_from": "1/4/2024",
        "measure_code": tenant.commitments[0].measure.code,
        "value_per_unit": "12.50",
        "deadweight": "10",
        "duration_years": "1",
        "points": "2024,100\n2025,102.5",
        "value_set": framework_models.ValueSet.objects.filter(organisation=tenant.buyer)
        .values_list("pk", flat=True)
        .first()
        or "",
        **{f"quantity_{commitment.measure.pk}": "3" for commitment in tenant.commitments},
        "lines": json.dumps([{"measure_code": tenant.commitments[0].measure.code, "quantity": "3"}]),
        # Framework pages: a code and title (forks, templates, themes, outcomes, measures), a measure's
        # unit and value type, a version's notes, a network to share with and a template to start from.
        "code": "tenant-new",
        "title": "Tenant new item",
        "unit": "count",
        "value_type": "additional_social",
        "notes": "Tenant notes on the version",
        "network": Organisation.objects.filter(slug=network_slug(tenant)).values_list("pk", flat=True).first() or "",
        "template": TEMPLATE_KEY,
        # Importing a framework file (with the code and title above).
        "file": evidence_file("tenant-framework.yaml", STARTER_FRAMEWORK.read_bytes()),
        # Priorities: a weight and reason on each outcome of the agreement's framework; a focus area, a
        # priority group and a band (all named by "name"); a plan summary; a proposed ask (value,
        # category, months, supplier size and description, which the band form reads too).
        **{
            f"{field}_{outcome_pk}": value
            for outcome_pk in Outcome.objects.filter(version=tenant.agreement.framework_version).values_list(
                "pk", flat=True
            )
            for field, value in (("weight", "3"), ("reason", "Tenant reason for the weight"))
        },
        "gss_code": "E05000824",
        "name": "Tenant new priority",
        "description": "Tenant description",
        "category": "services",
        "min_value": "0",
        "max_value": "",
        "min_months": "",
        "max_months": "",
        "supplier_size": "any",
        "min_weighting_percent": "12.5",
        "outcomes_to_ask": "1",
        "offer_kind": "qualitative",
        "delivery_plan_required": "no",
        "reporting_frequency": "annually",
        "rationale": "Weighting: tenant policy choice.",
        "summary": "Tenant plan summary, published",
        "value": "250000",
        "months": "36",
        **{key: value for area in AREAS if hasattr(area, "post_data") for key, value in area.post_data(tenant).items()},
    }


def send(
    client: Client, method: str, url: str, data: dict[str, Any], headers: dict[str, str] | None = None
) -> HttpResponseBase:
    if method == "GET":
        return client.get(url, headers=headers)
    if method == "POST":
        return client.post(url, data, headers=headers)
    return client.generic(method, url, headers=headers)


def body(response: HttpResponseBase) -> str:
    if response.streaming:
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        response.close()
    else:
        content = response.content  # type: ignore[attr-defined]
    return content.decode("utf-8", errors="replace")


def stored_evidence_files() -> int:
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


# What `state` counts, and the rows it lists with the columns that show a change.
COUNTED_MODELS: tuple[type[models.Model], ...] = (
    AuditEvent,
    DeliveryReturn,
    Evidence,
    framework_models.ValueSet,
    framework_models.ValueSetEntry,
    framework_models.DeflatorSeries,
    framework_models.DeflatorPoint,
    Framework,
    FrameworkVersion,
    FrameworkShare,
    Theme,
    Outcome,
    Measure,
    framework_models.OutcomePriority,
    framework_models.FocusArea,
    framework_models.PriorityGroup,
    framework_models.ProportionalityBand,
    Department,
    DepartmentSpendLabel,
    FinancialYear,
    BudgetLine,
)
LISTED_ROWS: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (framework_models.PlanPublication, ("summary", "published_at")),
    (ReturnLine, ("status", "reason", "reviewed_by")),
    (FinancialYear, ("value_set", "closed_at")),
)


def column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def state() -> tuple[object, ...]:
    """Everything a request could write: audit events, returns, lines and their review, evidence, frameworks,
    value sets and priorities, and the budget (departments and their labels, years, budget lines).

    Read in four plain SQL queries rather than two dozen ORM ones: every case reads it twice."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in COUNTED_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        listed: list[object] = [cursor.fetchone()]
        for model, names in LISTED_ROWS:
            columns = ", ".join(quote(column(model, name)) for name in ("id", *names))
            cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)} ORDER BY 1")
            listed.append(cursor.fetchall())
    return (stored_evidence_files(), *listed)


def assert_shows_nothing_of_a(response: HttpResponseBase, world: World, what: str) -> None:
    text = body(response)
    for marker in world.leak_markers():
        assert marker not in text, f"{what} shows tenant A's {marker!r}"


# --- Test cases, generated -------------------------------------------------------------------------


def attack_variants(route: Route) -> list[str]:
    if "org" not in route.kwargs:
        return ["A's objects"]
    variants = ["A's buyer slug", "A's supplier slug"]
    if set(route.kwargs) - {"org"}:
        variants.append("own slug with A's objects")
    return variants


def attack_org(world: World, role: str, variant: str) -> str | None:
    return {
        "A's buyer slug": world.a.buyer.slug,
        "A's supplier slug": world.a.supplier.slug,
        "own slug with A's objects": home_slug(world.b, role),
        "A's objects": None,
    }[variant]


def schema_attack_variants(path: str) -> list[str]:
    if "{org}" not in path:
        return ["A's objects"]
    variants = ["A's buyer slug", "A's supplier slug"]
    if path.count("{") > 1:
        variants.append("own slug with A's objects")
    return variants


def schema_owner_post_role(path: str) -> str | None:
    route = API_ROUTES_BY_PATH.get(path)
    return OWNER_POST[route.name][0] if route is not None and route.name in OWNER_POST else None


ATTACK_CASES = [
    pytest.param(route, method, role, variant, id=f"{method} {route} as B {role} with {variant}")
    for route in ISOLATED_ROUTES
    for method in sorted(route.methods)
    for variant in attack_variants(route)
    for role in ROLES
]
ANONYMOUS_CASES = [
    pytest.param(route, method, id=f"{method} {route}")
    for route in ROUTES
    if route.needs_isolation or (route.is_api and route.name not in SCHEMA_EXCLUDED_ROUTES)
    for method in sorted(route.methods)
]
OWNER_GET_CASES = [
    pytest.param(route, role, id=f"GET {route} as A {role}")
    for route in ISOLATED_ROUTES
    if "GET" in route.methods
    for role in ROLES
]
OWNER_POST_CASES = [
    pytest.param(route, id=f"POST {route} as A {OWNER_POST[route.name][0]}")
    for route in ISOLATED_ROUTES
    if route.name in OWNER_POST
]
OWN_ORGANISATION_CASES = [
    pytest.param(route, role, id=f"GET {route} as B {role} with own slug")
    for route in ISOLATED_ROUTES
    if route.kwargs == ("org",) and "GET" in route.methods
    for role in ROLES
]
NO_KWARG_CASES = [
    pytest.param(route, role, id=f"GET {route} as B {role}")
    for route in ROUTES
    if not route.kwargs and "GET" in route.methods
    for role in ROLES
]
SCHEMA_ATTACK_CASES = [
    pytest.param(path, method, role, variant, id=f"{method} {path} with B {role}'s token and {variant}")
    for path, method in SCHEMA_OPERATIONS
    if "{" in path
    for variant in schema_attack_variants(path)
    for role in ROLES
]
SCHEMA_OWNER_CASES = [
    pytest.param(path, method, role, id=f"{method} {path} with A {role}'s token")
    for path, method in SCHEMA_OPERATIONS
    if "{" in path
    for role in ROLES
    if method == "GET" or schema_owner_post_role(path) == role
]
SCHEMA_UNSCOPED_CASES = [
    pytest.param(path, role, id=f"GET {path} with B {role}'s token")
    for path, method in SCHEMA_OPERATIONS
    if "{" not in path and method == "GET"
    for role in ROLES
]


# --- The route table stays complete ----------------------------------------------------------------


def test_every_route_kwarg_can_be_filled() -> None:
    problems = [problem for route in ROUTES for problem in route_problems(route)]
    assert not problems, "\n".join(problems)


def test_route_tables_name_only_real_routes() -> None:
    tables: list[tuple[str, dict[str, Any]]] = [
        ("PK_MODELS", PK_MODELS),
        ("NOT_TENANT_SCOPED", NOT_TENANT_SCOPED),
        ("OWNER_GET_STATUS", OWNER_GET_STATUS),
        ("OWNER_POST", OWNER_POST),
        ("POST_WRITES_NOTHING", POST_WRITES_NOTHING),
    ]
    for table_name, table in tables:
        stale = sorted(set(table) - ROUTE_NAMES)
        assert not stale, f"{table_name} names routes that no longer exist: {stale}"


def test_every_route_that_declares_post_has_an_owner_control() -> None:
    missing = [
        str(route)
        for route in ISOLATED_ROUTES
        if route.declared_methods is not None and "POST" in route.declared_methods and route.name not in OWNER_POST
    ]
    assert not missing, (
        f"These routes accept POST but OWNER_POST does not say who of tenant A may POST and what they "
        f"get: {missing}. Add them to OWNER_POST in tests/test_tenant_isolation.py."
    )


def test_url_conf_walk_finds_the_tenant_routes_with_their_kwargs_and_methods() -> None:
    by_name = {route.name: route for route in ROUTES}
    assert by_name["delivery:dashboard"].kwargs == ("org",)
    assert by_name["delivery:agreement-detail"].kwargs == ("org", "pk")
    assert by_name["delivery:return-submit"].declared_methods == {"GET", "POST"}
    assert by_name["delivery:agreement-detail"].declared_methods is None
    assert by_name["api:return-list"].declared_methods == {"GET", "POST"}
    assert by_name["api:return-line-review"].declared_methods == {"POST"}
    assert by_name["api:return-line-review"].route == "api/v1/organisations/<slug:org>/return-lines/<int:pk>/review/"
    isolated = {route.name for route in ISOLATED_ROUTES}
    assert {"delivery:evidence-download", "delivery:commitment-export", "api:dashboard"} <= isolated
    assert "accounts:password-reset-confirm" not in isolated


def test_openapi_schema_paths_and_methods_match_the_url_conf(client: Client) -> None:
    from_json = schema_parse(client.get(reverse("api:schema"), {"format": "json"}))
    from_default = schema_parse(client.get(reverse("api:schema")))
    assert from_default == from_json
    assert set(from_json["paths"]) == set(API_ROUTES_BY_PATH)
    for path, route in API_ROUTES_BY_PATH.items():
        methods = {method.upper() for method in from_json["paths"][path] if method in HANDLER_METHODS}
        assert methods == route.declared_methods, path


# --- Tenant B cannot reach tenant A ----------------------------------------------------------------


@pytest.mark.parametrize(("route", "method", "role", "variant"), ATTACK_CASES)
def test_tenant_b_gets_404_for_tenant_a_urls(
    world: World, client: Client, route: Route, method: str, role: str, variant: str
) -> None:
    url = reverse(route.name, kwargs=url_kwargs(route, org=attack_org(world, role, variant), objects=world.a_objects))
    sign_in(client, world, person(world.b, role))
    before = state()
    response = send(client, method, url, a_post_data(world))
    assert response.status_code == 404, f"{method} {url} as tenant B's {role}: {response.status_code}"
    assert state() == before, f"{method} {url} as tenant B's {role} changed stored data"
    assert_shows_nothing_of_a(response, world, f"{method} {url}")


@pytest.mark.parametrize(("path", "method", "role", "variant"), SCHEMA_ATTACK_CASES)
def test_tenant_b_token_gets_404_for_every_schema_operation_on_tenant_a(
    world: World, client: Client, path: str, method: str, role: str, variant: str
) -> None:
    route = schema_route(path)
    kwargs = url_kwargs(route, org=attack_org(world, role, variant), objects=world.a_objects)
    url = schema_url(path, kwargs)
    before = state()
    response = send(client, method, url, a_post_data(world), token_header(world, person(world.b, role)))
    assert response.status_code == 404, f"{method} {url} with tenant B's {role} token: {response.status_code}"
    # A JSON 404 from the view (the route resolved), not the HTML page for an unknown address.
    assert response["Content-Type"] == "application/json"
    assert json.loads(body(response))["detail"].startswith("No such")
    assert state() == before
    assert_shows_nothing_of_a(response, world, f"{method} {url}")


@pytest.mark.parametrize(("route", "role"), OWN_ORGANISATION_CASES)
def test_tenant_b_pages_for_its_own_organisation_show_nothing_of_tenant_a(
    world: World, client: Client, route: Route, role: str
) -> None:
    sign_in(client, world, person(world.b, role))
    response = client.get(reverse(route.name, kwargs={"org": home_slug(world.b, role)}))
    # Tenant B's people get what tenant A's get from their own organisation's page (OWNER_GET_STATUS).
    assert response.status_code == OWNER_GET_STATUS.get(route.name, {}).get(role, 200)
    assert_shows_nothing_of_a(response, world, f"{route} for tenant B")


@pytest.mark.parametrize(("route", "role"), NO_KWARG_CASES)
def test_routes_without_kwargs_show_tenant_b_nothing_of_tenant_a(
    world: World, client: Client, route: Route, role: str
) -> None:
    sign_in(client, world, person(world.b, role))
    response = client.get(reverse(route.name))
    assert response.status_code < 500
    assert_shows_nothing_of_a(response, world, f"{route} for tenant B")


@pytest.mark.parametrize(("path", "role"), SCHEMA_UNSCOPED_CASES)
def test_schema_operations_without_parameters_show_tenant_b_nothing_of_tenant_a(
    world: World, client: Client, path: str, role: str
) -> None:
    response = client.get(path, headers=token_header(world, person(world.b, role)))
    assert response.status_code == 200
    assert_shows_nothing_of_a(response, world, f"GET {path} for tenant B")


def test_organisation_list_api_lists_only_tenant_b_organisations_for_tenant_b(world: World, client: Client) -> None:
    response = client.get(reverse("api:organisation-list"), headers=token_header(world, world.b.manager))
    assert [organisation["slug"] for organisation in response.json()] == [world.b.buyer.slug]


# --- Anonymous people are sent to sign in ----------------------------------------------------------


@pytest.mark.parametrize(("route", "method"), ANONYMOUS_CASES)
def test_anonymous_requests_are_sent_to_sign_in_or_refused(
    world: World, client: Client, route: Route, method: str
) -> None:
    url = reverse(route.name, kwargs=url_kwargs(route, org=world.a.buyer.slug, objects=world.a_objects))
    before = state()
    response = send(client, method, url, a_post_data(world))
    if route.is_api:
        assert response.status_code in (401, 403), f"{method} {url}: {response.status_code}"
    else:
        assert response.status_code == 302, f"{method} {url}: {response.status_code}"
        assert response["Location"].startswith(f"{reverse(settings.LOGIN_URL)}?next=")
    assert state() == before
    assert_shows_nothing_of_a(response, world, f"anonymous {method} {url}")


# --- Positive controls: tenant A's own people get through ------------------------------------------


@pytest.mark.parametrize(("route", "role"), OWNER_GET_CASES)
def test_tenant_a_people_reach_their_own_urls(world: World, client: Client, route: Route, role: str) -> None:
    url = reverse(route.name, kwargs=url_kwargs(route, org=home_slug(world.a, role), objects=world.a_objects))
    sign_in(client, world, person(world.a, role))
    response = client.get(url)
    body(response)
    assert response.status_code == OWNER_GET_STATUS.get(route.name, {}).get(role, 200), url


@pytest.mark.parametrize("route", OWNER_POST_CASES)
def test_tenant_a_people_can_post_to_their_own_urls(world: World, client: Client, route: Route) -> None:
    role, expected = OWNER_POST[route.name]
    url = reverse(route.name, kwargs=url_kwargs(route, org=home_slug(world.a, role), objects=world.a_objects))
    sign_in(client, world, person(world.a, role))
    audit_events = AuditEvent.objects.count()
    before = state()
    response = client.post(url, a_post_data(world))
    assert response.status_code == expected, f"POST {url}: {response.status_code} {body(response)[:500]}"
    if route.name in POST_WRITES_NOTHING:
        assert state() == before
        return
    assert AuditEvent.objects.count() == audit_events + 1
    assert state() != before


@pytest.mark.parametrize(("path", "method", "role"), SCHEMA_OWNER_CASES)
def test_tenant_a_token_succeeds_for_every_schema_operation_on_its_own_objects(
    world: World, client: Client, path: str, method: str, role: str
) -> None:
    route = schema_route(path)
    url = schema_url(path, url_kwargs(route, org=home_slug(world.a, role), objects=world.a_objects))
    expected = OWNER_POST[route.name][1] if method == "POST" else OWNER_GET_STATUS.get(route.name, {}).get(role, 200)
    response = send(client, method, url, a_post_data(world), token_header(world, person(world.a, role)))
    assert response.status_code == expected, f"{method} {url}: {response.status_code} {body(response)[:500]}"


# --- Public pages: the plan on a page exists only once published ---------------------------------


PUBLISHED_ONLY_ROUTES = ["plans:plan", "plans:plan-pdf"]


@pytest.mark.parametrize("name", PUBLISHED_ONLY_ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "A manager", "A supplier", "B manager", "B supplier"])
def test_an_unpublished_plan_is_a_404_for_everyone(world: World, client: Client, name: str, who: str) -> None:
    if who != "anonymous":
        tenant, role = (world.a if who.startswith("A") else world.b), who.split()[1]
        sign_in(client, world, person(tenant, role))
    url = reverse(name, kwargs={"org": world.a.buyer.slug})
    before = state()
    response = client.get(url)
    assert response.status_code == 404, f"GET {url} as {who}: {response.status_code}"
    assert state() == before
    if who.startswith("A"):  # tenant A's own people see their organisations' names in the menu, not the plan
        assert A_PLAN_SUMMARY not in body(response) and A_FOCUS_AREA not in body(response)
    else:
        assert_shows_nothing_of_a(response, world, f"GET {url} as {who}")


@pytest.mark.parametrize("name", PUBLISHED_ONLY_ROUTES)
def test_a_published_plan_is_public_and_shows_only_its_own_organisation(
    world_copy: World, client: Client, name: str
) -> None:
    world = world_copy
    services_priorities.plan_publish(actor=world.a.manager, member=world.a.manager_member(), summary=A_PLAN_SUMMARY)
    response = client.get(reverse(name, kwargs={"org": world.a.buyer.slug}))
    assert response.status_code == 200
    assert client.get(reverse(name, kwargs={"org": world.b.buyer.slug})).status_code == 404
    if name == "plans:plan":
        assert A_PLAN_SUMMARY in body(response)


# --- The public hub: public once published, and only its own organisation's -----------------------

HUB_ROUTES = sorted(name for name in NOT_TENANT_SCOPED if name.startswith("hub:") and "consultation" not in name)


def hub_url(name: str, org: str, world: World) -> str:
    """A hub route about tenant A's objects (its page's address, story and published report) under `org`."""
    kwargs: dict[str, Any] = {"org": org}
    if name == "hub:page":
        kwargs["slug"] = "guidance"
    elif name in ("hub:story", "hub:story-image"):
        kwargs["pk"] = world.a_objects[Story]
    elif name == "hub:report":
        kwargs["pk"] = world.a_objects[ReportVersion]
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", HUB_ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "A manager", "B manager"])
def test_an_unpublished_hub_is_a_404_for_everyone(world: World, client: Client, name: str, who: str) -> None:
    if who != "anonymous":
        client.force_login(person(world.a if who.startswith("A") else world.b, "manager"))
    url = hub_url(name, world.a.buyer.slug, world)
    before = state()
    response = client.get(url)
    assert response.status_code == 404, f"GET {url} as {who}: {response.status_code}"
    assert state() == before
    if who == "B manager":
        assert_shows_nothing_of_a(response, world, f"GET {url} as {who}")


@pytest.mark.parametrize("name", HUB_ROUTES)
def test_a_published_hub_shows_only_its_own_organisation(world_copy: World, client: Client, name: str) -> None:
    world = world_copy
    for tenant in (world.a, world.b):
        services_public.hub_publish(actor=tenant.manager, member=tenant.manager_member())
    own = client.get(hub_url(name, world.a.buyer.slug, world))
    assert own.status_code == 200, f"{name} for A: {own.status_code}"
    other = client.get(hub_url(name, world.b.buyer.slug, world))
    # B's hub has a page at the same address; A's story and report are not B's, so they are a 404 there.
    expected = 404 if name in ("hub:story", "hub:story-image", "hub:report") else 200
    assert other.status_code == expected, f"{name} for B with A's objects: {other.status_code}"
    assert_shows_nothing_of_a(other, world, f"GET {name} of B's hub")


@pytest.mark.parametrize("role", ROLES)
def test_tenant_a_supplier_and_manager_both_see_tenant_a_agreement(world: World, client: Client, role: str) -> None:
    agreement = world.a.agreement
    sign_in(client, world, person(world.a, role))
    slug = home_slug(world.a, role)
    page = client.get(reverse("delivery:agreement-detail", kwargs={"org": slug, "pk": agreement.pk}))
    assert page.status_code == 200
    assert agreement.reference in body(page)
    assert A_NARRATIVE in body(page)
    api = client.get(
        reverse("api:agreement-detail", kwargs={"org": slug, "pk": agreement.pk}),
        headers=token_header(world, person(world.a, role)),
    )
    assert api.status_code == 200
    assert api.json()["reference"] == agreement.reference
    assert api.json()["buyer"] == world.a.buyer.slug
    assert api.json()["supplier"] == world.a.supplier.slug
    listed = client.get(reverse("api:agreement-list", kwargs={"org": slug}))
    assert [row["reference"] for row in listed.json()] == [agreement.reference]
