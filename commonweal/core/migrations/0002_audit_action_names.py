"""Audit action names in one tense (`<object>.<past tense>`), and kept to the `AuditAction` choices."""

from django.db import migrations, models

import commonweal.core.models

RENAMED = {
    "agreement.create": "agreement.created",
    "agreement.update": "agreement.updated",
    "assessment.confirm": "assessment.confirmed",
    "assessment.override": "assessment.overridden",
    "award.import_ocds": "award.imported_from_ocds",
    "bid.reopen": "bid.reopened",
    "bid.save": "bid.saved",
    "bid.start": "bid.started",
    "bid.submit": "bid.submitted",
    "clarification.answer": "clarification.answered",
    "clarification.ask": "clarification.asked",
    "commitment.create": "commitment.created",
    "commitment.import": "commitment.imported",
    "commitment.remove": "commitment.removed",
    "commitment.update": "commitment.updated",
    "deflator_series.create": "deflator_series.created",
    "focus_area.create": "focus_area.created",
    "focus_area.remove": "focus_area.removed",
    "framework.draft_create": "framework.draft_created",
    "framework.fork": "framework.forked",
    "framework.import": "framework.imported",
    "framework.publish": "framework.published",
    "framework.share": "framework.shared",
    "framework.unshare": "framework.unshared",
    "framework.update": "framework.updated",
    "living_wage_list.load": "living_wage_list.loaded",
    "lm3_response.add": "lm3_response.added",
    "lm3_response.remove": "lm3_response.removed",
    "lm3_survey.create": "lm3_survey.created",
    "lm3_survey.responses_upload": "lm3_survey.responses_uploaded",
    "measure.add": "measure.added",
    "measure.remove": "measure.removed",
    "measure.update": "measure.updated",
    "membership.grant": "membership.granted",
    "organisation.create": "organisation.created",
    "organisation.flags_import_ocds": "organisation.flags_imported_from_ocds",
    "organisation.import_ocds": "organisation.imported_from_ocds",
    "organisation.register": "organisation.registered",
    "outcome.add": "outcome.added",
    "outcome.remove": "outcome.removed",
    "outcome.update": "outcome.updated",
    "plan.publish": "plan.published",
    "plan.unpublish": "plan.unpublished",
    "priority_group.create": "priority_group.created",
    "priority_group.remove": "priority_group.removed",
    "procurement.award": "procurement.award_made",
    "procurement.import_ocds": "procurement.imported_from_ocds",
    "procurement.import_ocds_update": "procurement.updated_from_ocds",
    "proportionality_band.update": "proportionality_band.updated",
    "proportionality_policy.load_default": "proportionality_policy.default_loaded",
    "return.save_draft": "return.draft_saved",
    "return.submit": "return.submitted",
    "return.reminder": "return.reminder_sent",
    "return.escalation": "return.escalation_sent",
    "return_line.verify": "return_line.verified",
    "return_line.reject": "return_line.rejected",
    "return_line.query": "return_line.queried",
    "return_line.answer": "return_line.answered",
    "spend_import.fail": "spend_import.failed",
    "spend_import.import": "spend_import.imported",
    "spend_import.mapping_confirm": "spend_import.mapping_confirmed",
    "spend_import.upload": "spend_import.uploaded",
    "spend_policy.update": "spend_policy.updated",
    "spend_suppliers.classify": "spend_suppliers.classified",
    "spend_suppliers.flags": "spend_suppliers.flags_imported",
    "substitution.propose": "substitution.proposed",
    "substitution.approve": "substitution.approved",
    "substitution.refuse": "substitution.refused",
    "supplier_label.change": "supplier_label.changed",
    "supplier_label.override": "supplier_label.overridden",
    "supplier_label.override_remove": "supplier_label.override_removed",
    "supplier_label.remove": "supplier_label.removed",
    "theme.add": "theme.added",
    "theme.remove": "theme.removed",
    "theme.update": "theme.updated",
    "user.register": "user.registered",
    "value_set.create": "value_set.created",
    "value_set.import": "value_set.imported",
    "value_set.update": "value_set.updated",
    "value_set_entry.remove": "value_set_entry.removed",
}


def rename(apps, schema_editor, mapping=RENAMED):
    AuditEvent = apps.get_model("core", "AuditEvent")
    for old, new in mapping.items():
        AuditEvent.objects.filter(action=old).update(action=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=commonweal.core.models.AuditAction.choices, max_length=100),
        ),
        migrations.RunPython(rename, rename_back),
    ]
