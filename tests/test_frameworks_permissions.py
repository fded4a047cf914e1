"""Every writing service of frameworks requires Permission.MANAGE_FRAMEWORKS: a member without it (a
viewer or contract manager at the council, a supplier's contact) is refused with PermissionRefused and
nothing is written; the council's social value lead, with the same arguments, succeeds.

The council, its frameworks, value sets, priorities and plan are built once for the module, inside a
transaction rolled back at the end; each test runs in its own savepoint on top of them."""

import datetime
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.http import Http404

from commonweal.accounts.models import User
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.frameworks import models, services_interchange, services_priorities, services_value_sets
from commonweal.frameworks import services_versions as versions
from commonweal.frameworks.interchange import document_load, template_list
from commonweal.frameworks.services_priorities import WeightInput
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import built_once

# Every model a frameworks service writes, and the audit log: a refused call changes none of their counts.
WRITTEN: list[type[Model]] = [
    AuditEvent,
    models.Framework,
    models.FrameworkVersion,
    models.FrameworkShare,
    models.Theme,
    models.Outcome,
    models.Measure,
    models.ValueSet,
    models.ValueSetEntry,
    models.DeflatorSeries,
    models.DeflatorPoint,
    models.OutcomePriority,
    models.FocusArea,
    models.PriorityGroup,
    models.ProportionalityPolicy,
    models.ProportionalityBand,
    models.PlanPublication,
]


@dataclass
class Council:
    """A council whose social value lead has made one of everything the services change."""

    buyer: Organisation
    users: dict[str, User]  # by who they are: "lead", "neighbour" (another council's lead), "viewer", …
    slugs: dict[str, str]  # the organisation each of them acts for
    published: models.Framework  # the starter framework, published, shared with `shared_network`
    draft: models.FrameworkVersion  # version 2 of a second framework, with themes, outcomes and measures
    shared_network: Organisation
    other_network: Organisation
    value_set: models.ValueSet
    entry: models.ValueSetEntry
    series: models.DeflatorSeries
    focus_area: models.FocusArea
    group: models.PriorityGroup
    band: models.ProportionalityBand

    def member(self, who: str) -> Member:
        return member_access(user=self.users[who], slug=self.slugs[who])


