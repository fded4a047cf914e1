"""Factories for tests: each makes a valid object with the fewest choices a test has to state."""

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone as django_timezone

from commonweal.accounts.models import ApiToken, ApiTokenScope, User
from commonweal.accounts.services import api_token_digest
from commonweal.delivery.models import Agreement, Commitment
from commonweal.frameworks.models import (
    DeflatorPoint,
    DeflatorSeries,
    Framework,
    FrameworkVersion,
    Measure,
    Outcome,
    Theme,
    UnitKind,
    ValueSet,
    ValueSetEntry,
)
from commonweal.tenancy.models import Membership, Organisation, OrganisationKind, Role

PASSWORD = "correct-horse-battery-staple"
PDF_BYTES = b"%PDF-1.4\n%test evidence\n%%EOF\n"


def evidence_file(name: str = "evidence.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganisationKind.PUBLIC_BODY


class SupplierFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    slug = factory.Sequence(lambda n: f"supplier-{n}")
    kind = OrganisationKind.SUPPLIER


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CONTRACT_MANAGER


def member_user(organisation: Organisation, role: str) -> User:
    """A new user holding exactly `role` at `organisation`."""
    return MembershipFactory.create(organisation=organisation, role=role).user


class FrameworkVersionFactory(factory.django.DjangoModelFactory[FrameworkVersion]):
    class Meta:
        model = FrameworkVersion

    organisation = factory.SubFactory(OrganisationFactory)
    framework = factory.LazyAttribute(
        lambda o: Framework.objects.get_or_create(organisation=o.organisation, code="test", defaults={"title": "Test"})[
            0
        ]
    )
    number = factory.Sequence(lambda n: n + 1)
    status = "published"


def _outcome(version: FrameworkVersion) -> Outcome:
    theme, _ = Theme.objects.get_or_create(
        organisation=version.organisation, version=version, code="T", defaults={"title": "Theme"}
    )
    outcome, _ = Outcome.objects.get_or_create(
        organisation=version.organisation, version=version, theme=theme, code="T.1", defaults={"title": "Outcome"}
    )
    return outcome


class MeasureFactory(factory.django.DjangoModelFactory[Measure]):
    class Meta:
        model = Measure

    version = factory.SubFactory(FrameworkVersionFactory)
    organisation = factory.SelfAttribute("version.organisation")
    outcome = factory.LazyAttribute(lambda o: _outcome(o.version))
    code = factory.Sequence(lambda n: f"M.{n}")
    title = factory.Sequence(lambda n: f"Measure {n}")
    unit = UnitKind.COUNT


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement

    organisation = factory.SubFactory(OrganisationFactory)
    supplier = factory.SubFactory(SupplierFactory)
    reference = factory.Sequence(lambda n: f"REF-{n:04d}")
    title = factory.Sequence(lambda n: f"Contract {n}")
    value = Decimal("100000.00")
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    framework_version = factory.SubFactory(
        FrameworkVersionFactory, organisation=factory.SelfAttribute("..organisation")
    )


class CommitmentFactory(factory.django.DjangoModelFactory[Commitment]):
    class Meta:
        model = Commitment

    agreement = factory.SubFactory(AgreementFactory)
    organisation = factory.SelfAttribute("agreement.organisation")
    measure = factory.SubFactory(
        MeasureFactory,
        version=factory.SelfAttribute("..agreement.framework_version"),
        organisation=factory.SelfAttribute("..agreement.organisation"),
    )
    target_quantity = Decimal("10")
    due_date = datetime.date(2099, 12, 31)


class NetworkFactory(OrganisationFactory):
    """An anchor network: organisations join it through Organisation.networks."""

    name = factory.Sequence(lambda n: f"Anchor Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")
    kind = OrganisationKind.NETWORK


# --- Value sets and deflators (money equivalents) ---------------------------------------------------


class ValueSetFactory(factory.django.DjangoModelFactory[ValueSet]):
    class Meta:
        model = ValueSet

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"values-{n}")
    title = factory.Sequence(lambda n: f"Value set {n}")
    source = "HM Treasury Green Book (2022), annex A2"
    licence = "Open Government Licence v3.0"
    base_year = 2024
    valid_from = datetime.date(2024, 4, 1)


class ValueSetEntryFactory(factory.django.DjangoModelFactory[ValueSetEntry]):
    class Meta:
        model = ValueSetEntry

    value_set = factory.SubFactory(ValueSetFactory)
    organisation = factory.SelfAttribute("value_set.organisation")
    measure_code = factory.Sequence(lambda n: f"M.{n}")
    value_per_unit = Decimal("100.0000")
    source = "Test source, table 1"
    base_year = factory.SelfAttribute("value_set.base_year")


class DeflatorSeriesFactory(factory.django.DjangoModelFactory[DeflatorSeries]):
    class Meta:
        model = DeflatorSeries

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"deflator-{n}")
    title = factory.Sequence(lambda n: f"Deflator {n}")
    source = "Test index"


def deflator_points(series: DeflatorSeries, index_by_year: dict[int, str]) -> None:
    """Give `series` these points, e.g. {2020: "100", 2024: "120"}."""
    for year, index in index_by_year.items():
        DeflatorPoint.objects.create(organisation=series.organisation, series=series, year=year, index=Decimal(index))


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str


def api_token(user: User, *, scope: str = ApiTokenScope.READ_WRITE, name: str | None = None) -> IssuedToken:
    """A new API token for `user` (read and write unless `scope` says otherwise), with its key. Made directly,
    like every factory's rows, so it adds no audit event to the test's counts (tests/test_api_tokens.py
    tests the service that people use)."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=name or f"Test token {ApiToken.objects.filter(user=user).count() + 1}",
        scope=scope,
        key_digest=api_token_digest(key),
        key_prefix=key[:8],
        expires_at=django_timezone.now() + datetime.timedelta(days=90),
    )
    return IssuedToken(token, key)
