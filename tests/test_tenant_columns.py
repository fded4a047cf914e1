"""Every tenant-owned table carries its organisation directly (an `organisation_id` column, not null), so
PostgreSQL can partition or distribute every such table by organisation (docs/deploy.md). A model without
one must be named below with the reason; a new model that forgets the column fails here."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models import F

from commonweal.demo.services import demo_load
from commonweal.networks.models import ParticipantStage, Programme, ProgrammeParticipant, ProgrammePartner

from . import factories

# Not owned by one organisation: the tenants themselves, people, and what belongs to a person.
NOT_TENANT_OWNED = {
    "tenancy.Organisation": "the tenant itself",
    "accounts.User": "a person, who may belong to several organisations (tenancy.Membership carries each)",
    "accounts.ApiToken": "a person's token; what it may reach is decided by their memberships",
    "core.IdempotencyRecord": "a person's retried API request, kept a day; answered only to the same person",
    "notifications.NotificationPreference": "a person's choice of emails, the same for all their organisations",
    "notifications.DigestSend": "when a person's digest was last sent, across all their organisations",
}
# Owned by a network, which is itself an organisation: the tenant column is `network_id`.
TENANT_COLUMN_NAMED = {
    "networks.SharedMetric": "network_id",
    "networks.Programme": "network_id",
    "networks.NetworkReport": "network_id",
}
# The organisation may be empty: events of the system or of no one organisation (a sign-in, a recovery).
ORGANISATION_MAY_BE_EMPTY = {"core.AuditEvent"}
# A row owned through a parent (a foreign key that deletes it with the parent) has the parent's organisation,
# and so does a row whose parent is named by these foreign keys (which protect the parent instead).
OWNED_THROUGH_ALSO = {
    ("delivery.ReturnLine", "commitment"),
    ("delivery.DeliveryReturn", "period"),
    ("delivery.CaseStudy", "commitment"),
    ("delivery.Substitution", "commitment"),
    ("networks.ProgrammeParticipant", "partner"),
    ("reporting.BudgetLine", "year"),
    ("reporting.ImpactReport", "year"),
    ("reporting.ReportVersion", "report"),
    ("reporting.PanelMeeting", "panel"),
    ("reporting.PanelNeed", "meeting"),
}
# Foreign keys that delete the row with its parent but join two organisations' rows on purpose.
ACROSS_ORGANISATIONS = {
    ("brokerage.Introduction", "need"): "the host's record of an introduction to a community group's need",
}


def project_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("commonweal.") and not model._meta.proxy and model._meta.managed
    ]


def tenant_column(model: type[models.Model]) -> models.Field | None:
    wanted = TENANT_COLUMN_NAMED.get(model._meta.label, "organisation_id")
    for field in model._meta.concrete_fields:
        if field.column == wanted:
            return field
    return None


def test_every_tenant_owned_model_carries_its_organisation() -> None:
    missing, nullable, wrong_target = [], [], []
    for model in project_models():
        label = model._meta.label
        if label in NOT_TENANT_OWNED:
            continue
        field = tenant_column(model)
        if field is None:
            missing.append(label)
            continue
        if field.null and label not in ORGANISATION_MAY_BE_EMPTY:
            nullable.append(label)
        if field.related_model is not apps.get_model("tenancy", "Organisation"):
            wrong_target.append(label)
    assert missing == [], f"tenant-owned models without an organisation_id column: {missing}"
    assert nullable == [], f"tenant-owned models whose organisation may be empty: {nullable}"
    assert wrong_target == [], f"organisation columns that do not point at tenancy.Organisation: {wrong_target}"


def test_the_lists_name_only_models_that_exist() -> None:
    labels = {model._meta.label for model in project_models()}
    named = set(NOT_TENANT_OWNED) | set(TENANT_COLUMN_NAMED) | ORGANISATION_MAY_BE_EMPTY
    assert named - labels == set()
    assert len(labels) >= 90  # every app's models were found


@pytest.mark.django_db
def test_a_participant_and_its_stages_take_the_referring_partners_organisation() -> None:
    network = factories.NetworkFactory.create(name="Anchors", slug="anchors")
    member = factories.OrganisationFactory.create(name="Member", slug="member")
    programme = Programme.objects.create(network=network, title="Pathway")
    partner = ProgrammePartner.objects.create(programme=programme, organisation=member, share_percent=Decimal(100))
    participant = ProgrammeParticipant.objects.create(
        programme=programme, partner=partner, digest="d" * 64, referred_on=datetime.date(2026, 1, 5)
    )
    stage = ParticipantStage.objects.create(
        participant=participant, stage="referral", reached_on=datetime.date(2026, 1, 5)
    )
    assert (participant.organisation_id, stage.organisation_id) == (member.pk, member.pk)


def parent_links() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """(model, foreign key) of each tenant-owned row whose parent is tenant-owned too and must agree."""
    links = []
    for model in project_models():
        if tenant_column(model) is None or model._meta.label in TENANT_COLUMN_NAMED:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey) or field.name == "organisation":
                continue
            key = (model._meta.label, field.name)
            parent: Any = field.related_model
            if key in ACROSS_ORGANISATIONS or "organisation_id" not in {f.column for f in parent._meta.concrete_fields}:
                continue
            if field.remote_field.on_delete is models.CASCADE or key in OWNED_THROUGH_ALSO:
                links.append((model, field))
    return links


@pytest.mark.django_db
def test_every_row_of_the_demo_has_its_parents_organisation() -> None:
    """The demo is made through the services: each row owned through a parent carries that parent's
    organisation (filled when the row is made, so it can be trusted as the partition key)."""
    demo_load(spend=False)
    differ, checked = [], 0
    for model, field in parent_links():
        rows = model._default_manager.filter(**{f"{field.name}__isnull": False})
        checked += rows.count()
        if rows.exclude(organisation_id=F(f"{field.name}__organisation_id")).exists():
            differ.append(f"{model._meta.label}.{field.name}")
    assert differ == []
    assert checked > 300  # the demo's agreements, returns, procurements, consultations and programmes
    assert len(parent_links()) > 60
