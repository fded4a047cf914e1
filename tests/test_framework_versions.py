"""Framework versions: forking, drafting, editing, publishing, comparing and sharing, through the services
and through the pages. Built on the starter framework shipped in commonweal/frameworks/data/starter.yaml."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from commonweal.accounts.models import User
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.delivery.models import Commitment
from commonweal.frameworks import selectors_versions as selectors
from commonweal.frameworks import services_versions as services
from commonweal.frameworks.models import (
    Framework,
    FrameworkShare,
    FrameworkVersion,
    Measure,
    Outcome,
    UnitKind,
    ValueType,
    Verification,
    VersionStatus,
)
from commonweal.frameworks.services_interchange import framework_load
from commonweal.frameworks.services_versions import PUBLISHED_UNCHANGEABLE
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories

OLD_OUTCOME = "More local people in good work"
NEW_OUTCOME = "More Northfield residents in secure, well-paid work"
NEW_MEASURE_TITLE = "Care leavers employed on the contract"
PPN_NOTE = "PPN 06/20 Social Value Model, theme 2, MAC 2.1"


@dataclass
class World:
    council: Organisation
    lead: User
    manager: User
    v1: FrameworkVersion
    network: Organisation
    neighbour: Organisation
    neighbour_lead: User
    outsider: Organisation
    outsider_lead: User

    def member(self, user: User | None = None, organisation: Organisation | None = None) -> Member:
        return member_access(user=user or self.lead, slug=(organisation or self.council).slug)

    def neighbour_member(self) -> Member:
        return member_access(user=self.neighbour_lead, slug=self.neighbour.slug)

    def outsider_member(self) -> Member:
        return member_access(user=self.outsider_lead, slug=self.outsider.slug)


@pytest.fixture
def world(db: None) -> World:
    """Northfield with the starter framework (some items as a template would ship them), a network it
    shares with a neighbouring council, and a council outside the network."""
    council = factories.OrganisationFactory.create(name="Northfield Borough Council", slug="northfield")
    lead = factories.member_user(council, Role.SOCIAL_VALUE_LEAD)
    manager = factories.member_user(council, Role.CONTRACT_MANAGER)
    v1 = framework_load(actor=lead, member=Member.system(council))
    # As a template would ship them: a verified outcome, measures with rules and their sources.
    Outcome.objects.filter(version=v1, code="JOBS.1").update(
        verification=Verification.VERIFIED, source_note=PPN_NOTE, description="Jobs for residents."
    )
    Measure.objects.filter(version=v1, code="JOBS.1.1").update(
        verification=Verification.THIRD_PARTY,
        source_note="Thrive summary of PPN 06/20",
        counting_rule="Each full-time equivalent for each year employed.",
        value_type=ValueType.LOCAL_ECONOMIC,
        position=0,
    )
    Measure.objects.filter(version=v1, code="ECON.1.1").update(
        verification=Verification.UNCONFIRMED, value_type=ValueType.LOCAL_ECONOMIC
    )
    network = factories.NetworkFactory.create(name="Northfield Anchor Network", slug="northfield-anchors")
    neighbour = factories.OrganisationFactory.create(name="Southdale District Council", slug="southdale")
    outsider = factories.OrganisationFactory.create(name="Eastmoor City Council", slug="eastmoor")
    council.networks.add(network)
    neighbour.networks.add(network)
    return World(
        council=council,
        lead=lead,
        manager=manager,
        v1=v1,
        network=network,
        neighbour=neighbour,
        neighbour_lead=factories.member_user(neighbour, Role.SOCIAL_VALUE_LEAD),
        outsider=outsider,
        outsider_lead=factories.member_user(outsider, Role.SOCIAL_VALUE_LEAD),
    )


def tree_snapshot(version: FrameworkVersion) -> list[tuple[Any, ...]]:
    """Every item of a version with every field that a copy must keep, in order."""
    rows: list[tuple[Any, ...]] = []
    for node in selectors.version_tree(version=version):
        theme = node.theme
        rows.append(("theme", theme.code, theme.title, theme.description, theme.verification, theme.source_note))
        for outcome_node in node.outcomes:
            o = outcome_node.outcome
            rows.append(
                ("outcome", o.code, o.title, o.description, o.verification, o.source_note, o.position, theme.code)
            )
            for m in outcome_node.measures:
                rows.append(
                    (
                        "measure",
                        m.code,
                        m.title,
                        m.description,
                        m.verification,
                        m.source_note,
                        m.position,
                        m.unit,
                        m.counting_rule,
                        m.evidence_required,
                        m.value_type,
                        o.code,
                    )
                )
    return rows


def draft(world: World) -> FrameworkVersion:
    return services.version_draft_create(actor=world.lead, member=world.member(), framework=world.v1.framework)


def rename_and_add(world: World, version: FrameworkVersion) -> Measure:
    """The edits an officer makes in the issue's story: rename an outcome and add a measure to it."""
    outcome = version.outcomes.get(code="JOBS.1")
    services.outcome_update(
        actor=world.lead, member=world.member(), outcome=outcome, title=NEW_OUTCOME, description=outcome.description
    )
    return services.measure_add(
        actor=world.lead,
        member=world.member(),
        outcome=outcome,
        code="JOBS.1.3",
        title=NEW_MEASURE_TITLE,
        unit=UnitKind.FTE,
        counting_rule="Each FTE held by a care leaver, for each year employed.",
        evidence_required="Anonymised staff list with care-leaver status confirmed by the council.",
        value_type=ValueType.ADDITIONAL_SOCIAL,
    )


