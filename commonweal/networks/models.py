"""Anchor networks: who belongs (by invitation, accepted) and what each member lets the network see; the
shared metrics the coordinator defines, with crosswalks, members' submitted figures and pledges; joint
programmes counted from pseudonymous participants (kept only as keyed hashes); and the published
quarterly reports."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from commonweal.core.models import TimeStampedModel
from commonweal.frameworks.models import ValueType


class MembershipState(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Member"
    DECLINED = "declined", "Declined"


class Sharing(models.TextChoices):
    """What a member's social value lead lets the network see."""

    NONE = "none", "Nothing: the member's figures are left out"
    AGGREGATES = "aggregates", "Aggregates only: the member's totals, never its agreements"
    DETAIL = "detail", "Agreement-level detail: totals and the agreements behind them"


class NetworkMembership(TimeStampedModel):
    """An organisation's place in a network. Accepting adds the network to `Organisation.networks` (which
    framework sharing reads); the sharing choice is the member's own and is audited."""

    network = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="network_memberships")
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=MembershipState.choices, default=MembershipState.INVITED)
    sharing = models.CharField(max_length=20, choices=Sharing.choices, default=Sharing.NONE)
    named_in_benchmarks = models.BooleanField(
        default=False, help_text="The member agrees to be named in the network's benchmarking table."
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    invited_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    sharing_changed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member last stopped sharing: later figures leave it out."
    )

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "organisation"], name="network_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.network}"

    @property
    def is_active(self) -> bool:
        return self.state == MembershipState.ACTIVE

    @property
    def shares(self) -> bool:
        return self.is_active and self.sharing != Sharing.NONE


class MetricKind(models.TextChoices):
    DELIVERY = "delivery", "Derived: delivery on a shared measure code"
    SPEND = "spend", "Derived: a share of members' spend"
    SUBMITTED = "submitted", "Submitted by members each quarter"


class SpendShare(models.TextChoices):
    LOCAL = "local", "Local spend"
    SME = "sme", "Spend with SMEs"
    VCSE = "vcse", "Spend with VCSEs"
    MOST_DEPRIVED = "deprived", "Local spend in the most deprived 20% of places (IMD deciles 1 and 2)"


class SharedMetric(TimeStampedModel):
    network = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="shared_metrics")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MetricKind.choices)
    unit = models.CharField(max_length=40, help_text="What one is counted in: people, weeks, pounds, per cent.")
    measure_code = models.CharField(max_length=40, blank=True, help_text="Delivery metrics: the shared measure code.")
    spend_share = models.CharField(max_length=20, choices=SpendShare.choices, blank=True)
    value_type = models.CharField(max_length=20, choices=ValueType.choices, default=ValueType.ADDITIONAL_SOCIAL)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["network", "code"], name="shared_metric_code_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_percentage(self) -> bool:
        return self.kind == MetricKind.SPEND


class MetricCrosswalk(TimeStampedModel):
    """A member's own measure code that counts as the shared metric (forks keep the shared code and need
    none)."""

    metric = models.ForeignKey(SharedMetric, on_delete=models.CASCADE, related_name="crosswalks")
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    measure_code = models.CharField(max_length=40)

    class Meta:
        ordering = ["organisation__name", "measure_code"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "organisation", "measure_code"], name="crosswalk_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_code} → {self.metric.code}"


class MetricSubmission(TimeStampedModel):
    """A member's figure for a submitted metric for one quarter; resubmitting replaces it (audited)."""

    metric = models.ForeignKey(SharedMetric, on_delete=models.CASCADE, related_name="submissions")
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    quarter = models.CharField(max_length=6, help_text="As 2026Q3: July to September 2026.")
    value = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["quarter", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "organisation", "quarter"], name="submission_one_per_quarter"),
            models.CheckConstraint(condition=Q(value__gte=0), name="submission_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.metric.code} {self.quarter}: {self.value}"


class Pledge(TimeStampedModel):
    metric = models.ForeignKey(SharedMetric, on_delete=models.CASCADE, related_name="pledges")
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    baseline = models.DecimalField(max_digits=16, decimal_places=2)
    target = models.DecimalField(max_digits=16, decimal_places=2)
    target_date = models.DateField()

    class Meta:
        ordering = ["metric__title", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["metric", "organisation"], name="pledge_one_per_metric")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.metric.code} to {self.target} by {self.target_date}"


class ProgrammeStage(models.TextChoices):
    REFERRAL = "referral", "Referred"
    TRAINING = "training", "Started training"
    INTERVIEW = "interview", "Interviewed"
    OFFER = "offer", "Offered a job"
    START = "start", "Started work"
    RETAINED_6 = "retained_6", "In work after 6 months"
    RETAINED_12 = "retained_12", "In work after 12 months"


STAGE_ORDER: list[str] = list(ProgrammeStage.values)


class Programme(TimeStampedModel):
    """A joint programme (an employment pathway) run by several members; only aggregates leave it."""

    network = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="programmes")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ProgrammePartner(TimeStampedModel):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    share_percent = models.DecimalField(max_digits=5, decimal_places=2, help_text="Its attributed share of outcomes.")

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["programme", "organisation"], name="partner_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.share_percent}%)"


class ProgrammeParticipant(models.Model):
    """One participant, known only by the keyed hash of the pseudonymous id the referring partner gave."""

    # The referring partner's organisation, whose record it is (the partner's, carried on the row).
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    partner = models.ForeignKey(ProgrammePartner, on_delete=models.PROTECT, related_name="participants")
    digest = models.CharField(max_length=64)
    referred_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "digest"], name="participant_once")]
        indexes = [models.Index(fields=["organisation", "programme"], name="participant_org_programme")]

    def __str__(self) -> str:
        return f"Participant {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.organisation_id is None and self.partner_id is not None:
            self.organisation_id = ProgrammePartner.objects.values_list("organisation_id", flat=True).get(
                pk=self.partner_id
            )
        super().save(*args, **kwargs)


class ParticipantStage(models.Model):
    # The participant's organisation (its referring partner's), carried on the row.
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(ProgrammeParticipant, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=20, choices=ProgrammeStage.choices)
    reached_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "stage"], name="participant_stage_once")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} on {self.reached_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.organisation_id is None and self.participant_id is not None:
            self.organisation_id = ProgrammeParticipant.objects.values_list("organisation_id", flat=True).get(
                pk=self.participant_id
            )
        super().save(*args, **kwargs)


class NetworkReport(TimeStampedModel):
    """A published quarterly network report: the figures as they stood when it was published."""

    network = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="network_reports")
    quarter = models.CharField(max_length=6)
    figures = models.JSONField()
    summary = models.TextField(blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-quarter"]
        constraints = [models.UniqueConstraint(fields=["network", "quarter"], name="network_report_one_per_quarter")]

    def __str__(self) -> str:
        return f"{self.network} {self.quarter}"
