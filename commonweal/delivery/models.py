"""Agreements between a public body and a supplier, the commitments in them, and delivery returns."""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum

from commonweal.core.models import TimeStampedModel


class AgreementKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    CALL_OFF = "call_off", "Call-off under a framework"
    GRANT = "grant", "Grant"
    PLANNING_OBLIGATION = "planning_obligation", "Planning obligation (section 106)"
    ASSET_TRANSFER = "asset_transfer", "Asset transfer or lease"
    EMPLOYMENT_PROGRAMME = "employment_programme", "Employment programme"


# Kinds whose targets can be pro-rated to the spend actually called off.
PRO_RATA_KINDS = {AgreementKind.CALL_OFF}


class ReturnFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every 6 months"
    ANNUAL = "annual", "Annually"


class Agreement(TimeStampedModel):
    """A contract (or other agreement) in which a supplier commits to deliver social value.

    `organisation` is the public body that owns it; the supplier (or grant recipient) sees it as a party.
    """

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="agreements")
    supplier = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="supplied_agreements")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    value = models.DecimalField(max_digits=14, decimal_places=2, help_text="Contract value in pounds.")
    start_date = models.DateField()
    end_date = models.DateField()
    framework_version = models.ForeignKey("frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="+")
    contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=AgreementKind.choices, default=AgreementKind.CONTRACT)
    department = models.ForeignKey(
        "tenancy.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    return_frequency = models.CharField(
        max_length=20, choices=ReturnFrequency.choices, default=ReturnFrequency.QUARTERLY
    )
    return_due_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after a period ends by which its return is due."
    )
    escalation_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days overdue after which a missing return is escalated to the contract manager."
    )
    called_off_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="For call-off and term contracts: the spend actually called off so far, in pounds.",
    )
    value_set = models.ForeignKey(
        "frameworks.ValueSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The value set that turns quantities into money equivalents.",
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="agreement_reference_unique"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="agreement_dates_order"),
            models.CheckConstraint(condition=Q(value__gte=0), name="agreement_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Grant(TimeStampedModel):
    """The 360Giving side of an agreement of kind grant: what the grant data says beyond the agreement's
    own fields (recipient = supplier, amount = value, planned dates = start and end dates)."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="grant")
    identifier = models.CharField(
        max_length=200, help_text="The 360Giving grant identifier, e.g. 360G-traffordmbc-VSG1342."
    )
    description = models.TextField(blank=True)
    award_date = models.DateField()
    duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    programme_code = models.CharField(max_length=100, blank=True)
    programme_title = models.CharField(max_length=300, blank=True)
    location_codes = models.JSONField(default=list, blank=True, help_text="ONS GSS codes of the beneficiary locations.")
    recipient_identifier = models.CharField(max_length=200, blank=True, help_text="As published (org-id.guide).")
    funder_identifier = models.CharField(max_length=200, blank=True)
    funder_name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["award_date", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "identifier"], name="grant_identifier_unique"),
        ]

    def __str__(self) -> str:
        return self.identifier


class ReportingPeriod(TimeStampedModel):
    """One period the supplier reports on ("Q1 2026-27"), with the date its return is due."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(max_length=60)
    start_date = models.DateField()
    end_date = models.DateField()
    return_due_date = models.DateField()

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "start_date"], name="period_start_unique"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="period_dates_order"),
        ]

    def __str__(self) -> str:
        return self.label


class CommitmentSource(models.TextChoices):
    PAGE = "page", "Entered on a page"
    AWARD = "award", "From the tender award"
    IMPORT = "import", "Imported from a file"
    SUBSTITUTION = "substitution", "Agreed substitution"


class CommitmentState(models.TextChoices):
    ACTIVE = "active", "Active"
    SUBSTITUTED = "substituted", "Replaced by a substitution"


class Commitment(TimeStampedModel):
    """A quantity of a measure the supplier promised, by a date, where and for whom.

    The schedule is linear from the agreement's start to `due_date` unless milestones say otherwise.
    """

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    measure = models.ForeignKey("frameworks.Measure", on_delete=models.PROTECT, related_name="+")
    target_quantity = models.DecimalField(max_digits=14, decimal_places=2)
    due_date = models.DateField()
    place_code = models.CharField(max_length=9, blank=True, help_text="ONS GSS code of the place, e.g. E08000009.")
    beneficiary_group = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=20, choices=CommitmentSource.choices, default=CommitmentSource.PAGE)
    state = models.CharField(max_length=20, choices=CommitmentState.choices, default=CommitmentState.ACTIVE)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_quantity__gt=0), name="commitment_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.title} — {self.target_quantity} by {self.due_date:%d %B %Y}"