def publish(world: World, version: FrameworkVersion, notes: str = "Renamed JOBS.1; added JOBS.1.3.") -> None:
    services.version_publish(actor=world.lead, member=world.member(), version=version, notes=notes)


# --- Forking -----------------------------------------------------------------------------------------


def test_fork_copies_every_item_into_a_new_published_framework_and_pins_nothing_else(world):
    agreement = factories.AgreementFactory.create(organisation=world.council, framework_version=world.v1)
    source_before = tree_snapshot(world.v1)
    assert len(source_before) == 4 + 5 + 6  # themes, outcomes, measures of the starter framework

    fork = services.framework_fork(
        actor=world.lead, member=world.member(), source=world.v1, code="northfield-local", title="Northfield framework"
    )

    assert fork.number == 1
    assert fork.status == VersionStatus.PUBLISHED
    assert fork.published_by == world.lead
    assert fork.published_at is not None
    framework = fork.framework
    assert (framework.organisation, framework.code, framework.title) == (
        world.council,
        "northfield-local",
        "Northfield framework",
    )
    assert framework.forked_from == world.v1
    assert tree_snapshot(fork) == source_before
    copied = fork.measures.get(code="JOBS.1.1")
    assert (copied.verification, copied.source_note, copied.value_type, copied.counting_rule) == (
        Verification.THIRD_PARTY,
        "Thrive summary of PPN 06/20",
        ValueType.LOCAL_ECONOMIC,
        "Each full-time equivalent for each year employed.",
    )
    assert copied.outcome.version == fork and copied.outcome.theme.version == fork
    # Nothing else moved: the source, its framework and the agreement pinned to it.
    assert tree_snapshot(world.v1) == source_before
    assert list(world.v1.framework.versions.values_list("number", "status")) == [(1, "published")]
    agreement.refresh_from_db()
    assert agreement.framework_version == world.v1
    assert fork.framework.versions.count() == 1


def test_fork_refuses_a_code_the_organisation_already_uses_and_creates_nothing(world):
    frameworks = Framework.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.framework_fork(actor=world.lead, member=world.member(), source=world.v1, code="starter", title="Copy")
    assert refused.value.field_errors == {"code": "Your organisation already has a framework with the code starter"}
    assert Framework.objects.count() == frameworks
    assert FrameworkVersion.objects.count() == 1


def test_fork_of_an_unshared_framework_of_another_organisation_is_refused(world):
    with pytest.raises(ApplicationError, match="You cannot read that framework version"):
        services.framework_fork(
            actor=world.outsider_lead, member=world.outsider_member(), source=world.v1, code="copy", title="Copy"
        )
    assert not Framework.objects.filter(organisation=world.outsider).exists()


def test_fork_of_a_draft_is_refused(world):
    version = draft(world)
    with pytest.raises(ApplicationError, match="Only a published version can be forked"):
        services.framework_fork(actor=world.lead, member=world.member(), source=version, code="copy", title="Copy")


# --- Drafts ------------------------------------------------------------------------------------------


def test_a_draft_copies_the_latest_published_version(world):
    v2 = draft(world)
    assert (v2.number, v2.status) == (2, VersionStatus.DRAFT)
    assert tree_snapshot(v2) == tree_snapshot(world.v1)
    rename_and_add(world, v2)
    publish(world, v2)

    v3 = draft(world)

    assert v3.number == 3
    assert v3.outcomes.get(code="JOBS.1").title == NEW_OUTCOME
    assert v3.measures.get(code="JOBS.1.3").title == NEW_MEASURE_TITLE
    assert tree_snapshot(v3) == tree_snapshot(v2)
    assert v3.measures.count() == 7


def test_a_second_draft_is_refused_while_one_exists(world):
    draft(world)
    with pytest.raises(ApplicationError, match="Version 2 is already a draft"):
        draft(world)
    assert world.v1.framework.versions.count() == 2


