"""Reporting periods for every agreement that has none yet.

Periods are now made when an agreement is created or changed, and pages only read them (a GET writes
nothing). An agreement from before then that never had a return page opened has none: make them here,
by the same rule (`periods.period_plan`).
"""

from django.db import migrations

from commonweal.delivery.periods import period_plan


def periods_make(apps, schema_editor):
    Agreement = apps.get_model("delivery", "Agreement")
    ReportingPeriod = apps.get_model("delivery", "ReportingPeriod")
    for agreement in Agreement.objects.filter(periods__isnull=True).order_by("pk").iterator():
        ReportingPeriod.objects.bulk_create(
            ReportingPeriod(
                organisation_id=agreement.organisation_id,
                agreement=agreement,
                label=plan.label,
                start_date=plan.start_date,
                end_date=plan.end_date,
                return_due_date=plan.return_due_date,
            )
            for plan in period_plan(agreement)
        )


class Migration(migrations.Migration):
    dependencies = [("delivery", "0002_delivery_cycle")]

    operations = [migrations.RunPython(periods_make, migrations.RunPython.noop)]