class CommitmentMilestone(models.Model):
    """A point on a commitment's schedule: by `due_date`, `cumulative_quantity` should have been delivered."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones")
    due_date = models.DateField()
    cumulative_quantity = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["due_date"]
        constraints = [models.UniqueConstraint(fields=["commitment", "due_date"], name="milestone_date_unique")]

    def __str__(self) -> str:
        return f"{self.cumulative_quantity} by {self.due_date:%d %B %Y}"


class ReturnState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class DeliveryReturn(TimeStampedModel):
    """What a supplier reports it delivered in a period, with a narrative and evidence.

    A draft can be edited; a submitted return is locked, and its lines are reviewed one by one.
    """

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="returns")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="returns")
    state = models.CharField(max_length=20, choices=ReturnState.choices, default=ReturnState.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One return per period; corrections happen line by line (query, answer, resubmit).
            models.UniqueConstraint(fields=["agreement", "period"], name="return_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"Return {self.pk} on {self.agreement.reference}"


QUANTITY_PLACES = Decimal("0.01")


class LineStatus(models.TextChoices):
    PENDING = "pending", "Awaiting verification"
    QUERIED = "queried", "Queried"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class ReturnLineQuerySet(models.QuerySet["ReturnLine"]):
    def claimed(self) -> "ReturnLineQuerySet":
        """Lines still claimed on submitted returns: a rejected line or a draft is not a claim."""
        return self.exclude(status=LineStatus.REJECTED).filter(delivery_return__state=ReturnState.SUBMITTED)

    def evidenced(self) -> "ReturnLineQuerySet":
        """Claimed lines with at least one evidence file attached (verified lines included)."""
        return self.claimed().filter(evidence__isnull=False).distinct()

    def verified(self) -> "ReturnLineQuerySet":
        return self.filter(status=LineStatus.VERIFIED)

    def total_quantity(self) -> Decimal:
        """The sum to 2 places, as stored: SQLite sums decimals as floats, so the sum is re-quantised."""
        total = self.aggregate(total=Sum("quantity"))["total"] or Decimal("0")
        return total.quantize(QUANTITY_PLACES)


class ReturnLine(TimeStampedModel):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    delivery_return = models.ForeignKey(DeliveryReturn, on_delete=models.CASCADE, related_name="lines")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="lines")
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=20, choices=LineStatus.choices, default=LineStatus.PENDING)
    reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="What the supplier says about this line.")
    # References that make a claim countable once: the same evidence or beneficiary cannot be claimed twice.
    evidence_reference = models.CharField(max_length=100, blank=True)
    beneficiary_reference = models.CharField(max_length=100, blank=True)
    evidence: "models.ManyToManyField[Evidence, models.Model]" = models.ManyToManyField(
        "Evidence", blank=True, related_name="lines"
    )

    objects = ReturnLineQuerySet.as_manager()

    class Meta:
        ordering = ["commitment__due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="return_line_quantity_not_negative"),
            models.UniqueConstraint(fields=["delivery_return", "commitment"], name="return_line_one_per_commitment"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} against {self.commitment.measure.title}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    """Stored under a generated name, so an uploaded name can never choose the path."""
    return f"evidence/{instance.organisation_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Evidence(TimeStampedModel):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    delivery_return = models.ForeignKey(DeliveryReturn, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name


class LineEventKind(models.TextChoices):
    VERIFY = "verify", "Verified"
    REJECT = "reject", "Rejected"
    QUERY = "query", "Queried"
    ANSWER = "answer", "Answered and resubmitted"


class ReturnLineEvent(models.Model):
    """The conversation on one line: the manager's decisions and queries, the supplier's answers."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(ReturnLine, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=LineEventKind.choices)
    text = models.TextField()
    quantity_before = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    quantity_after = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:50]}"


class CaseStudy(TimeStampedModel):
    """A story of what the delivery meant to someone, kept only with their consent recorded."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    delivery_return = models.ForeignKey(DeliveryReturn, on_delete=models.CASCADE, related_name="case_studies")
    commitment = models.ForeignKey(Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200)
    story = models.TextField()
    consent_given_by = models.CharField(
        max_length=200, help_text="Who gave consent to publish, e.g. 'the participant'."
    )
    consent_date = models.DateField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return self.title


class SubstitutionState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class Substitution(TimeStampedModel):
    """The supplier proposes replacing a commitment with another of equal net value, or a pledge to a need."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="substitutions")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="substitutions")
    proposed_measure = models.ForeignKey(
        "frameworks.Measure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_quantity = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    pledge = models.TextField(blank=True, help_text="A pledge to a community need, instead of a measure.")
    need = models.ForeignKey(
        "brokerage.Need",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutions",
        help_text="A need on a wish list the replacement meets.",
    )
    reason = models.TextField()
    # Net £ of what is given up (the undelivered part) and of what is offered, from the agreement's value set.
    original_net_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    proposed_net_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    state = models.CharField(max_length=20, choices=SubstitutionState.choices, default=SubstitutionState.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    replacement = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Substitution for {self.commitment}"


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", "Reminder to the supplier"
    ESCALATION = "escalation", "Escalation to the contract manager"


class ReturnReminder(models.Model):
    """A chase for a missing return, kept so each reminder goes out once."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_to = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "kind"], name="reminder_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.period}"


class PerformanceRating(models.TextChoices):
    """The contract performance ratings of the Procurement Act 2023 (section 71 KPI assessments)."""

    GOOD = "good", "Good"
    APPROACHING = "approaching_target", "Approaching target"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    OTHER = "other", "Other"


class PerformanceAssessment(TimeStampedModel):
    """A rating for an agreement as at a date: proposed from the KPIs, confirmed or overridden by an officer."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="assessments")
    as_at = models.DateField()
    proposed = models.CharField(max_length=30, choices=PerformanceRating.choices)
    proposal_reasons = models.JSONField(default=list)
    rating = models.CharField(max_length=30, choices=PerformanceRating.choices)
    reason = models.TextField(blank=True, help_text="Required when the rating differs from the proposal.")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-as_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} at {self.as_at:%d %B %Y}"
