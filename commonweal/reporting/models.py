"""The social value budget (departments, financial years, budget lines) and the annual impact report
(a draft, its sign-off, and the immutable versions it is published as)."""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from commonweal.core.formatting import money
from commonweal.core.models import TimeStampedModel


class FinancialYear(TimeStampedModel):
    """A financial year, 1 April to 31 March, named by the year it starts in (2026 is 2026/27).

    `value_set` values every £ figure of the year. When the year is closed its figures are kept in
    `frozen` exactly as they stood, and read from there afterwards."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    start_year = models.PositiveSmallIntegerField()
    value_set = models.ForeignKey(
        "frameworks.ValueSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The value set that turns the year's quantities into gross and net £.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    frozen = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "start_year"], name="financial_year_unique"),
            models.CheckConstraint(
                condition=Q(start_year__gte=1990, start_year__lte=2099), name="financial_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """2026 → "2026/27"."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start_date(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end_date(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class MoneyBasis(models.TextChoices):
    GROSS = "gross", "Gross"
    NET = "net", "Net (after deadweight, attribution, displacement and drop-off)"


class BudgetLine(TimeStampedModel):
    """What a department plans to achieve in a year for one measure: a quantity of the measure, or a £
    figure (gross or net) under a named value set. Everything beside it is computed, never typed."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="budget_lines")
    department = models.ForeignKey("tenancy.Department", on_delete=models.PROTECT, related_name="budget_lines")
    measure = models.ForeignKey("frameworks.Measure", on_delete=models.PROTECT, related_name="+")
    target_quantity = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amount_basis = models.CharField(max_length=10, choices=MoneyBasis.choices, blank=True)
    value_set = models.ForeignKey(
        "frameworks.ValueSet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["department__name", "measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "department", "measure"], name="budget_line_unique"),
            models.CheckConstraint(
                condition=(
                    Q(target_quantity__isnull=False, target_amount__isnull=True, value_set__isnull=True)
                    | Q(target_quantity__isnull=True, target_amount__isnull=False, value_set__isnull=False)
                ),
                name="budget_line_quantity_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(target_quantity__gte=0) | Q(target_quantity__isnull=True),
                name="budget_quantity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(target_amount__gte=0) | Q(target_amount__isnull=True), name="budget_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department}: {self.measure.code} {self.target_text}"

    @property
    def is_amount(self) -> bool:
        return self.target_amount is not None

    @property
    def target(self) -> Decimal:
        return self.target_amount if self.target_amount is not None else (self.target_quantity or Decimal(0))

    @property
    def target_text(self) -> str:
        if self.target_amount is not None:
            return f"{money(self.target_amount)} {self.amount_basis}"
        return f"{self.target_quantity} {self.measure.unit}"


class ReportState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Waiting for sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    PUBLISHED = "published", "Published"


class ImpactReport(TimeStampedModel):
    """The annual social value impact report of one financial year: its narrative and chosen case studies.
    Its figures fill themselves from the budget; publishing keeps them in a `ReportVersion`."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.OneToOneField(FinancialYear, on_delete=models.PROTECT, related_name="report")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="The opening words, in plain English.")
    case_studies = models.ManyToManyField("delivery.CaseStudy", blank=True, related_name="+")
    state = models.CharField(max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # The report exactly as it was signed off (`ReportContent.as_dict()`): publishing publishes this, so
    # returns verified after the sign-off cannot slip into a version nobody signed off.
    signed_off_content = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class ReportSection(models.Model):
    """A narrative section the lead writes, in the order they choose."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.heading


def report_pdf_path(instance: "ReportVersion", filename: str) -> str:
    """Stored under a generated name: one file per version, never overwritten."""
    return f"reports/{instance.organisation_id}/{uuid.uuid4().hex}.pdf"


class ReportVersion(models.Model):
    """A published version of a report: every figure, chart table and word as they were when published.
    Never changed; a correction is a new version with a note of what changed."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(ImpactReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    change_note = models.TextField(blank=True, help_text="What changed since the last version.")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()
    pdf = models.FileField(
        upload_to=report_pdf_path,
        max_length=200,
        blank=True,
        editable=False,
        help_text="The version's PDF, made once when it is published (a version never changes).",
    )

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]

    def __str__(self) -> str:
        return f"{self.report} (version {self.number})"


class FiguresVersion(models.Model):
    """A number that goes up whenever anything the organisation's budget figures are worked out from is
    saved or deleted (see `signals.py`): worked-out figures are kept in the cache under it, so a change is
    never hidden behind figures worked out before it."""

    organisation = models.OneToOneField("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveBigIntegerField(default=0)
    refresh_queued = models.BooleanField(
        default=False, help_text="A task to work the open years' figures out again is waiting for the worker."
    )

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.number}"


class StoredFigures(models.Model):
    """An open year's figures as last worked out (`Budget.as_dict()`), under the figures version and the day
    they were worked out for: kept in the database so that every web process and worker shares them, and
    worked out again by the worker after a change (see `figures_store.py`). Derived data, never edited."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(FinancialYear, on_delete=models.CASCADE, related_name="+")
    shares = models.BooleanField(help_text="Whether each agreement's social value as a share of its value is in.")
    as_at = models.DateField()
    version = models.PositiveBigIntegerField()
    figures = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "shares"], name="stored_figures_unique")]

    def __str__(self) -> str:
        return f"{self.year} figures (version {self.version}, as at {self.as_at})"
