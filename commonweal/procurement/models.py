"""Procurements from plan to award.

A procurement has lots, a stored social value ask (with its reasons), an impact assessment and an
evaluation model: criteria (price, quality, social value) with weights and scoring scales. Suppliers
ask clarification questions and submit bids per lot; bid content is sealed until the tender deadline
(`selectors_bids`). Evaluators are assigned per criterion, declare conflicts of interest, score
independently; a moderator records the consensus score. Flags need a recorded decision; the award
turns the winning bid's commitments into the contract's commitments.

Every row carries `organisation`, the buying public body that owns the procurement; a bid also names
its `supplier`, the organisation whose people write it.
"""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q

from commonweal.core.models import TimeStampedModel
from commonweal.frameworks.models import ContractCategory, OfferKind, ReportingFrequency


class ProcurementState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    AWARDED = "awarded", "Awarded"
    CANCELLED = "cancelled", "Cancelled"


class ProcurementSource(models.TextChoices):
    PAGE = "page", "Planned here"
    OCDS = "ocds", "Imported from an OCDS notice"


class Procedure(models.TextChoices):
    """The Procurement Act 2023's procedures (s.20) and the contracts its minimum tendering periods leave out."""

    OPEN = "open", "Open procedure"
    COMPETITIVE_FLEXIBLE = "competitive_flexible", "Competitive flexible procedure"
    LIGHT_TOUCH = "light_touch", "Light touch contract (Schedule 1 services)"
    BELOW_THRESHOLD = "below_threshold", "Below-threshold contract"


class TenderingPeriodReduction(models.TextChoices):
    NONE = "", "None: the full minimum applies"
    PLANNED_NOTICE = "planned_notice", "A qualifying planned procurement notice was published"
    URGENCY = "urgency", "A state of urgency makes the full period impractical"


class PriceMethod(models.TextChoices):
    LOWEST_OVER_BID = "lowest_over_bid", "Lowest price ÷ bid price"
    RELATIVE_TO_AVERAGE = "relative_to_average", "Relative to the average price"
    DEVIATION_FROM_LOWEST = "deviation_from_lowest", "Deviation from the lowest price"
    PRICE_PER_QUALITY_POINT = "price_per_quality_point", "Price per quality point"


DEFAULT_ABNORMALLY_LOW_PERCENT = Decimal("80")
DEFAULT_SOCIAL_VALUE_SHARE_PERCENT = Decimal("20")


