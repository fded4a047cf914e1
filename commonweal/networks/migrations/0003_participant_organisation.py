"""Programme participants and their stages carry their organisation (the referring partner's) directly, so
every tenant-owned table can be partitioned or distributed by organisation (docs/deploy.md)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def organisations_fill(apps, schema_editor):
    ProgrammePartner = apps.get_model("networks", "ProgrammePartner")
    ProgrammeParticipant = apps.get_model("networks", "ProgrammeParticipant")
    ParticipantStage = apps.get_model("networks", "ParticipantStage")
    ProgrammeParticipant.objects.filter(organisation__isnull=True).update(
        organisation_id=Subquery(
            ProgrammePartner.objects.filter(pk=OuterRef("partner_id")).values("organisation_id")[:1]
        )
    )
    ParticipantStage.objects.filter(organisation__isnull=True).update(
        organisation_id=Subquery(
            ProgrammeParticipant.objects.filter(pk=OuterRef("participant_id")).values("organisation_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("networks", "0002_memberships_from_networks"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="programmeparticipant",
            name="organisation",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenancy.organisation"
            ),
        ),
        migrations.AddField(
            model_name="participantstage",
            name="organisation",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenancy.organisation"
            ),
        ),
        migrations.RunPython(organisations_fill, migrations.RunPython.noop),
    ]
