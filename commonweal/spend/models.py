"""Spend analysis: where a public body's money goes.

The payments themselves never enter these tables: each import writes one Parquet file (the canonical
columns in `spend.schema`) to the spend storage (`spend/files.py`), and only `spend/` reads them, with
DuckDB. These tables hold what the database is good at: the import's metadata and counts, the column mapping each
source uses, the supplier registry with its classification labels (each with its provenance), the
body's spend policy (what "local" means, what spend it cannot influence) and LM3 surveys.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from commonweal.core.models import TimeStampedModel


class SpendSource(TimeStampedModel):
    """Where a series of files comes from ("Trafford supplier payments"): its confirmed column mapping is
    remembered, so next month's file with the same header imports unattended."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="spend_sources")
    name = models.CharField(max_length=200)
    # {canonical field: header text as it appears in the file}, e.g. {"amount": "Amount", "supplier_name": ...}
    column_mapping = models.JSONField(default=dict, blank=True)
    # The normalised header the mapping was confirmed for; a file whose header differs asks again.
    header_signature = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="spend_source_name_unique")]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    AWAITING_MAPPING = "awaiting_mapping", "Waiting for the columns to be confirmed"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Failed"


class SpendImport(TimeStampedModel):
    """One file imported (or being imported). A file lands whole or not at all; the same bytes twice add nothing."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="spend_imports")
    source = models.ForeignKey(SpendSource, on_delete=models.PROTECT, null=True, blank=True, related_name="imports")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, help_text="Of the file's bytes: the same file is imported once.")
    size = models.PositiveBigIntegerField(default=0)
    # Where the uploaded file waits for its background import (in the spend storage); emptied after.
    upload_path = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, for the progress page.")
    stage = models.CharField(max_length=100, blank=True, help_text="What the import is doing now.")
    error = models.TextField(blank=True)
    # What was detected, for the summary page and for re-running.
    encoding = models.CharField(max_length=30, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)
    header_line = models.PositiveIntegerField(null=True, blank=True)
    column_mapping = models.JSONField(default=dict, blank=True)
    # Counts and the total, filled when the import succeeds.
    rows_read = models.PositiveBigIntegerField(default=0)
    rows_imported = models.PositiveBigIntegerField(default=0)
    rows_rejected = models.PositiveBigIntegerField(default=0)
    rows_duplicate = models.PositiveBigIntegerField(default=0)
    rows_redacted = models.PositiveBigIntegerField(default=0)
    # Empty lines and rows of empty cells: neither payments nor rejected. read = imported + rejected +
    # duplicate + blank, the rows counted apart from the CSV reader (the import fails when they disagree).
    rows_blank = models.PositiveBigIntegerField(default=0)
    # What the import changed or could not read but did not refuse for (NUL bytes removed, the encoding
    # decided on the whole file, spreadsheet formulas with no saved value), for the summary page.
    warnings = models.JSONField(default=list, blank=True)
    total_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    first_payment_date = models.DateField(null=True, blank=True)
    last_payment_date = models.DateField(null=True, blank=True)
    # The Parquet files in the spend storage: the payments, and the rejected rows with line and reason.
    parquet_path = models.CharField(max_length=300, blank=True)
    rejects_path = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who runs it and that it still runs (commonweal/core/recovery.py): a stopped import is found and put right.
    runner = models.CharField(max_length=100, blank=True, help_text="host:pid of the process running it.")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="When its process last said it runs.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times it was queued again after stopping.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Idempotent: one successful (or in-flight) import per file per organisation; a failed one may be retried.
            models.UniqueConstraint(
                fields=["organisation", "sha256"],
                condition=~Q(status="failed"),
                name="spend_import_file_once",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Supplier(TimeStampedModel):
    """One supplier in an organisation's registry. Payments find it by `normalised_name` (or an alias)."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="spend_suppliers")
    name = models.CharField(max_length=300, help_text="The name as most often written.")
    normalised_name = models.CharField(max_length=300)
    companies_house_number = models.CharField(max_length=8, blank=True)
    vat_number = models.CharField(max_length=20, blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    district_code = models.CharField(
        max_length=9, blank=True, help_text="ONS GSS code of the local authority district."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "normalised_name"], name="spend_supplier_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SupplierAlias(models.Model):
    """Another normalised spelling clustered into a supplier ("ACME SERVICES" for "ACME SERVICE")."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="aliases")
    normalised_name = models.CharField(max_length=300)
    how = models.CharField(max_length=100, help_text="Why it was clustered: 'similar name 94%', 'manual', ...")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "normalised_name"], name="spend_alias_name_unique")
        ]

    def __str__(self) -> str:
        return self.normalised_name


class Label(models.TextChoices):
    LOCAL = "local", "Local"
    SME = "sme", "SME"
    VCSE = "vcse", "Voluntary, community or social enterprise"
    LIVING_WAGE = "living_wage", "Real Living Wage employer"


class SupplierLabel(TimeStampedModel):
    """One classification of a supplier, with where it came from. A manual override beats any derived label."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="labels")
    label = models.CharField(max_length=20, choices=Label.choices)
    value = models.BooleanField()
    source = models.CharField(
        max_length=40, help_text="postcode, charity-number, ocds, 360giving, living-wage-list, manual, ..."
    )
    detail = models.CharField(max_length=300, blank=True, help_text="The evidence: 'M32 0TH is in E08000009'.")
    is_override = models.BooleanField(default=False)
    reason = models.TextField(blank=True, help_text="Why a person overrode the derived label.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["supplier", "label", "-is_override", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "label", "source", "is_override"], name="spend_label_one_per_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_label_display()}: {self.value} ({self.source})"


class LivingWageEmployer(models.Model):
    """A name from the Real Living Wage employer list the organisation uploaded."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "normalised_name"], name="spend_living_wage_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SpendPolicy(TimeStampedModel):
    """What 'local' means for this body, and which spend it cannot influence."""

    organisation = models.OneToOneField("tenancy.Organisation", on_delete=models.CASCADE, related_name="spend_policy")
    local_district_codes = models.JSONField(default=list, blank=True, help_text="ONS GSS district codes.")
    # Rules excluding spend the body cannot direct: [{"field": "expense_type", "contains": "precept"}, ...]
    not_influenceable_rules = models.JSONField(default=list, blank=True)


class Lm3Survey(TimeStampedModel):
    """LM3 for one period: round 1 is the spend, round 2 its local share, round 3 local re-spend.

    Round 3 comes from what suppliers and their staff say they re-spend locally (the responses)."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="lm3_surveys")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "title"]

    def __str__(self) -> str:
        return self.title


class RespondentKind(models.TextChoices):
    SUPPLIER = "supplier", "Supplier"
    STAFF = "staff", "Employee of a supplier"


class Lm3Response(models.Model):
    """One survey answer: of the money received, what share was re-spent in the local area."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Lm3Survey, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=20, choices=RespondentKind.choices)
    supplier = models.ForeignKey(Supplier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    respondent = models.CharField(max_length=300)
    # For a supplier: the share of its income spent with local suppliers and the share paid to local staff.
    # For staff: the share of their pay spent locally.
    local_supplier_share = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    local_staff_share = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    local_respend_share = models.DecimalField(max_digits=5, decimal_places=4, default=0)

    class Meta:
        ordering = ["kind", "respondent"]

    def __str__(self) -> str:
        return self.respondent