class Procurement(TimeStampedModel):
    """A planned (or imported) procurement. Timetable moments are stored in UTC and shown in
    Europe/London (settings.TIME_ZONE)."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="procurements")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    core_deliverables = models.TextField(
        blank=True,
        help_text="What the contract itself must deliver, one per line. A social value commitment that restates "
        "one of them is flagged for a decision.",
    )
    estimated_value = models.DecimalField(max_digits=14, decimal_places=2, help_text="In pounds, excluding VAT.")
    category = models.CharField(max_length=20, choices=ContractCategory.choices)
    department = models.ForeignKey(
        "tenancy.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="procurements"
    )
    duration_months = models.PositiveIntegerField()
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value_set = models.ForeignKey(
        "frameworks.ValueSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Turns bidders' commitments into gross and net £ in the preview and the evaluation.",
    )
    state = models.CharField(max_length=20, choices=ProcurementState.choices, default=ProcurementState.DRAFT)
    source = models.CharField(max_length=20, choices=ProcurementSource.choices, default=ProcurementSource.PAGE)
    ocid = models.CharField(max_length=120, blank=True, help_text="Open Contracting ID, for imported notices.")
    currency = models.CharField(
        max_length=3, default="GBP", help_text="ISO 4217 currency of the estimated value (an imported notice's own)."
    )
    cpv_codes = models.JSONField(
        default=list, blank=True, help_text="Common Procurement Vocabulary codes (8 digits), the main one first."
    )
    ocds_released_at = models.DateTimeField(
        null=True, blank=True, help_text="The date of the latest OCDS release applied, for imported notices."
    )

    procedure = models.CharField(max_length=30, choices=Procedure.choices, default=Procedure.OPEN)
    tendering_period_reduction = models.CharField(
        max_length=20, choices=TenderingPeriodReduction.choices, default=TenderingPeriodReduction.NONE, blank=True
    )

    # Timetable.
    publication_at = models.DateTimeField(null=True, blank=True)
    clarification_deadline = models.DateTimeField(null=True, blank=True)
    tender_deadline = models.DateTimeField(null=True, blank=True)
    evaluation_at = models.DateTimeField(null=True, blank=True)
    award_at = models.DateTimeField(null=True, blank=True)
    standstill_end_at = models.DateTimeField(null=True, blank=True)

    # The social value ask: `ask` keeps the proposal, its reasons and the officer's changes with
    # theirs (services_planning); the columns below are the parts other rules read.
    ask = models.JSONField(default=dict, blank=True)
    min_social_value_weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("10"), help_text="Per cent of the total score, at least."
    )
    offer_kind = models.CharField(max_length=20, choices=OfferKind.choices, default=OfferKind.QUANTIFIED)
    reporting_frequency = models.CharField(
        max_length=20, choices=ReportingFrequency.choices, default=ReportingFrequency.QUARTERLY
    )

    # The evaluation model's settings (criteria are rows of their own).
    price_method = models.CharField(max_length=30, choices=PriceMethod.choices, default=PriceMethod.LOWEST_OVER_BID)
    abnormally_low_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_ABNORMALLY_LOW_PERCENT,
        help_text="A price below this per cent of the average price in its lot is flagged as abnormally low.",
    )
    social_value_share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_SOCIAL_VALUE_SHARE_PERCENT,
        help_text="Social value (net £) above this per cent of the bid price is flagged for a decision.",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="procurement_reference_unique"),
            models.UniqueConstraint(
                fields=["organisation", "ocid"], condition=~Q(ocid=""), name="procurement_ocid_unique"
            ),
            models.CheckConstraint(condition=Q(estimated_value__gte=0), name="procurement_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def light_touch(self) -> bool:
        """Bids offer a qualitative social value statement only, as the policy band says."""
        return self.offer_kind == OfferKind.QUALITATIVE


class Lot(models.Model):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    estimated_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["procurement", "number"]
        constraints = [models.UniqueConstraint(fields=["procurement", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class ImpactItem(models.Model):
    """One outcome's line in the impact assessment of the planned spend."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="impacts")
    outcome_code = models.CharField(max_length=30)
    outcome_title = models.CharField(max_length=300)
    positive_effects = models.TextField(blank=True)
    negative_effects = models.TextField(blank=True)
    mitigations = models.TextField(blank=True)
    by_specification = models.BooleanField(default=False, help_text="Mitigated by changing the specification.")
    by_lotting = models.BooleanField(default=False, help_text="Mitigated by lotting.")
    by_questions = models.BooleanField(default=False, help_text="Mitigated through the social value questions.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["procurement", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "outcome_code"], name="impact_outcome_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome_code} {self.outcome_title}"


