"""Organisations already in a network (Organisation.networks) become its active members, sharing nothing
until their social value lead chooses."""

from typing import Any

from django.db import migrations
from django.utils import timezone


def forwards(apps: Any, schema_editor: Any) -> None:
    Organisation = apps.get_model("tenancy", "Organisation")
    NetworkMembership = apps.get_model("networks", "NetworkMembership")
    now = timezone.now()
    for organisation in Organisation.objects.exclude(networks=None):
        for network in organisation.networks.all():
            NetworkMembership.objects.get_or_create(
                network=network,
                organisation=organisation,
                defaults={"state": "active", "sharing": "none", "invited_at": now, "answered_at": now},
            )


class Migration(migrations.Migration):
    dependencies = [("networks", "0001_initial"), ("tenancy", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
