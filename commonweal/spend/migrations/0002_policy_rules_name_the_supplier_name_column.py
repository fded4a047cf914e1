"""Spend policy rules saved on the policy page named the supplier field `supplier`, a name the dashboard
does not know, so it ignored them: name it `supplier_name`, the payment column the rules test."""

from django.db import migrations


def rename_field(apps, schema_editor, old="supplier", new="supplier_name"):
    SpendPolicy = apps.get_model("spend", "SpendPolicy")
    for policy in SpendPolicy.objects.all():
        rules = policy.not_influenceable_rules or []
        renamed = [
            {**rule, "field": new} if isinstance(rule, dict) and rule.get("field") == old else rule for rule in rules
        ]
        if renamed != rules:
            policy.not_influenceable_rules = renamed
            policy.save(update_fields=["not_influenceable_rules"])


def rename_back(apps, schema_editor):
    rename_field(apps, schema_editor, old="supplier_name", new="supplier")


class Migration(migrations.Migration):
    dependencies = [("spend", "0001_initial")]

    operations = [migrations.RunPython(rename_field, rename_back)]