def test_editing_a_published_version_is_refused_and_changes_nothing(world):
    member, v1 = world.member(), world.v1
    outcome, measure, theme = (
        v1.outcomes.get(code="JOBS.1"),
        v1.measures.get(code="JOBS.1.2"),
        v1.themes.get(code="ENV"),
    )
    before, audit_events = tree_snapshot(v1), AuditEvent.objects.count()
    attempts = [
        lambda: services.theme_add(actor=world.lead, member=member, version=v1, code="NEW", title="New"),
        lambda: services.theme_update(actor=world.lead, member=member, theme=theme, title="Greener"),
        lambda: services.theme_remove(actor=world.lead, member=member, theme=theme),
        lambda: services.outcome_add(actor=world.lead, member=member, theme=theme, code="ENV.2", title="Cleaner air"),
        lambda: services.outcome_update(actor=world.lead, member=member, outcome=outcome, title=NEW_OUTCOME),
        lambda: services.outcome_remove(actor=world.lead, member=member, outcome=outcome),
        lambda: services.measure_add(
            actor=world.lead, member=member, outcome=outcome, code="JOBS.1.3", title="X", unit="count"
        ),
        lambda: services.measure_update(actor=world.lead, member=member, measure=measure, title="Y", unit="weeks"),
        lambda: services.measure_remove(actor=world.lead, member=member, measure=measure),
        lambda: services.version_publish(actor=world.lead, member=member, version=v1, notes="Again"),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.message == PUBLISHED_UNCHANGEABLE
    assert tree_snapshot(v1) == before
    assert AuditEvent.objects.count() == audit_events


def test_draft_edits_rename_add_move_and_remove(world):
    v2 = draft(world)
    added = rename_and_add(world, v2)
    assert (added.verification, added.position) == (Verification.LOCAL, 2)
    renamed = v2.outcomes.get(code="JOBS.1")
    # It came verified from a template; reworded, it is now the organisation's own, adapted from the source.
    assert (renamed.title, renamed.verification, renamed.source_note) == (
        NEW_OUTCOME,
        Verification.LOCAL,
        f"Adapted from: {PPN_NOTE}",
    )
    # Moving a measure to another outcome is not a rewording: it keeps its verification.
    moved = services.measure_update(
        actor=world.lead,
        member=world.member(),
        measure=v2.measures.get(code="JOBS.1.1"),
        outcome=v2.outcomes.get(code="JOBS.2"),
        title="Local people employed on the contract",
        unit=UnitKind.FTE,
        description="Full-time equivalent jobs on the contract held by residents of the area.",
        counting_rule="Each full-time equivalent for each year employed.",
        evidence_required="Anonymised staff list with home postcode district and hours.",
        value_type=ValueType.LOCAL_ECONOMIC,
    )
    assert (moved.outcome.code, moved.verification) == ("JOBS.2", Verification.THIRD_PARTY)
    services.outcome_remove(actor=world.lead, member=world.member(), outcome=v2.outcomes.get(code="JOBS.1"))
    assert not v2.outcomes.filter(code="JOBS.1").exists()
    # Its measures went with it; the moved one did not.
    assert sorted(v2.measures.values_list("code", flat=True)) == [
        "COMM.1.1",
        "ECON.1.1",
        "ENV.1.1",
        "JOBS.1.1",
        "JOBS.2.1",
    ]
    services.theme_remove(actor=world.lead, member=world.member(), theme=v2.themes.get(code="ENV"))
    assert sorted(v2.themes.values_list("code", flat=True)) == ["COMM", "ECON", "JOBS"]
    assert not v2.measures.filter(code="ENV.1.1").exists()
    # Version 1 still has everything.
    assert world.v1.measures.count() == 6 and world.v1.outcomes.get(code="JOBS.1").title == OLD_OUTCOME


def test_measure_codes_are_unique_within_a_version_and_units_must_be_known(world):
    v2 = draft(world)
    outcome = v2.outcomes.get(code="JOBS.1")
    with pytest.raises(ApplicationError) as refused:
        services.measure_add(
            actor=world.lead, member=world.member(), outcome=outcome, code="ECON.1.1", title="Again", unit="furlongs"
        )
    assert refused.value.field_errors == {
        "code": "Version 2 already has a measure with the code ECON.1.1",
        "unit": "Choose a unit from the list: number, full-time equivalents, weeks, hours, days, £, tonnes CO2e, %",
    }
    assert v2.measures.count() == 6


def test_publishing_needs_notes_and_at_least_one_measure(world):
    framework = Framework.objects.create(organisation=world.council, code="empty", title="Empty")
    empty = services.version_draft_create(actor=world.lead, member=world.member(), framework=framework)
    assert (empty.number, empty.measures.count()) == (1, 0)
    with pytest.raises(ApplicationError) as no_notes:
        services.version_publish(actor=world.lead, member=world.member(), version=empty, notes="  ")
    assert no_notes.value.field_errors == {"notes": "Say what changed in this version"}
    with pytest.raises(ApplicationError, match="at least one measure"):
        services.version_publish(actor=world.lead, member=world.member(), version=empty, notes="First version")
    empty.refresh_from_db()
    assert (empty.status, empty.published_at) == (VersionStatus.DRAFT, None)


def test_publishing_version_2_leaves_an_agreement_pinned_to_version_1_unchanged(world, client: Client):
    agreement = factories.AgreementFactory.create(
        organisation=world.council, framework_version=world.v1, reference="NBC-2026-014"
    )
    apprentice_weeks = world.v1.measures.get(code="JOBS.1.2")
    commitment = factories.CommitmentFactory.create(
        agreement=agreement, measure=apprentice_weeks, target_quantity=Decimal("104")
    )
    v2 = draft(world)
    rename_and_add(world, v2)
    services.measure_update(
        actor=world.lead,
        member=world.member(),
        measure=v2.measures.get(code="JOBS.1.2"),
        title="Apprenticeship weeks on a recognised standard",
        unit=UnitKind.WEEKS,
    )

    publish(world, v2)

    v2.refresh_from_db()
    assert (v2.number, v2.status, v2.published_by, v2.notes) == (
        2,
        VersionStatus.PUBLISHED,
        world.lead,
        "Renamed JOBS.1; added JOBS.1.3.",
    )
    agreement.refresh_from_db()
    commitment = Commitment.objects.select_related("measure__outcome").get(pk=commitment.pk)
    assert agreement.framework_version == world.v1
    assert commitment.measure.pk == apprentice_weeks.pk
    assert commitment.measure.title == "Apprenticeship weeks completed"
    assert commitment.measure.outcome.title == OLD_OUTCOME
    assert sorted(world.v1.measures.values_list("code", flat=True)) == [
        "COMM.1.1",
        "ECON.1.1",
        "ENV.1.1",
        "JOBS.1.1",
        "JOBS.1.2",
        "JOBS.2.1",
    ]
    assert v2.measures.get(code="JOBS.1.3").title == NEW_MEASURE_TITLE
    # The agreement's page still shows the version-1 measure.
    client.force_login(world.manager)
    page = client.get(reverse("delivery:agreement-detail", kwargs={"org": "northfield", "pk": agreement.pk}))
    text = page.content.decode()
    assert "Starter social value framework, version 1" in text
    assert "Apprenticeship weeks completed" in text
    assert "Apprenticeship weeks on a recognised standard" not in text


# --- Comparing versions ------------------------------------------------------------------------------


def test_diff_lists_a_renamed_outcome_an_added_measure_and_field_changes(world):
    v2 = draft(world)
    rename_and_add(world, v2)
    services.measure_update(
        actor=world.lead,
        member=world.member(),
        measure=v2.measures.get(code="ECON.1.1"),
        title="Spend with local small businesses and social enterprises",
        unit=UnitKind.PERCENT,
        description="Spend in the supply chain with SMEs and VCSE organisations based in the area.",
        evidence_required="Supply-chain invoices with supplier postcodes.",
        value_type=ValueType.LOCAL_ECONOMIC,
        outcome=v2.outcomes.get(code="COMM.1"),
    )
    services.measure_remove(actor=world.lead, member=world.member(), measure=v2.measures.get(code="ENV.1.1"))

    diff = selectors.version_diff(old=world.v1, new=v2)

    assert list(diff.added) == [("measure", "JOBS.1.3")]
    added = diff.added[("measure", "JOBS.1.3")]
    assert (added.title, added.parent, added.values["unit"]) == (NEW_MEASURE_TITLE, "JOBS.1", "fte")
    assert list(diff.removed) == [("measure", "ENV.1.1")]
    assert diff.removed[("measure", "ENV.1.1")].title == "Carbon emissions avoided on the contract"
    assert list(diff.changed) == [("outcome", "JOBS.1"), ("measure", "ECON.1.1")]
    renamed = diff.changed[("outcome", "JOBS.1")]
    assert list(renamed.fields) == ["title"]
    assert (renamed.fields["title"].before, renamed.fields["title"].after) == (OLD_OUTCOME, NEW_OUTCOME)
    changed = diff.changed[("measure", "ECON.1.1")].fields
    assert list(changed) == ["unit", "parent"]
    assert (changed["unit"].before, changed["unit"].after) == ("gbp", "percent")
    assert (changed["unit"].before_display, changed["unit"].after_display) == ("£", "%")
    assert (changed["parent"].before, changed["parent"].after) == ("ECON.1", "COMM.1")
    assert selectors.version_diff(old=world.v1, new=world.v1).is_empty


# --- Sharing -----------------------------------------------------------------------------------------


def test_sharing_makes_the_framework_readable_and_forkable_by_network_members_only(world, client: Client):
    framework = world.v1.framework
    share = services.framework_share(
        actor=world.lead, member=world.member(), framework=framework, network=world.network
    )
    assert (share.network, share.shared_by, share.organisation) == (world.network, world.lead, world.council)

    # The neighbour reads it, marked as shared and read-only.
    client.force_login(world.neighbour_lead)
    listing = client.get(reverse("frameworks:framework-list", kwargs={"org": "southdale"})).content.decode()
    assert "Starter social value framework" in listing
    assert "Shared by Northfield Borough Council (read only)" in listing
    detail = client.get(reverse("frameworks:framework-detail", kwargs={"org": "southdale", "pk": framework.pk}))
    assert detail.status_code == 200
    assert "Create a new draft" not in detail.content.decode()
    assert "Fork this framework" in detail.content.decode()
    version_page = client.get(reverse("frameworks:version-detail", kwargs={"org": "southdale", "pk": world.v1.pk}))
    assert "Local people employed on the contract" in version_page.content.decode()
    assert "Change<span" not in version_page.content.decode()

    # ...cannot edit it: every edit page is a 404 and nothing changes...
    jobs = world.v1.outcomes.get(code="JOBS.1")
    for name, pk in [
        ("draft-create", framework.pk),
        ("framework-share", framework.pk),
        ("version-publish", world.v1.pk),
        ("theme-add", world.v1.pk),
        ("theme-edit", jobs.theme_id),
        ("outcome-edit", jobs.pk),
        ("measure-add", jobs.pk),
        ("measure-edit", world.v1.measures.get(code="JOBS.1.1").pk),
        ("measure-remove", world.v1.measures.get(code="JOBS.1.1").pk),
    ]:
        url = reverse(f"frameworks:{name}", kwargs={"org": "southdale", "pk": pk})
        assert client.post(url, {"title": "Taken over", "notes": "x"}).status_code == 404, name
        if name != "draft-create":
            assert client.get(url).status_code == 404, name
    assert world.v1.outcomes.get(code="JOBS.1").title == OLD_OUTCOME
    with pytest.raises(ApplicationError, match="belongs to another organisation"):
        services.version_draft_create(actor=world.neighbour_lead, member=world.neighbour_member(), framework=framework)

    # ...and can fork it into its own framework.
    response = client.post(
        reverse("frameworks:framework-fork", kwargs={"org": "southdale", "pk": framework.pk}),
        {"version": world.v1.pk, "code": "southdale", "title": "Southdale social value framework"},
    )
    fork = Framework.objects.get(organisation=world.neighbour)
    assert response.status_code == 302
    assert response["Location"] == reverse("frameworks:framework-detail", kwargs={"org": "southdale", "pk": fork.pk})
    assert (fork.code, fork.title, fork.forked_from) == ("southdale", "Southdale social value framework", world.v1)
    assert fork.versions.get().measures.count() == 6

    # The council outside the network sees nothing of it.
    client.force_login(world.outsider_lead)
    listing = client.get(reverse("frameworks:framework-list", kwargs={"org": "eastmoor"})).content.decode()
    assert "Starter social value framework" not in listing
    for name, pk in [
        ("framework-detail", framework.pk),
        ("framework-fork", framework.pk),
        ("version-detail", world.v1.pk),
    ]:
        assert client.get(reverse(f"frameworks:{name}", kwargs={"org": "eastmoor", "pk": pk})).status_code == 404
    with pytest.raises(Http404):
        selectors.framework_get(member=world.outsider_member(), pk=framework.pk)


def test_unsharing_hides_the_framework_but_leaves_forks_alone(world):
    framework = world.v1.framework
    services.framework_share(actor=world.lead, member=world.member(), framework=framework, network=world.network)
    fork = services.framework_fork(
        actor=world.neighbour_lead, member=world.neighbour_member(), source=world.v1, code="mine", title="Mine"
    )
    services.framework_unshare(actor=world.lead, member=world.member(), framework=framework, network=world.network)
    assert not FrameworkShare.objects.exists()
    assert list(selectors.framework_list(member=world.neighbour_member())) == [fork.framework]
    with pytest.raises(Http404):
        selectors.framework_version_get(member=world.neighbour_member(), pk=world.v1.pk)
    assert fork.measures.count() == 6


def test_sharing_is_refused_with_a_network_the_organisation_is_not_in_or_by_a_non_lead(world):
    other_network = factories.NetworkFactory.create()
    with pytest.raises(ApplicationError) as refused:
        services.framework_share(
            actor=world.lead, member=world.member(), framework=world.v1.framework, network=other_network
        )
    assert refused.value.field_errors == {"network": "Choose a network your organisation belongs to"}
    with pytest.raises(PermissionRefused):
        services.framework_share(
            actor=world.manager,
            member=world.member(world.manager),
            framework=world.v1.framework,
            network=world.network,
        )
    assert not FrameworkShare.objects.exists()


def test_drafts_of_another_organisation_are_never_visible(world, client: Client):
    services.framework_share(
        actor=world.lead, member=world.member(), framework=world.v1.framework, network=world.network
    )
    v2 = draft(world)
    rename_and_add(world, v2)
    neighbour = world.neighbour_member()
    assert [v.number for v in selectors.framework_version_list(member=neighbour, framework=world.v1.framework)] == [1]
    assert [
        v.number for v in selectors.framework_version_list(member=world.member(), framework=world.v1.framework)
    ] == [
        2,
        1,
    ]
    with pytest.raises(Http404):
        selectors.framework_version_get(member=neighbour, pk=v2.pk)
    client.force_login(world.neighbour_lead)
    assert client.get(reverse("frameworks:version-detail", kwargs={"org": "southdale", "pk": v2.pk})).status_code == 404
    detail = client.get(
        reverse("frameworks:framework-detail", kwargs={"org": "southdale", "pk": world.v1.framework.pk})
    )
    assert "Version 2" not in detail.content.decode()
    diff = client.get(
        reverse("frameworks:version-diff", kwargs={"org": "southdale", "pk": world.v1.framework.pk}),
        {"old": world.v1.pk, "new": v2.pk},
    )
    assert NEW_MEASURE_TITLE not in diff.content.decode()
    assert "Choose a version of this framework" in diff.content.decode()
    with pytest.raises(ApplicationError):
        services.framework_fork(actor=world.neighbour_lead, member=neighbour, source=v2, code="draft", title="Draft")


def test_only_the_social_value_lead_may_change_frameworks(world, client: Client):
    manager = world.member(world.manager)
    with pytest.raises(PermissionRefused):
        services.version_draft_create(actor=world.manager, member=manager, framework=world.v1.framework)
    v2 = draft(world)
    with pytest.raises(PermissionRefused):
        services.measure_remove(actor=world.manager, member=manager, measure=v2.measures.get(code="ENV.1.1"))
    client.force_login(world.manager)
    page = client.get(reverse("frameworks:version-detail", kwargs={"org": "northfield", "pk": v2.pk}))
    assert page.status_code == 200
    assert "Only your organisation’s social value lead can change or publish it." in page.content.decode()
    assert "Publish version 2" not in page.content.decode()
    measure = v2.measures.get(code="ENV.1.1")
    assert (
        client.get(reverse("frameworks:measure-edit", kwargs={"org": "northfield", "pk": measure.pk})).status_code
        == 404
    )
    assert (
        client.post(reverse("frameworks:measure-remove", kwargs={"org": "northfield", "pk": measure.pk})).status_code
        == 404
    )
    assert v2.measures.filter(code="ENV.1.1").exists()


def test_a_measure_an_agreement_uses_cannot_be_removed(world):
    v2 = draft(world)
    measure = v2.measures.get(code="ENV.1.1")
    agreement = factories.AgreementFactory.create(organisation=world.council, framework_version=v2)
    factories.CommitmentFactory.create(agreement=agreement, measure=measure)
    with pytest.raises(ApplicationError, match="ENV.1.1 cannot be removed: an agreement uses it"):
        services.measure_remove(actor=world.lead, member=world.member(), measure=measure)
    assert v2.measures.filter(code="ENV.1.1").exists()


def test_every_service_writes_an_audit_event(world):
    member, lead = world.member(), world.lead
    framework = world.v1.framework
    start = AuditEvent.objects.count()
    fork = services.framework_fork(actor=lead, member=member, source=world.v1, code="fork", title="Fork")
    v2 = services.version_draft_create(actor=lead, member=member, framework=framework)
    theme = services.theme_add(actor=lead, member=member, version=v2, code="HOMES", title="Good homes")
    services.theme_update(actor=lead, member=member, theme=theme, title="Good, warm homes")
    outcome = services.outcome_add(actor=lead, member=member, theme=theme, code="HOMES.1", title="Warmer homes")
    services.outcome_update(actor=lead, member=member, outcome=outcome, title="Fewer cold homes")
    measure = services.measure_add(
        actor=lead, member=member, outcome=outcome, code="HOMES.1.1", title="Homes insulated", unit="count"
    )
    services.measure_update(actor=lead, member=member, measure=measure, title="Homes retrofitted", unit="count")
    services.measure_remove(actor=lead, member=member, measure=measure)
    services.outcome_remove(actor=lead, member=member, outcome=outcome)
    services.theme_remove(actor=lead, member=member, theme=theme)
    services.version_publish(actor=lead, member=member, version=v2, notes="No change in the end.")
    services.framework_share(actor=lead, member=member, framework=framework, network=world.network)
    services.framework_unshare(actor=lead, member=member, framework=framework, network=world.network)

    events = list(AuditEvent.objects.order_by("id")[start:])
    assert [event.action for event in events] == [
        "framework.forked",
        "framework.draft_created",
        "theme.added",
        "theme.updated",
        "outcome.added",
        "outcome.updated",
        "measure.added",
        "measure.updated",
        "measure.removed",
        "outcome.removed",
        "theme.removed",
        "framework.published",
        "framework.shared",
        "framework.unshared",
    ]
    assert all(event.actor == lead and event.organisation == world.council for event in events)
    assert events[0].trail_id == str(fork.framework.pk)
    assert events[0].after["forked_from"] == "northfield/starter version 1"
    assert (events[3].before["title"], events[3].after["title"]) == ("Good homes", "Good, warm homes")
    assert events[7].before["title"] == "Homes insulated" and events[7].after["title"] == "Homes retrofitted"
    assert events[11].after["notes"] == "No change in the end."
    assert all(event.trail_id == str(framework.pk) for event in events[1:])


# --- Pages -------------------------------------------------------------------------------------------


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"frameworks:{name}", kwargs={"org": "northfield", **kwargs})


