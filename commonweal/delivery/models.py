"""Agreements between a public body and a supplier, the commitments in them, and delivery returns."""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum

from commonweal.core.models import TimeStampedModel


class Agreement(TimeStampedModel):
    """A contract (or other agreement) in which a supplier commits to deliver social value.

    `organisation` is the public body that owns it; the supplier sees it as a party.
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

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="agreement_reference_unique"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="agreement_dates_order"),
            models.CheckConstraint(condition=Q(value__gte=0), name="agreement_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Commitment(TimeStampedModel):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    measure = models.ForeignKey("frameworks.Measure", on_delete=models.PROTECT, related_name="+")
    target_quantity = models.DecimalField(max_digits=14, decimal_places=2)
    due_date = models.DateField()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_quantity__gt=0), name="commitment_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.title} — {self.target_quantity} by {self.due_date:%d %B %Y}"


class DeliveryReturn(TimeStampedModel):
    """What a supplier reports it delivered, with a narrative and evidence; lines are reviewed one by one."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="returns")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Return {self.pk} on {self.agreement.reference}"


QUANTITY_PLACES = Decimal("0.01")


class LineStatus(models.TextChoices):
    PENDING = "pending", "Awaiting verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class ReturnLineQuerySet(models.QuerySet["ReturnLine"]):
    def claimed(self) -> "ReturnLineQuerySet":
        """Lines still claimed: a rejected line no longer counts as a claim."""
        return self.exclude(status=LineStatus.REJECTED)

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