def council_build() -> Council:
    buyer = factories.OrganisationFactory.create(name="Council P", slug="council-p")
    supplier = factories.SupplierFactory.create(name="Supplier P Ltd", slug="supplier-p")
    neighbour = factories.OrganisationFactory.create(name="Council Q", slug="council-q")
    users = {
        "lead": factories.member_user(buyer, Role.SOCIAL_VALUE_LEAD),
        "neighbour": factories.member_user(neighbour, Role.SOCIAL_VALUE_LEAD),
        "viewer": factories.member_user(buyer, Role.VIEWER),
        "manager": factories.member_user(buyer, Role.CONTRACT_MANAGER),
        "supplier": factories.member_user(supplier, Role.SUPPLIER_CONTACT),
    }
    slugs = {
        "lead": buyer.slug,
        "neighbour": neighbour.slug,
        "viewer": buyer.slug,
        "manager": buyer.slug,
        "supplier": supplier.slug,
    }
    system = Member.system(buyer)
    shared_network, other_network = factories.NetworkFactory.create(), factories.NetworkFactory.create()
    buyer.networks.add(shared_network, other_network)
    published = services_interchange.framework_load(actor=None, member=system).framework
    versions.framework_share(actor=None, member=system, framework=published, network=shared_network)
    second = services_interchange.framework_import(
        actor=None, member=system, document=document_load(services_interchange.STARTER_FRAMEWORK), code="second"
    )
    draft = versions.version_draft_create(actor=None, member=system, framework=second.framework)
    value_set = factories.ValueSetFactory.create(organisation=buyer)
    series = factories.DeflatorSeriesFactory.create(organisation=buyer)
    factories.deflator_points(series, {2024: "100"})
    policy = services_priorities.policy_load_default(actor=None, member=system)
    services_priorities.plan_publish(actor=None, member=system, summary="Every contract leaves the borough better.")
    return Council(
        buyer=buyer,
        users=users,
        slugs=slugs,
        published=published,
        draft=draft,
        shared_network=shared_network,
        other_network=other_network,
        value_set=value_set,
        entry=factories.ValueSetEntryFactory.create(value_set=value_set),
        series=series,
        focus_area=services_priorities.focus_area_create(
            actor=None, member=system, gss_code="E08000009", name="Trafford", reason=""
        ),
        group=services_priorities.priority_group_create(actor=None, member=system, name="Care leavers", description=""),
        band=policy.bands.order_by("position").first(),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def council(django_db_setup: None, django_db_blocker: Any) -> Iterator[Council]:
    yield from built_once(django_db_blocker, council_build)


def first(items: Any) -> Any:
    return items.order_by("position", "code").first()


Call = Callable[[Member, Council], object]

SERVICES: dict[str, Call] = {
    # Framework files
    "framework_load": lambda m, c: services_interchange.framework_load(actor=None, member=m),
    "framework_import": lambda m, c: services_interchange.framework_import(
        actor=None, member=m, document=document_load(services_interchange.STARTER_FRAMEWORK), code="third"
    ),
    # Versions, forks and sharing
    "framework_fork": lambda m, c: versions.framework_fork(
        actor=None, member=m, source=c.published.versions.get(number=1), code="fork", title="Fork"
    ),
    "framework_from_template": lambda m, c: versions.framework_from_template(
        actor=None, member=m, template=template_list()[0].key, code="from-template", title="From a template"
    ),
    "version_draft_create": lambda m, c: versions.version_draft_create(actor=None, member=m, framework=c.published),
    "version_publish": lambda m, c: versions.version_publish(actor=None, member=m, version=c.draft, notes="Reworded."),
    "framework_share": lambda m, c: versions.framework_share(
        actor=None, member=m, framework=c.published, network=c.other_network
    ),
    "framework_unshare": lambda m, c: versions.framework_unshare(
        actor=None, member=m, framework=c.published, network=c.shared_network
    ),
    "theme_add": lambda m, c: versions.theme_add(actor=None, member=m, version=c.draft, code="NEW", title="New"),
    "theme_update": lambda m, c: versions.theme_update(
        actor=None, member=m, theme=first(c.draft.themes), title="Renamed"
    ),
    "theme_remove": lambda m, c: versions.theme_remove(actor=None, member=m, theme=first(c.draft.themes)),
    "outcome_add": lambda m, c: versions.outcome_add(
        actor=None, member=m, theme=first(c.draft.themes), code="NEW.1", title="New"
    ),
    "outcome_update": lambda m, c: versions.outcome_update(
        actor=None, member=m, outcome=first(c.draft.outcomes), title="Renamed"
    ),
    "outcome_remove": lambda m, c: versions.outcome_remove(actor=None, member=m, outcome=first(c.draft.outcomes)),
    "measure_add": lambda m, c: versions.measure_add(
        actor=None, member=m, outcome=first(c.draft.outcomes), code="NEW.1.1", title="New", unit="count"
    ),
    "measure_update": lambda m, c: versions.measure_update(
        actor=None, member=m, measure=first(c.draft.measures), title="Renamed", unit="count"
    ),
    "measure_remove": lambda m, c: versions.measure_remove(actor=None, member=m, measure=first(c.draft.measures)),
    # Value sets and deflators
    "value_set_create": lambda m, c: services_value_sets.value_set_create(
        actor=None,
        member=m,
        code="new-values",
        title="New values",
        source="Research",
        licence="OGL",
        base_year=2024,
        valid_from=datetime.date(2024, 4, 1),
    ),
    "value_set_update": lambda m, c: services_value_sets.value_set_update(
        actor=None,
        member=m,
        value_set=c.value_set,
        code=c.value_set.code,
        title="Renamed values",
        source=c.value_set.source,
        licence=c.value_set.licence,
        base_year=c.value_set.base_year,
        valid_from=c.value_set.valid_from,
    ),
    "value_set_entry_set": lambda m, c: services_value_sets.value_set_entry_set(
        actor=None,
        member=m,
        value_set=c.value_set,
        measure_code="NEW.1.1",
        value_per_unit=Decimal("12.50"),
        source="Research",
        base_year=2024,
    ),
    "value_set_entry_remove": lambda m, c: services_value_sets.value_set_entry_remove(
        actor=None, member=m, entry=c.entry
    ),
    "deflator_series_create": lambda m, c: services_value_sets.deflator_series_create(
        actor=None, member=m, code="new-index", title="New index", source="ONS", points="2024,100"
    ),
    "deflator_points_set": lambda m, c: services_value_sets.deflator_points_set(
        actor=None, member=m, series=c.series, points="2024,100\n2025,102"
    ),
    # Priorities, the proportionality policy and the plan
    "outcome_priorities_set": lambda m, c: services_priorities.outcome_priorities_set(
        actor=None,
        member=m,
        framework=c.published,
        weights={first(c.published.versions.get(number=1).outcomes).code: WeightInput(Decimal("5"), "Jobs")},
    ),
    "focus_area_create": lambda m, c: services_priorities.focus_area_create(
        actor=None, member=m, gss_code="E08000010", name="Wigan", reason=""
    ),
    "focus_area_remove": lambda m, c: services_priorities.focus_area_remove(
        actor=None, member=m, focus_area=c.focus_area
    ),
    "priority_group_create": lambda m, c: services_priorities.priority_group_create(
        actor=None, member=m, name="Veterans", description=""
    ),
    "priority_group_remove": lambda m, c: services_priorities.priority_group_remove(
        actor=None, member=m, priority_group=c.group
    ),
    "policy_load_default": lambda m, c: services_priorities.policy_load_default(actor=None, member=m),
    "band_update": lambda m, c: services_priorities.band_update(actor=None, member=m, band=c.band, name="Renamed"),
    "plan_publish": lambda m, c: services_priorities.plan_publish(actor=None, member=m, summary="A new summary."),
    "plan_unpublish": lambda m, c: services_priorities.plan_unpublish(actor=None, member=m),
    "demo_priorities_load": lambda m, c: services_priorities.demo_priorities_load(actor=None, member=m),
}

REFUSED = ["viewer", "manager", "supplier"]


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in WRITTEN}


