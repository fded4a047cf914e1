"""The organisation of programme participants and their stages, filled by 0003, is required from now on (a
migration of its own: PostgreSQL does not alter a table in the transaction that updated its rows)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("networks", "0003_participant_organisation")]

    operations = [
        migrations.AlterField(
            model_name="programmeparticipant",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenancy.organisation"
            ),
        ),
        migrations.AlterField(
            model_name="participantstage",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenancy.organisation"
            ),
        ),
        migrations.AddIndex(
            model_name="programmeparticipant",
            index=models.Index(fields=["organisation", "programme"], name="participant_org_programme"),
        ),
    ]
