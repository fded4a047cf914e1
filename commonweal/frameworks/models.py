"""Social value frameworks: themes → outcomes → measures in numbered versions, value sets that give
measures a money equivalent, and an organisation's local priorities and proportionality policy."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from commonweal.core.formatting import money_rate
from commonweal.core.models import TimeStampedModel


class UnitKind(models.TextChoices):
    COUNT = "count", "number"
    FTE = "fte", "full-time equivalents"
    WEEKS = "weeks", "weeks"
    HOURS = "hours", "hours"
    DAYS = "days", "days"
    GBP = "gbp", "£"
    TCO2E = "tco2e", "tonnes CO2e"
    PERCENT = "percent", "%"


class ValueType(models.TextChoices):
    """Local economic value is reported apart from additional social value, never added to it."""

    LOCAL_ECONOMIC = "local_economic", "Local economic value"
    ADDITIONAL_SOCIAL = "additional_social", "Additional social value"


class Verification(models.TextChoices):
    """How far an item shipped in a template has been checked against its source."""

    VERIFIED = "verified", "Verified against the source"
    THIRD_PARTY = "third_party", "From a third-party summary"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    LOCAL = "local", "Written by this organisation"


class Framework(TimeStampedModel):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="frameworks")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    licence = models.CharField(max_length=300, blank=True, help_text="The licence the structure is used under.")
    source = models.CharField(max_length=500, blank=True, help_text="Where the structure comes from.")
    forked_from = models.ForeignKey(
        "FrameworkVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="forks"
    )
    template = models.CharField(max_length=60, blank=True, help_text="The shipped template this was made from.")

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="framework_code_unique")]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class FrameworkVersion(TimeStampedModel):
    """A published version never changes: agreements and procurements pin the version they used.
    Editing a published framework makes a new draft version."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=500, blank=True, help_text="Where the structure comes from.")
    notes = models.TextField(blank=True, help_text="What changed in this version.")

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_number_unique"),
            models.UniqueConstraint(
                fields=["framework"], condition=Q(status="draft"), name="framework_one_draft_at_a_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.title}, version {self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class FrameworkItem(models.Model):
    """What themes, outcomes and measures share: a code, a title, provenance and an order."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    verification = models.CharField(max_length=20, choices=Verification.choices, default=Verification.LOCAL)
    source_note = models.CharField(max_length=500, blank=True, help_text="The source this item was taken from.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Theme(FrameworkItem):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="themes")

    class Meta(FrameworkItem.Meta):
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="theme_code_unique")]


class Outcome(FrameworkItem):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="outcomes")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="outcomes")

    class Meta(FrameworkItem.Meta):
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="outcome_code_unique")]


class Measure(FrameworkItem):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="measures")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="measures")
    unit = models.CharField(max_length=20, choices=UnitKind.choices)
    counting_rule = models.TextField(blank=True, help_text="How to count, e.g. each FTE for each year employed.")
    evidence_required = models.TextField(blank=True)
    value_type = models.CharField(max_length=20, choices=ValueType.choices, default=ValueType.ADDITIONAL_SOCIAL)

    class Meta(FrameworkItem.Meta):
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="measure_code_unique")]


class FrameworkShare(TimeStampedModel):
    """Explicit publication of a framework to the members of a network: read-only to them, forkable."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="shares")
    network = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="shared_frameworks")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["framework", "network"], name="framework_share_unique")]

    def __str__(self) -> str:
        return f"{self.framework} shared with {self.network}"