@pytest.mark.django_db
@pytest.mark.parametrize("who", REFUSED)
@pytest.mark.parametrize("service", list(SERVICES))
def test_a_member_without_manage_frameworks_is_refused_and_nothing_is_written(
    council: Council, service: str, who: str
) -> None:
    member = council.member(who)
    before = counts()
    with pytest.raises(PermissionRefused):
        SERVICES[service](member, council)
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("service", list(SERVICES))
def test_the_social_value_lead_may_call_each_service(council: Council, service: str) -> None:
    before = AuditEvent.objects.count()
    SERVICES[service](council.member("lead"), council)
    # Loading what is already loaded changes nothing; everything else is recorded.
    idempotent = {"framework_load", "policy_load_default", "demo_priorities_load"}
    assert AuditEvent.objects.count() > before or service in idempotent


# Services that take one of the council's objects directly (not through a member's own lookup), with the
# refusal another council's social value lead meets: the object does not exist for them.
OTHER_COUNCILS_OBJECTS = [
    "framework_share",
    "framework_unshare",
    "version_publish",
    "theme_add",
    "theme_update",
    "theme_remove",
    "outcome_add",
    "outcome_update",
    "outcome_remove",
    "measure_add",
    "measure_update",
    "measure_remove",
    "value_set_update",
    "value_set_entry_set",
    "value_set_entry_remove",
    "deflator_points_set",
    "focus_area_remove",
    "priority_group_remove",
    "band_update",
]


@pytest.mark.django_db
@pytest.mark.parametrize("service", OTHER_COUNCILS_OBJECTS)
def test_another_councils_lead_cannot_change_this_councils_objects(council: Council, service: str) -> None:
    before = counts()
    with pytest.raises((ApplicationError, Http404)):
        SERVICES[service](council.member("neighbour"), council)
    assert counts() == before


def test_every_writing_service_of_frameworks_is_covered() -> None:
    """A writing service is a public function of a services module that takes an `actor`."""
    modules = [services_interchange, versions, services_value_sets, services_priorities]
    writing = {
        name
        for module in modules
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and not name.startswith("_")
        and value.__module__ == module.__name__
        and "actor" in inspect.signature(value).parameters
    }
    assert writing == set(SERVICES)
