"""The community wish list: needs posted by community organisations, offers posted by suppliers, pledges that
count once against a supplier's commitment, the eligibility checked once per organisation, and the wish
list's policy (how many live needs an organisation may have)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum

from commonweal.core.models import TimeStampedModel
from commonweal.reporting.models import NeedKind

QUANTITY_PLACES = Decimal("0.01")
DEFAULT_LIVE_NEEDS_LIMIT = 3


class NeedState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    PLEDGED = "pledged", "Pledged"
    DELIVERED = "delivered", "Delivered"
    CONFIRMED = "confirmed", "Confirmed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


# States a need counts as live in (against the organisation's limit), and states the public may see.
LIVE_STATES = (
    NeedState.SUBMITTED,
    NeedState.APPROVED,
    NeedState.PUBLISHED,
    NeedState.PLEDGED,
    NeedState.DELIVERED,
)
PUBLIC_STATES = (NeedState.PUBLISHED, NeedState.PLEDGED, NeedState.DELIVERED, NeedState.CONFIRMED)
OPEN_STATES = (NeedState.PUBLISHED, NeedState.PLEDGED)  # may still take pledges


class NeedQuerySet(models.QuerySet["Need"]):
    def public(self) -> "NeedQuerySet":
        """Needs anyone may read: published, and what became of them afterwards. Never a draft, a
        submission, a returned or approved need, a withdrawn or an expired one."""
        return self.filter(state__in=PUBLIC_STATES, published_at__isnull=False)

    def open(self) -> "NeedQuerySet":
        return self.filter(state__in=OPEN_STATES, published_at__isnull=False)

    def live(self) -> "NeedQuerySet":
        return self.filter(state__in=LIVE_STATES)


class Need(TimeStampedModel):
    """What a community organisation needs, posted to the wish list of a council, network or local
    infrastructure body (`host`)."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="needs")
    host = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="hosted_needs")
    title = models.CharField(max_length=200)
    description = models.TextField()
    kind = models.CharField(max_length=20, choices=NeedKind.choices)
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=60, help_text="What the quantity counts: hours, laptops, days, pounds.")
    estimate = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="What it is worth, in pounds."
    )
    outcomes = models.ManyToManyField("frameworks.Outcome", blank=True, related_name="+")
    place_code = models.CharField(max_length=9, help_text="ONS GSS code of the ward or district.")
    beneficiary_group = models.CharField(max_length=200, blank=True)
    expires_on = models.DateField()
    state = models.CharField(max_length=20, choices=NeedState.choices, default=NeedState.DRAFT)
    state_reason = models.TextField(blank=True, help_text="Why it was returned, withdrawn or closed.")
    panel_need = models.ForeignKey(
        "reporting.PanelNeed", on_delete=models.SET_NULL, null=True, blank=True, related_name="wish_list_needs"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="need_quantity_positive"),
            models.CheckConstraint(condition=Q(estimate__isnull=True) | Q(estimate__gte=0), name="need_estimate_ok"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"NEED-{self.pk}"

    def pledged_quantity(self) -> Decimal:
        total = self.pledges.exclude(state=PledgeState.WITHDRAWN).aggregate(total=Sum("quantity"))["total"]
        return (total or Decimal("0")).quantize(QUANTITY_PLACES)

    def remaining_quantity(self) -> Decimal:
        return max(self.quantity - self.pledged_quantity(), Decimal("0")).quantize(QUANTITY_PLACES)


class EligibilityEvidence(models.TextChoices):
    CONSTITUTION = "constitution", "Constitution or governing document"
    CHARITY_NUMBER = "charity_number", "Charity number"
    COMPANY_NUMBER = "company_number", "Company number (community interest or not-for-profit company)"
    INFRASTRUCTURE_LETTER = "infrastructure_letter", "Letter from the local infrastructure body"


class Eligibility(TimeStampedModel):
    """The community organisation's evidence that it may post needs, checked once by a broker."""

    organisation = models.OneToOneField("tenancy.Organisation", on_delete=models.CASCADE, related_name="eligibility")
    evidence_kind = models.CharField(max_length=30, choices=EligibilityEvidence.choices)
    evidence_reference = models.CharField(
        max_length=200, help_text="The charity or company number, or where the document or letter is kept."
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_by_organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "eligibility"

    def __str__(self) -> str:
        return f"{self.get_evidence_kind_display()}: {self.evidence_reference}"

    @property
    def is_checked(self) -> bool:
        return self.checked_at is not None


class WishListPolicy(TimeStampedModel):
    """A host's rules for its wish list, kept as data: how many live needs one organisation may have."""

    organisation = models.OneToOneField(
        "tenancy.Organisation", on_delete=models.CASCADE, related_name="wish_list_policy"
    )
    live_needs_limit = models.PositiveSmallIntegerField(default=DEFAULT_LIVE_NEEDS_LIMIT)

    class Meta:
        verbose_name_plural = "wish list policies"

    def __str__(self) -> str:
        return f"{self.live_needs_limit} live needs per organisation"


class Introduction(models.Model):
    """A broker put a supplier in touch with the organisation behind a need."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")  # host
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="introductions")
    supplier = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    introduced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["need", "supplier"], name="introduction_once")]

    def __str__(self) -> str:
        return f"{self.supplier} introduced to {self.need}"


class OfferState(models.TextChoices):
    OPEN = "open", "Open"
    TAKEN_UP = "taken_up", "Taken up"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Offer(TimeStampedModel):
    """Something a supplier offers unprompted (placements, volunteer days, equipment) on a host's wish list."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="offers")
    host = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="hosted_offers")
    title = models.CharField(max_length=200)
    description = models.TextField()
    kind = models.CharField(max_length=20, choices=NeedKind.choices)
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=60)
    place_code = models.CharField(max_length=9, blank=True)
    state = models.CharField(max_length=20, choices=OfferState.choices, default=OfferState.OPEN)
    taken_up_by = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="offer_quantity_positive")]

    def __str__(self) -> str:
        return self.title


class PledgeState(models.TextChoices):
    PLEDGED = "pledged", "Pledged"
    DELIVERED = "delivered", "Delivered, awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed by the recipient"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Pledge(TimeStampedModel):
    """A supplier's promise to meet all or part of a need, counted against one commitment of one of its
    agreements. Confirmed by the recipient, it becomes a claimed line on the supplier's return for that
    commitment (`line`), with the pledge's reference as the line's evidence reference."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="pledges")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="pledges")
    commitment = models.ForeignKey("delivery.Commitment", on_delete=models.PROTECT, related_name="pledges")
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=PledgeState.choices, default=PledgeState.PLEDGED)
    pledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField(null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_quantity = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    line = models.OneToOneField(
        "delivery.ReturnLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="pledge"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pledge_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.quantity} {self.need.unit} to {self.need.title}"

    @property
    def reference(self) -> str:
        """The evidence reference its return line carries: what makes the pledge count once."""
        return f"PLEDGE-{self.pk}"


class NeedDigest(models.Model):
    """A weekly email of matching open needs, sent to a supplier's contacts: kept so each week's goes once."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")  # supplier
    week_start = models.DateField(help_text="The Monday of the week it was sent for.")
    sent_to = models.JSONField(default=list)
    needs = models.JSONField(default=list, help_text="The references of the needs it named.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_start", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "week_start"], name="need_digest_once_a_week")]

    def __str__(self) -> str:
        return f"Digest for the week of {self.week_start:%d %B %Y}"
