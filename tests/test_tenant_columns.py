"""Every tenant-owned table carries its organisation directly (an `organisation_id` column, not null), so
PostgreSQL can partition or distribute every such table by organisation (docs/deploy.md). A model without
one must be named below with the reason; a new model that forgets the column fails here."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from commonweal.networks.models import ParticipantStage, Programme, ProgrammeParticipant, ProgrammePartner

from . import factories

# Not owned by one organisation: the tenants themselves, people, and what belongs to a person.
NOT_TENANT_OWNED = {
    "tenancy.Organisation": "the tenant itself",
    "accounts.User": "a person, who may belong to several organisations (tenancy.Membership carries each)",
    "accounts.ApiToken": "a person's token; what it may reach is decided by their memberships",
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
