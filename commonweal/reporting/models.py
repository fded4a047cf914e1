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


# --- The public hub: what residents read ---------------------------------------------------------------


class PublicPageKind(models.TextChoices):
    PLAN = "plan", "Our plan"
    POLICY = "policy", "Policy"
    GUIDANCE = "guidance", "Guidance for suppliers"


class PublicPage(TimeStampedModel):
    """A page of "what we ask" that the social value lead writes (Markdown-lite: paragraphs, headings,
    lists, bold and links). It is public only in a `Publication` made while it was marked ready."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=PublicPageKind.choices, default=PublicPageKind.GUIDANCE)
    slug = models.SlugField(max_length=60, help_text="The last part of the page's address.")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, help_text="One or two sentences: search engines show it.")
    body = models.TextField(help_text="Markdown-lite: blank lines between paragraphs, '## ' headings, '- ' lists.")
    position = models.PositiveSmallIntegerField(default=0)
    ready = models.BooleanField(default=False, help_text="Published with the hub the next time it is published.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="public_page_slug_unique")]

    def __str__(self) -> str:
        return self.title


def story_image_path(instance: "Story", filename: str) -> str:
    """Stored under a generated name: nothing of the uploaded name survives."""
    import secrets
    from pathlib import Path

    return f"stories/{instance.organisation_id}/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


class Story(TimeStampedModel):
    """A case study offered to residents: only with the participant's consent (on the case study) and the
    supplier's consent (recorded here). Taking it down is kept: who, when and why."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    case_study = models.OneToOneField("delivery.CaseStudy", on_delete=models.PROTECT, related_name="public_story")
    image = models.FileField(upload_to=story_image_path, max_length=200, blank=True)
    image_alt = models.CharField(
        max_length=300, blank=True, help_text="What the image shows, for people who cannot see it."
    )
    video_url = models.URLField(blank=True)
    supplier_consent_given_by = models.CharField(max_length=200)
    supplier_consent_date = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_down_at = models.DateTimeField(null=True, blank=True)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_down_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.case_study.title

    @property
    def is_taken_down(self) -> bool:
        return self.taken_down_at is not None


class Publication(models.Model):
    """What the public hub showed from `published_at` until the next publication: every page, figure and
    story, kept whole. Public pages read only the latest one; a withdrawn one takes the hub down."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.TextField(blank=True, help_text="Why it was published.")
    withdrawn = models.BooleanField(default=False)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="publication_unique")]

    def __str__(self) -> str:
        return f"Publication {self.number}"


# --- Residents' say in priorities: consultations ----------------------------------------------------------


class Consultation(TimeStampedModel):
    """Residents asked to choose between costed options, in some wards or focus areas, between two dates.
    Public once the lead opens it; its results are public once it has closed."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="What residents are asked, and why, in plain English.")
    place_codes = models.JSONField(default=list, blank=True, help_text="GSS codes of the wards or areas asked.")
    opens_on = models.DateField()
    closes_on = models.DateField()
    published_at = models.DateTimeField(null=True, blank=True)
    you_said_we_did = models.TextField(blank=True, help_text="What the council did with the results.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="consultation_dates_in_order")
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: date) -> bool:
        return self.published_at is not None and self.opens_on <= day <= self.closes_on

    def is_closed_on(self, day: date) -> bool:
        return day > self.closes_on


class ConsultationOption(models.Model):
    """A costed intervention residents may choose, linked to the framework outcome it would serve."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=2, help_text="What it would cost, in pounds.")
    outcome = models.ForeignKey("frameworks.Outcome", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(cost__gte=0), name="consultation_option_cost_not_negative")]

    def __str__(self) -> str:
        return self.title


class ResponseChannel(models.TextChoices):
    WEB = "web", "Online"
    PAPER = "paper", "On paper, entered by an officer"


class ConsultationResponse(models.Model):
    """One resident's answer: the options they chose, their ward, a comment, and demographics only with
    their consent. `fingerprint` finds duplicates; `client_key` (a keyed hash of the address it came from,
    never the address) limits how many come from one place in an hour."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    options = models.ManyToManyField(ConsultationOption, related_name="responses")
    place_code = models.CharField(max_length=9, blank=True)
    comment = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=ResponseChannel.choices, default=ResponseChannel.WEB)
    received_on = models.DateField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    demographics = models.JSONField(default=dict, blank=True)
    demographics_consent = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64, db_index=True)
    client_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.consultation_id}"


# --- Residents' say in priorities: panels -----------------------------------------------------------------


class PanelKind(models.TextChoices):
    VCSE_FORUM = "vcse_forum", "VCSE forum"
    POVERTY_TRUTH = "poverty_truth", "Poverty truth commission"
    RESIDENTS = "residents", "Residents' panel"
    OTHER = "other", "Other"


class Panel(TimeStampedModel):
    """A standing group the council meets to hear what is needed: a VCSE forum, a poverty truth commission."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PanelKind.choices, default=PanelKind.VCSE_FORUM)
    purpose = models.TextField(blank=True, help_text="What the panel is for, in plain English.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-active", "name", "id"]

    def __str__(self) -> str:
        return self.name


class PanelMeeting(TimeStampedModel):
    """One meeting of a panel: when and where, who came (organisations in Commonweal, and others by name)."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True, help_text="A summary of what was discussed.")
    attending = models.ManyToManyField("tenancy.Organisation", blank=True, related_name="+")
    other_attendees = models.TextField(blank=True, help_text="Organisations not in Commonweal, one a line.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_on__gte=date(1990, 1, 1), held_on__lte=date(2100, 12, 31)),
                name="panel_meeting_date_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} meeting on {self.held_on}"


class NeedKind(models.TextChoices):
    MONEY = "money", "Money"
    MATERIALS = "materials", "Materials"
    VOLUNTEER_TIME = "volunteer_time", "Volunteer time"
    EXPERTISE = "expertise", "Expertise"
    SPACE = "space", "Space"
    JOBS = "jobs", "Jobs and training"


class NeedState(models.TextChoices):
    OPEN = "open", "Open"
    PASSED_ON = "passed_on", "Passed on"
    MET = "met", "Met"
    CLOSED = "closed", "Closed"


class PanelNeed(TimeStampedModel):
    """A need raised at a panel meeting, kept whole so it can become a wish-list need later: what, of which
    kind, raised by which attending organisation, for which outcomes and where, and what became of it."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.PROTECT, related_name="needs")
    raised_by = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField()
    kind = models.CharField(max_length=20, choices=NeedKind.choices)
    outcomes = models.ManyToManyField("frameworks.Outcome", blank=True, related_name="+")
    place_code = models.CharField(max_length=9, blank=True, help_text="GSS code of the ward or district.")
    state = models.CharField(max_length=20, choices=NeedState.choices, default=NeedState.OPEN)
    state_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:60]