@pytest.fixture
def lead_client(client: Client, world: World) -> Client:
    client.force_login(world.lead)
    return client


def test_every_framework_page_answers_the_lead(world, lead_client: Client):
    services.framework_share(
        actor=world.lead, member=world.member(), framework=world.v1.framework, network=world.network
    )
    v2 = draft(world)
    rename_and_add(world, v2)
    framework = world.v1.framework
    theme, outcome = v2.themes.get(code="JOBS"), v2.outcomes.get(code="JOBS.1")
    measure = v2.measures.get(code="JOBS.1.3")
    pages = {
        url("framework-list"): "Your frameworks",
        url("template-list"): "Start from a template",
        url("template-use"): "Start from a template",
        url("framework-detail", pk=framework.pk): "Edit the draft (version 2)",
        url("framework-fork", pk=framework.pk): "Fork Starter social value framework",
        url("framework-share", pk=framework.pk): "Share with a network",
        url("framework-unshare", pk=framework.shares.get().pk): "stop sharing with Northfield Anchor Network",
        url("version-diff", pk=framework.pk): "Changes from version 1 to version 2",
        url("version-detail", pk=world.v1.pk): "Published versions never change.",
        url("version-detail", pk=v2.pk): "This is a draft: you can change anything in it.",
        url("version-publish", pk=v2.pk): "Publish version 2",
        url("theme-add", pk=v2.pk): "Add a theme",
        url("theme-edit", pk=theme.pk): "Change theme JOBS",
        url("theme-remove", pk=theme.pk): "remove theme JOBS",
        url("outcome-add", pk=theme.pk): "Add an outcome",
        url("outcome-edit", pk=outcome.pk): "Change outcome JOBS.1",
        url("outcome-remove", pk=outcome.pk): "remove outcome JOBS.1",
        url("measure-add", pk=outcome.pk): "Add a measure",
        url("measure-edit", pk=measure.pk): "Change measure JOBS.1.3",
        url("measure-remove", pk=measure.pk): "remove measure JOBS.1.3",
    }
    for address, text in pages.items():
        response = lead_client.get(address)
        assert response.status_code == 200, address
        assert text in response.content.decode(), address


