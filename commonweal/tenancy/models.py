"""Organisations (the tenants), the networks they form, who belongs to which with what role, and the
departments of a public body."""

from django.conf import settings
from django.db import models

from commonweal.core.models import TimeStampedModel


class OrganisationKind(models.TextChoices):
    PUBLIC_BODY = "public_body", "Public body"
    SUPPLIER = "supplier", "Supplier"
    COMMUNITY = "community", "Community organisation"
    NETWORK = "network", "Network"


class Role(models.TextChoices):
    SOCIAL_VALUE_LEAD = "social_value_lead", "Social value lead"
    PROCUREMENT_OFFICER = "procurement_officer", "Commissioner or procurement officer"
    EVALUATOR = "evaluator", "Evaluator"
    CONTRACT_MANAGER = "contract_manager", "Contract manager"
    VIEWER = "viewer", "Viewer (councillor, executive)"
    SUPPLIER_CONTACT = "supplier_contact", "Supplier contact"
    COMMUNITY_CONTACT = "community_contact", "Community organisation contact"
    NETWORK_COORDINATOR = "network_coordinator", "Network coordinator"
    BROKER = "broker", "Broker (community wish list)"


# Which roles each kind of organisation may grant.
ROLES_BY_KIND: dict[str, set[str]] = {
    OrganisationKind.PUBLIC_BODY: {
        Role.SOCIAL_VALUE_LEAD,
        Role.PROCUREMENT_OFFICER,
        Role.EVALUATOR,
        Role.CONTRACT_MANAGER,
        Role.VIEWER,
        Role.BROKER,
    },
    OrganisationKind.SUPPLIER: {Role.SUPPLIER_CONTACT},
    # A community organisation may be a local infrastructure body (a CVS), whose brokers run a wish list.
    OrganisationKind.COMMUNITY: {Role.COMMUNITY_CONTACT, Role.BROKER},
    OrganisationKind.NETWORK: {Role.NETWORK_COORDINATOR, Role.VIEWER, Role.BROKER},
}


class Organisation(TimeStampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    networks = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="network_members",
        limit_choices_to={"kind": OrganisationKind.NETWORK},
        help_text="Anchor networks this organisation belongs to.",
    )
    companies_house_number = models.CharField(max_length=8, blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    # An org-id.guide identifier as published in 360Giving or OCDS data (GB-CHC-1234567, 360G-trafford-…),
    # for organisations known by no Companies House or charity number.
    org_identifier = models.CharField(max_length=200, blank=True, db_index=True)
    # As declared in open data (OCDS `sme`/`vco`) or by the organisation; None: not known.
    is_sme = models.BooleanField(null=True, blank=True, verbose_name="small or medium-sized enterprise")
    is_vcse = models.BooleanField(null=True, blank=True, verbose_name="voluntary, community or social enterprise")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public_body(self) -> bool:
        return self.kind == OrganisationKind.PUBLIC_BODY

    @property
    def is_supplier(self) -> bool:
        return self.kind == OrganisationKind.SUPPLIER


class Membership(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


class Department(TimeStampedModel):
    """A department of a public body: agreements and procurements belong to one, and its budget lines
    say what it plans to achieve through its spending each year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="department_name_unique")]

    def __str__(self) -> str:
        return self.name


class SpendLabelKind(models.TextChoices):
    SERVICE_AREA = "service_area", "Service area"
    COST_CENTRE = "cost_centre", "Cost centre"


class DepartmentSpendLabel(models.Model):
    """A service area or cost centre as it appears in the organisation's spend files, and the department it
    belongs to. A label belongs to one department."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="spend_labels")
    kind = models.CharField(max_length=20, choices=SpendLabelKind.choices)
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["kind", "label"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "label"], name="department_spend_label_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"
