"""Base models and the append-only audit log."""

from typing import Any

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    """Every kind of write the audit log records, named `<object>.<past tense>`.

    Add a member here for a new kind of write; `audit_record` takes nothing else.
    """

    AGREEMENT_CREATED = "agreement.created"
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    CONSULTATION_CREATED = "consultation.created"
    CONSULTATION_OPENED = "consultation.opened"
    CONSULTATION_OPTION_ADDED = "consultation_option.added"
    CONSULTATION_RESPONSE_RECEIVED = "consultation_response.received"
    CONSULTATION_YOU_SAID_WE_DID_WRITTEN = "consultation.you_said_we_did_written"
    NETWORK_MEMBER_INVITED = "network_membership.invited"
    NETWORK_MEMBER_ANSWERED = "network_membership.answered"
    NETWORK_SHARING_CHANGED = "network_membership.sharing_changed"
    NETWORK_METRIC_CREATED = "shared_metric.created"
    NETWORK_CROSSWALK_ADDED = "metric_crosswalk.added"
    NETWORK_FIGURE_SUBMITTED = "metric_submission.submitted"
    NETWORK_PLEDGE_SET = "pledge.set"
    NETWORK_PROGRAMME_CREATED = "programme.created"
    NETWORK_PARTICIPANT_RECORDED = "programme_participant.recorded"
    NETWORK_REPORT_PUBLISHED = "network_report.published"
    PANEL_CREATED = "panel.created"
    PANEL_MEETING_RECORDED = "panel_meeting.recorded"
    PANEL_NEED_RAISED = "panel_need.raised"
    PANEL_NEED_STATE_CHANGED = "panel_need.state_changed"
    NEED_SAVED = "need.saved"
    NEED_SUBMITTED = "need.submitted"
    NEED_APPROVED = "need.approved"
    NEED_RETURNED = "need.returned"
    NEED_PUBLISHED = "need.published"
    NEED_WITHDRAWN = "need.withdrawn"
    NEED_EXPIRED = "need.expired"
    NEED_STATE_CHANGED = "need.state_changed"
    NEED_INTRODUCED = "need.introduced"
    NEED_ELIGIBILITY_GIVEN = "need_eligibility.given"
    NEED_ELIGIBILITY_CHECKED = "need_eligibility.checked"
    NEED_POLICY_SET = "need_policy.set"
    OFFER_POSTED = "offer.posted"
    OFFER_TAKEN_UP = "offer.taken_up"
    PLEDGE_MADE = "pledge.made"
    PLEDGE_DELIVERED = "pledge.delivered"
    PLEDGE_CONFIRMED = "pledge.confirmed"
    PLEDGE_CLAIMED = "pledge.claimed"
    PLEDGE_WITHDRAWN = "pledge.withdrawn"
    NEED_DIGEST_SENT = "need_digest.sent"
    GRANT_IMPORTED = "grant.imported"
    GRANT_UPDATED_FROM_360GIVING = "grant.updated_from_360giving"
    AGREEMENT_UPDATED = "agreement.updated"
    ASSESSMENT_CONFIRMED = "assessment.confirmed"
    ASSESSMENT_OVERRIDDEN = "assessment.overridden"
    AWARD_IMPORTED_FROM_OCDS = "award.imported_from_ocds"
    BID_ATTACHMENT_OPENED = "bid.attachment_opened"
    BID_FLAG_DECIDED = "bid.flag_decided"
    BID_FLAGGED = "bid.flagged"
    BID_MODERATED = "bid.moderated"
    BID_MODERATION_REVISED = "bid.moderation_revised"
    BID_OPENED = "bid.opened"
    BID_REOPENED = "bid.reopened"
    BID_SAVED = "bid.saved"
    BID_SCORED = "bid.scored"
    BID_STARTED = "bid.started"
    BID_SUBMITTED = "bid.submitted"
    BUDGET_LINE_CREATED = "budget_line.created"
    BUDGET_LINE_REMOVED = "budget_line.removed"
    BUDGET_LINE_UPDATED = "budget_line.updated"
    BUDGET_LINES_IMPORTED = "budget_line.imported"
    CLARIFICATION_ANSWERED = "clarification.answered"
    CLARIFICATION_ASKED = "clarification.asked"
    COMMITMENT_CREATED = "commitment.created"
    COMMITMENT_IMPORTED = "commitment.imported"
    COMMITMENT_REMOVED = "commitment.removed"
    COMMITMENT_UPDATED = "commitment.updated"
    CRITERION_ADDED = "criterion.added"
    CRITERION_REMOVED = "criterion.removed"
    CRITERION_UPDATED = "criterion.updated"
    DEFLATOR_POINTS_SET = "deflator_points.set"
    DEFLATOR_SERIES_CREATED = "deflator_series.created"
    DEPARTMENT_CREATED = "department.created"
    DEPARTMENT_REMOVED = "department.removed"
    DEPARTMENT_UPDATED = "department.updated"
    FINANCIAL_YEAR_CLOSED = "financial_year.closed"
    FINANCIAL_YEAR_CREATED = "financial_year.created"
    FINANCIAL_YEAR_VALUE_SET_CHANGED = "financial_year.value_set_changed"
    FOCUS_AREA_CREATED = "focus_area.created"
    FOCUS_AREA_REMOVED = "focus_area.removed"
    FRAMEWORK_DRAFT_CREATED = "framework.draft_created"
    FRAMEWORK_FORKED = "framework.forked"
    FRAMEWORK_IMPORTED = "framework.imported"
    FRAMEWORK_PUBLISHED = "framework.published"
    FRAMEWORK_SHARED = "framework.shared"
    FRAMEWORK_UNSHARED = "framework.unshared"
    FRAMEWORK_UPDATED = "framework.updated"
    HUB_PUBLISHED = "hub.published"
    HUB_WITHDRAWN = "hub.withdrawn"
    IMPACT_ADDED = "impact.added"
    IMPACT_REMOVED = "impact.removed"
    IMPACT_UPDATED = "impact.updated"
    IMPACT_REPORT_CASE_STUDIES_CHOSEN = "impact_report.case_studies_chosen"
    IMPACT_REPORT_CREATED = "impact_report.created"
    IMPACT_REPORT_PUBLISHED = "impact_report.published"
    IMPACT_REPORT_RETURNED_TO_DRAFT = "impact_report.returned_to_draft"
    IMPACT_REPORT_SIGNED_OFF = "impact_report.signed_off"
    IMPACT_REPORT_SUBMITTED = "impact_report.submitted"
    IMPACT_REPORT_UPDATED = "impact_report.updated"
    LIVING_WAGE_LIST_LOADED = "living_wage_list.loaded"
    LM3_RESPONSE_ADDED = "lm3_response.added"
    LM3_RESPONSE_REMOVED = "lm3_response.removed"
    LM3_SURVEY_CREATED = "lm3_survey.created"
    LM3_SURVEY_RESPONSES_UPLOADED = "lm3_survey.responses_uploaded"
    LOT_ADDED = "lot.added"
    LOT_REMOVED = "lot.removed"
    LOT_UPDATED = "lot.updated"
    MEASURE_ADDED = "measure.added"
    MEASURE_REMOVED = "measure.removed"
    MEASURE_UPDATED = "measure.updated"
    MEMBERSHIP_GRANTED = "membership.granted"
    MEMBERSHIP_REVOKED = "membership.revoked"
    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_FLAGS_IMPORTED_FROM_OCDS = "organisation.flags_imported_from_ocds"
    ORGANISATION_IMPORTED_FROM_OCDS = "organisation.imported_from_ocds"
    ORGANISATION_IMPORTED_FROM_360GIVING = "organisation.imported_from_360giving"
    ORGANISATION_REGISTERED = "organisation.registered"
    NOTIFICATION_DIGEST_SENT = "notification.digest_sent"
    NOTIFICATION_PREFERENCES_CHANGED = "notification_preferences.changed"
    NOTIFICATION_READ = "notification.read"
    NOTIFICATION_SENT = "notification.sent"
    OUTCOME_ADDED = "outcome.added"
    OUTCOME_REMOVED = "outcome.removed"
    OUTCOME_UPDATED = "outcome.updated"
    OUTCOME_PRIORITIES_SET = "outcome_priorities.set"
    PLAN_PUBLISHED = "plan.published"
    PLAN_UNPUBLISHED = "plan.unpublished"
    PRIORITY_GROUP_CREATED = "priority_group.created"
    PRIORITY_GROUP_REMOVED = "priority_group.removed"
    PROCUREMENT_ASK_ADJUSTED = "procurement.ask_adjusted"
    PROCUREMENT_AWARD_MADE = "procurement.award_made"
    PROCUREMENT_AWARDED = "procurement.awarded"
    PROCUREMENT_CANCELLED = "procurement.cancelled"
    PROCUREMENT_CONFLICT_DECLARED = "procurement.conflict_declared"
    PROCUREMENT_CREATED = "procurement.created"
    PROCUREMENT_EVALUATORS_CHANGED = "procurement.evaluators_changed"
    PROCUREMENT_IMPORTED_FROM_OCDS = "procurement.imported_from_ocds"
    PROCUREMENT_UPDATED_FROM_OCDS = "procurement.updated_from_ocds"
    PROCUREMENT_PUBLISHED = "procurement.published"
    PROCUREMENT_UPDATED = "procurement.updated"
    PROPORTIONALITY_BAND_UPDATED = "proportionality_band.updated"
    PROPORTIONALITY_POLICY_DEFAULT_LOADED = "proportionality_policy.default_loaded"
    RECOVERY_CODES_CREATED = "recovery_codes.created"
    PUBLIC_PAGE_CREATED = "public_page.created"
    PUBLIC_PAGE_REMOVED = "public_page.removed"
    PUBLIC_PAGE_UPDATED = "public_page.updated"
    RETURN_DRAFT_SAVED = "return.draft_saved"
    RETURN_SUBMITTED = "return.submitted"
    RETURN_REMINDER_SENT = "return.reminder_sent"
    RETURN_ESCALATION_SENT = "return.escalation_sent"
    RETURN_LINE_VERIFIED = "return_line.verified"
    RETURN_LINE_REJECTED = "return_line.rejected"
    RETURN_LINE_QUERIED = "return_line.queried"
    RETURN_LINE_ANSWERED = "return_line.answered"
    REPORT_SECTION_ADDED = "report_section.added"
    REPORT_SECTION_MOVED = "report_section.moved"
    REPORT_SECTION_REMOVED = "report_section.removed"
    REPORT_SECTION_UPDATED = "report_section.updated"
    SCALE_CREATED = "scale.created"
    SPEND_IMPORT_CANCELLED = "spend_import.cancelled"
    SPEND_IMPORT_FAILED = "spend_import.failed"
    SPEND_IMPORT_IMPORTED = "spend_import.imported"
    SPEND_IMPORT_MAPPING_CONFIRMED = "spend_import.mapping_confirmed"
    SPEND_IMPORT_REQUEUED = "spend_import.requeued"
    SPEND_IMPORT_UPLOADED = "spend_import.uploaded"
    SPEND_POLICY_UPDATED = "spend_policy.updated"
    SPEND_SUPPLIERS_CLASSIFIED = "spend_suppliers.classified"
    SPEND_SUPPLIERS_FLAGS_IMPORTED = "spend_suppliers.flags_imported"
    SPEND_SUPPLIERS_SHEET_LOADED = "spend_suppliers.sheet_loaded"
    STORY_CREATED = "story.created"
    STORY_TAKEN_DOWN = "story.taken_down"
    SUBSTITUTION_PROPOSED = "substitution.proposed"
    SUBSTITUTION_APPROVED = "substitution.approved"
    SUBSTITUTION_REFUSED = "substitution.refused"
    SUPPLIER_LABEL_CHANGED = "supplier_label.changed"
    SUPPLIER_LABEL_OVERRIDDEN = "supplier_label.overridden"
    SUPPLIER_LABEL_OVERRIDE_REMOVED = "supplier_label.override_removed"
    SUPPLIER_LABEL_REMOVED = "supplier_label.removed"
    THEME_ADDED = "theme.added"
    THEME_REMOVED = "theme.removed"
    THEME_UPDATED = "theme.updated"
    TWO_FACTOR_SET_UP = "two_factor.set_up"
    USER_REGISTERED = "user.registered"
    VALUE_SET_CREATED = "value_set.created"
    VALUE_SET_IMPORTED = "value_set.imported"
    VALUE_SET_UPDATED = "value_set.updated"
    VALUE_SET_ENTRY_REMOVED = "value_set_entry.removed"
    VALUE_SET_ENTRY_SET = "value_set_entry.set"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")

    def for_trail(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(trail_type=obj._meta.label_lower, trail_id=str(obj.pk))


class AuditEvent(models.Model):
    """One write: who did what to which object, when, with the values before and after.

    `trail` names the object whose page shows the event (an agreement for its returns, say).
    """

    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="audit_events", null=True
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_label = models.CharField(max_length=255, help_text="Who acted, kept even if the user is renamed.")
    action = models.CharField(max_length=100, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=255)
    trail_type = models.CharField(max_length=100)
    trail_id = models.CharField(max_length=64)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trail_type", "trail_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")

    @property
    def action_label(self) -> str:
        """The action in words: "agreement.created" → "Agreement created"."""
        try:
            label = str(AuditAction(self.action).label)
        except ValueError:
            label = self.action.replace(".", " ").replace("_", " ")
        return label[:1].upper() + label[1:].lower()

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field in words, before, after) for each field that changed; before is None for a new object. A
        field empty before and after (blank, or missing) is no change."""
        keys = sorted(set(self.before) | set(self.after))
        rows = []
        for key in keys:
            if key in self.before and self.before[key] == self.after.get(key):
                continue
            before, after = _readable(self.before.get(key)), _readable(self.after.get(key))
            if before is None and after is None:
                continue
            rows.append((_field_label(key), before, after))
        return rows


def _field_label(key: str) -> str:
    """A stored field name in words: "target_quantity" → "Target quantity"."""
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _readable(value: Any) -> Any:
    """A stored value as people read it: {"JOBS.1": "4"} → "JOBS.1: 4", ["a", "b"] → "a, b"; blank → None."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_readable(item)}" for key, item in value.items()) or None
    if isinstance(value, list):
        return ", ".join(str(_readable(item)) for item in value) or None
    return None if value == "" else value


class IdempotencyRecord(models.Model):
    """A creating API call sent with an `Idempotency-Key` header, and the answer it got, so the same call
    sent again answers the same without creating twice (`commonweal/core/idempotency.py`).

    The unique key per person is what makes two calls racing with one key safe: only one inserts the row
    and runs; the other finds the row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    request_digest = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, help_text="Empty while the call is running.")
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=2000, blank=True)
    body = models.BinaryField(default=bytes)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