def test_version_page_shows_the_tree_with_verification_and_sources(world, lead_client: Client):
    page = lead_client.get(url("version-detail", pk=world.v1.pk)).content.decode()
    assert (
        page.index("Good local jobs and skills")
        < page.index("A stronger local economy")
        < page.index("A cleaner environment")
    )
    assert "Outcome JOBS.1: More local people in good work" in page
    assert "Verified against the source" in page and f"Source: {PPN_NOTE}" in page
    assert "From a third-party summary" in page and "Source: Thrive summary of PPN 06/20" in page
    assert "Unconfirmed" in page
    assert "Each full-time equivalent for each year employed." in page
    assert "Local economic value" in page and "tonnes CO2e" in page
    assert "Published versions never change." in page
    assert "Rename or change" not in page


def test_adding_a_measure_through_the_page(world, lead_client: Client):
    v2 = draft(world)
    outcome = v2.outcomes.get(code="JOBS.1")
    response = lead_client.post(
        url("measure-add", pk=outcome.pk),
        {
            "code": "JOBS.1.3",
            "title": NEW_MEASURE_TITLE,
            "unit": "fte",
            "value_type": "additional_social",
            "counting_rule": "Each FTE for each year.",
            "evidence_required": "",
            "description": "",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("version-detail", pk=v2.pk)
    assert "Measure JOBS.1.3 added." in response.content.decode()
    measure = v2.measures.get(code="JOBS.1.3")
    assert (measure.title, measure.unit, measure.outcome, measure.counting_rule) == (
        NEW_MEASURE_TITLE,
        "fte",
        outcome,
        "Each FTE for each year.",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "JOBS.1.1", "unit": "fte"}, "code", "Version 2 already has a measure with the code JOBS.1.1"),
        ({"code": "JOBS.1.9", "unit": "furlongs"}, "unit", "Choose a unit from the list"),
        ({"code": "JOBS 1 9", "unit": "fte"}, "code", "Code must be 30 characters or fewer, using only letters"),
        ({"code": "JOBS.1.9", "unit": "fte", "title": ""}, "title", "Enter a title"),
    ],
)
def test_bad_measure_input_on_the_page_shows_the_error_and_stores_nothing(world, lead_client, data, field, message):
    v2 = draft(world)
    outcome = v2.outcomes.get(code="JOBS.1")
    response = lead_client.post(
        url("measure-add", pk=outcome.pk),
        {"title": "A measure", "value_type": "additional_social", **data},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert f'<a href="#id_{field}">{message}' in page
    assert v2.measures.count() == 6


def test_renaming_an_outcome_through_the_page_explains_the_template_wording(world, lead_client: Client):
    v2 = draft(world)
    outcome = v2.outcomes.get(code="JOBS.1")
    form_page = lead_client.get(url("outcome-edit", pk=outcome.pk)).content.decode()
    assert "This came from a template: verified against the source" in form_page
    assert "it will be marked “Written by this organisation”" in form_page
    response = lead_client.post(
        url("outcome-edit", pk=outcome.pk),
        {"title": NEW_OUTCOME, "description": "Jobs for residents.", "theme": outcome.theme_id},
    )
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert (outcome.title, outcome.verification) == (NEW_OUTCOME, Verification.LOCAL)


def test_editing_a_published_measure_through_the_page_is_refused(world, lead_client: Client):
    measure = world.v1.measures.get(code="JOBS.1.2")
    page = lead_client.get(url("measure-edit", pk=measure.pk)).content.decode()
    assert PUBLISHED_UNCHANGEABLE in page
    assert "Save the measure" not in page
    response = lead_client.post(
        url("measure-edit", pk=measure.pk), {"title": "Changed", "unit": "weeks", "value_type": "additional_social"}
    )
    assert response.status_code == 200
    assert PUBLISHED_UNCHANGEABLE in response.content.decode()
    measure.refresh_from_db()
    assert measure.title == "Apprenticeship weeks completed"


def test_removing_an_outcome_lists_its_measures_then_removes_them(world, lead_client: Client):
    v2 = draft(world)
    outcome = v2.outcomes.get(code="JOBS.1")
    page = lead_client.get(url("outcome-remove", pk=outcome.pk)).content.decode()
    assert "Everything under it is removed with it" in page
    assert "measure JOBS.1.1 Local people employed on the contract" in page
    assert "measure JOBS.1.2 Apprenticeship weeks completed" in page
    response = lead_client.post(url("outcome-remove", pk=outcome.pk))
    assert response.status_code == 302
    assert not v2.outcomes.filter(code="JOBS.1").exists()
    assert not v2.measures.filter(code__in=["JOBS.1.1", "JOBS.1.2"]).exists()


def test_creating_a_draft_and_publishing_it_through_the_pages(world, lead_client: Client):
    framework = world.v1.framework
    response = lead_client.post(url("draft-create", pk=framework.pk))
    v2 = framework.versions.get(number=2)
    assert response.status_code == 302 and response["Location"] == url("version-detail", pk=v2.pk)
    again = lead_client.post(url("draft-create", pk=framework.pk))
    assert again.status_code == 200
    assert "Version 2 is already a draft. Edit or publish it before starting another." in again.content.decode()

    no_notes = lead_client.post(url("version-publish", pk=v2.pk), {"notes": ""})
    assert '<a href="#id_notes">Say what changed in this version</a>' in no_notes.content.decode()
    v2.refresh_from_db()
    assert v2.status == VersionStatus.DRAFT

    published = lead_client.post(url("version-publish", pk=v2.pk), {"notes": "Same as version 1."}, follow=True)
    assert "Version 2 is published. It will not change from now on." in published.content.decode()
    v2.refresh_from_db()
    assert (v2.status, v2.notes) == (VersionStatus.PUBLISHED, "Same as version 1.")


def test_the_diff_page_compares_two_chosen_versions(world, lead_client: Client):
    v2 = draft(world)
    rename_and_add(world, v2)
    page = lead_client.get(
        url("version-diff", pk=world.v1.framework.pk), {"old": world.v1.pk, "new": v2.pk}
    ).content.decode()
    assert "Changes from version 1 to version 2" in page
    assert NEW_MEASURE_TITLE in page
    assert OLD_OUTCOME in page and NEW_OUTCOME in page
    same = lead_client.get(url("version-diff", pk=world.v1.framework.pk), {"old": v2.pk, "new": v2.pk}).content.decode()
    assert '<a href="#id_new">Choose two different versions</a>' in same


def test_fork_and_share_pages_show_errors(world, lead_client: Client):
    framework = world.v1.framework
    fork = lead_client.post(url("framework-fork", pk=framework.pk), {"code": "starter", "title": "Again"})
    assert (
        '<a href="#id_code">Your organisation already has a framework with the code starter</a>'
        in fork.content.decode()
    )
    share = lead_client.post(url("framework-share", pk=framework.pk), {})
    assert '<a href="#id_network_0">Choose a network</a>' in share.content.decode()
    shared = lead_client.post(url("framework-share", pk=framework.pk), {"network": world.network.pk})
    assert shared.status_code == 302
    assert framework.shares.get().network == world.network
    # Shared with every network it can be: the page says so instead of offering a choice.
    assert (
        "There is no network to share it with"
        in lead_client.get(url("framework-share", pk=framework.pk)).content.decode()
    )
    unshared = lead_client.post(url("framework-unshare", pk=framework.shares.get().pk))
    assert unshared.status_code == 302
    assert not framework.shares.exists()


def test_the_dashboard_links_public_bodies_to_their_frameworks(world, lead_client: Client):
    page = lead_client.get(reverse("delivery:dashboard", kwargs={"org": "northfield"})).content.decode()
    assert f'href="{url("framework-list")}"' in page
    supplier = factories.SupplierFactory.create()
    lead_client.force_login(factories.member_user(supplier, Role.SUPPLIER_CONTACT))
    page = lead_client.get(reverse("delivery:dashboard", kwargs={"org": supplier.slug})).content.decode()
    assert "/frameworks/" not in page


# --- Starting from a template ------------------------------------------------------------------------

TEMPLATE_YAML = """\
code: cwb
title: Community wealth building (test template)
description: The five pillars, cut down for a test.
licence: Open Government Licence v3.0
source: CLES, Community wealth building 2019
themes:
  - code: PROC
    title: Progressive procurement
    verification: verified
    source_note: CLES five pillars
    outcomes:
      - code: PROC.1
        title: More spend with local SMEs and VCSEs
        verification: third_party
        source_note: Preston model summary
        measures:
          - code: PROC.1.1
            title: Share of spend with local suppliers
            unit: percent
            value_type: local_economic
            verification: unconfirmed
            counting_rule: Local spend divided by total contract spend.
"""


@pytest.fixture
def template_dir(tmp_path, monkeypatch):
    from commonweal.frameworks import interchange

    directory = tmp_path / "templates"
    directory.mkdir()
    (directory / "cwb.yaml").write_text(TEMPLATE_YAML, encoding="utf-8")
    monkeypatch.setattr(interchange, "TEMPLATES_DIR", directory)
    return directory


def test_the_template_pages_list_templates_and_start_a_framework_from_one(world, lead_client, template_dir):
    listing = lead_client.get(url("template-list")).content.decode()
    assert "Community wealth building (test template)" in listing
    assert "Open Government Licence v3.0" in listing and "CLES, Community wealth building 2019" in listing
    assert f'href="{url("template-use")}?template=cwb"' in listing
    form = lead_client.get(url("template-use"), {"template": "cwb"}).content.decode()
    assert 'value="cwb" class="govuk-radios__input" id="id_template_0" required checked' in form
    assert 'name="title" value="Community wealth building (test template)"' in form

    audit_events = AuditEvent.objects.count()
    response = lead_client.post(
        url("template-use"), {"template": "cwb", "code": "northfield-cwb", "title": "Northfield community wealth"}
    )
    framework = Framework.objects.get(organisation=world.council, code="northfield-cwb")
    assert response.status_code == 302 and response["Location"] == url("framework-detail", pk=framework.pk)
    assert (framework.title, framework.template, framework.licence) == (
        "Northfield community wealth",
        "cwb",
        "Open Government Licence v3.0",
    )
    version = framework.versions.get()
    assert (version.number, version.status) == (1, VersionStatus.PUBLISHED)
    assert tree_snapshot(version) == [
        ("theme", "PROC", "Progressive procurement", "", "verified", "CLES five pillars"),
        (
            "outcome",
            "PROC.1",
            "More spend with local SMEs and VCSEs",
            "",
            "third_party",
            "Preston model summary",
            0,
            "PROC",
        ),
        (
            "measure",
            "PROC.1.1",
            "Share of spend with local suppliers",
            "",
            "unconfirmed",
            "",
            0,
            "percent",
            "Local spend divided by total contract spend.",
            "",
            "local_economic",
            "PROC.1",
        ),
    ]
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[audit_events:]) == [
        "framework.imported"
    ]
    page = lead_client.get(url("version-detail", pk=version.pk)).content.decode()
    assert "Verified against the source" in page and "From a third-party summary" in page and "Unconfirmed" in page


