"""An agreement's department becomes a row of its own (tenancy.Department) instead of free text: each
organisation gets one department per distinct name its agreements used, and they point to it."""

import django.db.models.deletion
from django.db import migrations, models


def departments_make(apps, schema_editor):
    Agreement = apps.get_model("delivery", "Agreement")
    Department = apps.get_model("tenancy", "Department")
    for agreement in Agreement.objects.exclude(department_name="").iterator():
        name = " ".join(agreement.department_name.split())
        if not name:
            continue
        department, _ = Department.objects.get_or_create(organisation_id=agreement.organisation_id, name=name)
        agreement.department = department
        agreement.save(update_fields=["department"])


def departments_unmake(apps, schema_editor):
    Agreement = apps.get_model("delivery", "Agreement")
    for agreement in Agreement.objects.exclude(department=None).select_related("department").iterator():
        agreement.department_name = agreement.department.name
        agreement.save(update_fields=["department_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0003_reporting_periods_for_every_agreement"),
        ("tenancy", "0003_departments"),
    ]

    operations = [
        migrations.RenameField(model_name="agreement", old_name="department", new_name="department_name"),
        migrations.AddField(
            model_name="agreement",
            name="department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="agreements",
                to="tenancy.department",
            ),
        ),
        migrations.RunPython(departments_make, departments_unmake),
        migrations.RemoveField(model_name="agreement", name="department_name"),
    ]