class ValueSet(TimeStampedModel):
    """Money equivalents per measure, each with its source, base year and licence. Licensed sets
    (National TOMs, HACT) are never shipped: organisations import their own."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="value_sets")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=500)
    licence = models.CharField(max_length=300)
    base_year = models.PositiveIntegerField(help_text="The price year the values are in.")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="value_set_code_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="value_set_validity_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ValueSetEntry(models.Model):
    """The £ value of one unit of a measure (by measure code, so it applies across versions), and the
    adjustments from gross to net. Adjustments are fractions from 0 to 1."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    value_set = models.ForeignKey(ValueSet, on_delete=models.CASCADE, related_name="entries")
    measure_code = models.CharField(max_length=30)
    value_per_unit = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=500)
    base_year = models.PositiveIntegerField()
    deadweight = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    attribution = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    displacement = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    drop_off = models.DecimalField(max_digits=5, decimal_places=4, default=0, help_text="Per year after the first.")
    duration_years = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["measure_code"]
        constraints = [
            models.UniqueConstraint(fields=["value_set", "measure_code"], name="value_set_entry_unique"),
            models.CheckConstraint(condition=Q(value_per_unit__gte=0), name="value_set_entry_value_not_negative"),
            models.CheckConstraint(
                condition=Q(deadweight__gte=0, deadweight__lte=1)
                & Q(attribution__gte=0, attribution__lte=1)
                & Q(displacement__gte=0, displacement__lte=1)
                & Q(drop_off__gte=0, drop_off__lte=1),
                name="value_set_entry_adjustments_are_fractions",
            ),
            models.CheckConstraint(condition=Q(duration_years__gte=1), name="value_set_entry_duration_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_code}: {money_rate(self.value_per_unit)} per unit ({self.base_year} prices)"


class DeflatorSeries(TimeStampedModel):
    """A price index the user supplies (e.g. the GDP deflator), to re-base values to a chosen year."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=500)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="deflator_code_unique")]

    def __str__(self) -> str:
        return self.title


class DeflatorPoint(models.Model):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(DeflatorSeries, on_delete=models.CASCADE, related_name="points")
    year = models.PositiveIntegerField()
    index = models.DecimalField(max_digits=12, decimal_places=6)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="deflator_point_unique"),
            models.CheckConstraint(condition=Q(index__gt=0), name="deflator_point_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.index}"


class OutcomePriority(TimeStampedModel):
    """A local weight on an outcome of a framework (by outcome code, so it survives new versions)."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="priorities")
    outcome_code = models.CharField(max_length=30)
    weight = models.DecimalField(max_digits=5, decimal_places=2, help_text="Relative weight; higher matters more.")
    reason = models.TextField(blank=True)
    consultation = models.ForeignKey(
        "reporting.Consultation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The residents' consultation the weight comes from, if any.",
    )

    class Meta:
        ordering = ["-weight", "outcome_code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "outcome_code"], name="outcome_priority_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="outcome_priority_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome_code} weight {self.weight}"


class FocusArea(TimeStampedModel):
    """A place the organisation wants social value to reach: an ONS GSS code of a district or ward."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="focus_areas")
    gss_code = models.CharField(max_length=9)
    name = models.CharField(max_length=200)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "gss_code"], name="focus_area_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.gss_code})"


class PriorityGroup(TimeStampedModel):
    """People the organisation wants social value to reach first, e.g. care leavers."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="priority_groups")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="priority_group_unique")]

    def __str__(self) -> str:
        return self.name


class ContractCategory(models.TextChoices):
    GOODS = "goods", "Goods"
    SERVICES = "services", "Services"
    WORKS = "works", "Works"


class SupplierSize(models.TextChoices):
    ANY = "any", "Any size"
    SME = "sme", "Small or medium-sized enterprise (or VCSE)"
    LARGE = "large", "Large"


class OfferKind(models.TextChoices):
    QUANTIFIED = "quantified", "Quantified commitments against measures"
    QUALITATIVE = "qualitative", "A short qualitative statement (light touch)"


class ReportingFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SIX_MONTHLY = "six_monthly", "Every six months"
    ANNUALLY = "annually", "Annually"
    AT_END = "at_end", "At the end of the contract"


class ProportionalityPolicy(TimeStampedModel):
    """What the organisation asks of suppliers, in bands by contract value, category, duration and
    supplier size. The first band (by position) that fits a procurement applies."""

    organisation = models.OneToOneField(
        "tenancy.Organisation", on_delete=models.CASCADE, related_name="proportionality_policy"
    )
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title


class ProportionalityBand(models.Model):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(ProportionalityPolicy, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=ContractCategory.choices, blank=True, help_text="Blank: any.")
    min_value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    max_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, help_text="Exclusive.")
    min_months = models.PositiveIntegerField(null=True, blank=True)
    max_months = models.PositiveIntegerField(null=True, blank=True, help_text="Inclusive.")
    supplier_size = models.CharField(max_length=10, choices=SupplierSize.choices, default=SupplierSize.ANY)
    min_weighting_percent = models.DecimalField(max_digits=5, decimal_places=2)
    outcomes_to_ask = models.PositiveIntegerField()
    offer_kind = models.CharField(max_length=20, choices=OfferKind.choices)
    delivery_plan_required = models.BooleanField(default=False)
    reporting_frequency = models.CharField(max_length=20, choices=ReportingFrequency.choices)
    rationale = models.TextField(blank=True, help_text="Why this band asks what it asks; shown with each proposal.")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="proportionality_band_position_unique"),
            models.CheckConstraint(
                condition=Q(min_weighting_percent__gte=0, min_weighting_percent__lte=100),
                name="proportionality_band_weighting_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanPublication(TimeStampedModel):
    """The organisation's choice to publish its plan on a page (priorities and what it asks of
    suppliers) to the public. Nothing is public until it is published."""

    organisation = models.OneToOneField("tenancy.Organisation", on_delete=models.CASCADE, related_name="plan")
    summary = models.TextField(blank=True, help_text="An introduction shown at the top of the plan.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Plan on a page for {self.organisation}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