def test_starting_from_a_template_refuses_a_code_in_use_and_an_unknown_template(world, lead_client, template_dir):
    taken = lead_client.post(url("template-use"), {"template": "cwb", "code": "starter", "title": "Again"})
    assert (
        '<a href="#id_code">Your organisation already has a framework with the code starter</a>'
        in taken.content.decode()
    )
    unknown = lead_client.post(url("template-use"), {"template": "toms", "code": "toms", "title": "TOMs"})
    assert '<a href="#id_template_0">Choose one of the templates listed</a>' in unknown.content.decode()
    with pytest.raises(ApplicationError, match="Choose a template"):
        services.framework_from_template(actor=world.lead, member=world.member(), template="toms", code="t", title="T")
    assert list(Framework.objects.values_list("code", flat=True)) == ["starter"]
    # The starter framework was not given a new version by a clashing code.
    assert world.v1.framework.versions.count() == 1


def test_only_the_lead_can_start_from_a_template(world, client, template_dir):
    client.force_login(world.manager)
    page = client.get(url("template-use")).content.decode()
    assert "Only your organisation’s social value lead can start a framework from a template." in page
    client.post(url("template-use"), {"template": "cwb", "code": "cwb", "title": "CWB"})
    with pytest.raises(PermissionRefused):
        services.framework_from_template(
            actor=world.manager, member=world.member(world.manager), template="cwb", code="cwb", title="CWB"
        )
    assert list(Framework.objects.values_list("code", flat=True)) == ["starter"]


def test_the_framework_list_offers_templates(world, lead_client, template_dir):
    page = lead_client.get(url("framework-list")).content.decode()
    assert "Commonweal ships 1 framework template as data" in page
    assert f'href="{url("template-list")}"' in page


@pytest.mark.django_db(transaction=True)
def test_every_service_writes_an_audit_event_committed(world):
    """Every framework service, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_every_service_writes_an_audit_event(world)