class ScoringScale(TimeStampedModel):
    """A scale evaluators score on, as data: each level has a score and a descriptor."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=500, blank=True, help_text="Where the levels and descriptors come from.")

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="scale_code_unique")]

    def __str__(self) -> str:
        return self.title


class ScaleLevel(models.Model):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    scale = models.ForeignKey(ScoringScale, on_delete=models.CASCADE, related_name="levels")
    score = models.DecimalField(max_digits=7, decimal_places=2)
    label = models.CharField(max_length=100)
    descriptor = models.TextField()

    class Meta:
        ordering = ["scale", "score"]
        constraints = [models.UniqueConstraint(fields=["scale", "score"], name="scale_level_unique")]

    def __str__(self) -> str:
        return f"{self.score} {self.label}"


class CriterionKind(models.TextChoices):
    PRICE = "price", "Price"
    QUALITY = "quality", "Quality"
    SOCIAL_VALUE = "social_value", "Social value"


class Criterion(models.Model):
    """A leaf of the criteria tree. The tree's branches are the kinds (price, quality, social value);
    a branch's weight is the sum of its criteria's. Weights are per cent of the total score."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=20, choices=CriterionKind.choices)
    code = models.CharField(max_length=20, help_text="Short code, e.g. Q1 or SV2.")
    title = models.CharField(max_length=300)
    question = models.TextField(blank=True, help_text="What bidders are asked.")
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    scale = models.ForeignKey(ScoringScale, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    minimum_score = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="A tender scoring below this on this criterion is disqualified (stated in the methodology).",
    )
    word_limit = models.PositiveIntegerField(null=True, blank=True)
    outcome_code = models.CharField(max_length=30, blank=True, help_text="For social value: the outcome asked for.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["procurement", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "code"], name="criterion_code_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(weight__lte=100), name="criterion_weight_range"),
        ]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Clarification(TimeStampedModel):
    """A bidder's question. The answer is published to every bidder with the question as the buyer
    words it (`published_question`), never with who asked."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="clarifications")
    supplier = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    published_question = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["procurement", "created_at", "id"]

    def __str__(self) -> str:
        return self.published_question or self.question[:60]


class BidState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Bid(TimeStampedModel):
    """One supplier's tender for one lot. Its content is the supplier's alone until the deadline."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="bids")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids")
    supplier = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="bids")
    state = models.CharField(max_length=20, choices=BidState.choices, default=BidState.DRAFT)
    price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    method_statement = models.TextField(
        blank=True, help_text="How the social value will be delivered (for a light-touch bid, the whole response)."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["procurement", "lot", "id"]
        constraints = [models.UniqueConstraint(fields=["lot", "supplier"], name="bid_one_per_lot")]

    def __str__(self) -> str:
        return f"{self.supplier} for {self.lot}"


class BidResponse(models.Model):
    """The bid's answer to one quality or social value criterion."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="responses")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["bid", "criterion__position", "id"]
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="bid_response_unique")]

    def __str__(self) -> str:
        return f"{self.bid} on {self.criterion.code}"


def bid_attachment_path(instance: "BidAttachment", filename: str) -> str:
    """Stored under a generated name, so an uploaded name can never choose the path."""
    return f"bids/{instance.organisation_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class BidAttachment(TimeStampedModel):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="attachments")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    file = models.FileField(upload_to=bid_attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["bid", "created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class BidCommitment(models.Model):
    """A quantified social value commitment in a bid, against one of the framework's measures."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="commitments")
    measure = models.ForeignKey("frameworks.Measure", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    due_date = models.DateField(help_text="By when it will have been delivered.")
    place_code = models.CharField(max_length=9, blank=True, help_text="ONS GSS code of the place, e.g. E08000009.")
    beneficiary_group = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, help_text="What exactly will be done.")

    class Meta:
        ordering = ["bid", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="bid_commitment_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.measure}"


class EvaluatorAssignment(models.Model):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="assignments")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["criterion__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "evaluator"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} on {self.criterion.code}"


class ConflictDeclaration(TimeStampedModel):
    """An evaluator's declaration, made before any bid is shown to them. With a conflict they may
    not score this procurement."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="declarations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    has_conflict = models.BooleanField()
    details = models.TextField(blank=True)

    class Meta:
        ordering = ["procurement", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "evaluator"], name="declaration_unique"),
        ]


class Score(TimeStampedModel):
    """One evaluator's independent score of one bid on one criterion."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=7, decimal_places=2)
    justification = models.TextField()

    class Meta:
        ordering = ["bid", "criterion__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion", "evaluator"], name="score_unique"),
        ]


class ModeratedScore(TimeStampedModel):
    """The consensus score of one bid on one criterion, with the moderator's rationale."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderated_scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="moderated_scores")
    score = models.DecimalField(max_digits=7, decimal_places=2)
    rationale = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["bid", "criterion__position", "id"]
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="moderated_score_unique")]


class FlagKind(models.TextChoices):
    ABNORMALLY_LOW_PRICE = "abnormally_low_price", "Abnormally low price"
    SOCIAL_VALUE_SHARE = "social_value_share", "Social value high against the price"
    RESTATES_CORE_DELIVERABLE = "restates_core_deliverable", "Commitment restates a core deliverable"


class FlagDecision(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    ACCEPTED = "accepted", "Accepted: the tender stands as it is"
    COMMITMENT_NOT_COUNTED = "commitment_not_counted", "The commitment is not counted"
    TENDER_EXCLUDED = "tender_excluded", "The tender is excluded"


class Flag(TimeStampedModel):
    """Something about a bid that needs a recorded decision before the award."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    commitment = models.ForeignKey(BidCommitment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    detail = models.TextField()
    decision = models.CharField(max_length=30, choices=FlagDecision.choices, default=FlagDecision.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bid", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "kind", "commitment"], name="flag_unique"),
            models.UniqueConstraint(
                fields=["bid", "kind"], condition=Q(commitment__isnull=True), name="flag_unique_without_commitment"
            ),
        ]


class Award(TimeStampedModel):
    """The award of one lot: to a bid evaluated here, or (imported from OCDS) to a named supplier."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="awards")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, null=True, blank=True, related_name="awards")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, null=True, blank=True, related_name="award")
    supplier = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="awards_won")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP", help_text="ISO 4217 currency of the value.")
    agreement = models.OneToOneField(
        "delivery.Agreement", on_delete=models.SET_NULL, null=True, blank=True, related_name="award"
    )
    reason = models.TextField(blank=True, help_text="Why this tender is the most advantageous.")
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField()
    ocds_award_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["procurement", "lot__number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "ocds_award_id"], condition=~Q(ocds_award_id=""), name="award_ocds_unique"
            ),
            models.UniqueConstraint(fields=["lot"], condition=Q(bid__isnull=False), name="award_one_per_lot"),
        ]

    def __str__(self) -> str:
        return f"{self.procurement.reference}: {self.supplier}"
