"""Reads for the supplier registry and its classification.

Pages read through a `Member` who holds READ_PUBLIC_BODY (any member of a public body); anyone else
gets a 404, as for another organisation's data. `classification_rows` is read by organisation, for analysis.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from commonweal.core.models import AuditAction, AuditEvent
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import flags, places
from .classification import effective_value
from .models import Label, LivingWageEmployer, SpendPolicy, Supplier, SupplierAlias, SupplierLabel
from .names import normalise_name
from .rules import (
    SOURCE_CHARITY_NUMBER,
    SOURCE_LEGAL_FORM,
    SOURCE_LIVING_WAGE_LIST,
    SOURCE_MANUAL,
    SOURCE_POSTCODE,
)

LABEL_ORDER = [Label.LOCAL, Label.SME, Label.VCSE, Label.LIVING_WAGE]
SOURCE_TITLES = {
    SOURCE_POSTCODE: "Postcode",
    SOURCE_CHARITY_NUMBER: "Charity number",
    SOURCE_LEGAL_FORM: "Legal form in the name",
    SOURCE_LIVING_WAGE_LIST: "Real Living Wage list",
    flags.SOURCE_OCDS: "OCDS file",
    flags.SOURCE_360GIVING: "360Giving file",
    flags.SOURCE_SIZE_LIST: "Size list",
    SOURCE_MANUAL: "Manual override",
}
FLAG_SOURCES = (flags.SOURCE_OCDS, flags.SOURCE_360GIVING, flags.SOURCE_SIZE_LIST)


def _reader(member: Member) -> None:
    permission_require(member, Permission.READ_PUBLIC_BODY)


class ClassRow(NamedTuple):
    """One supplier key (a supplier's normalised name or one of its aliases) with the supplier's
    effective labels: an override beats derived labels; None means unknown."""

    supplier_key: str
    supplier_id: int
    supplier_name: str
    local: bool | None
    sme: bool | None
    vcse: bool | None
    living_wage: bool | None
    district_code: str
    imd_decile: int | None


def classification_rows(*, organisation: Organisation) -> list[ClassRow]:
    """Every supplier key of the organisation with its effective labels, in two queries."""
    names = (
        Supplier.objects.filter(organisation=organisation)
        .order_by()
        .values_list("normalised_name", "pk", "name", "district_code")
    )
    aliases = SupplierAlias.objects.filter(organisation=organisation).values_list(
        "normalised_name", "supplier_id", "supplier__name", "supplier__district_code"
    )
    labels: dict[tuple[int, str], list[tuple[bool, bool]]] = {}
    for supplier_id, label, is_override, value in SupplierLabel.objects.filter(organisation=organisation).values_list(
        "supplier_id", "label", "is_override", "value"
    ):
        labels.setdefault((supplier_id, label), []).append((is_override, value))
    rows = []
    for key, supplier_id, name, district in names.union(aliases, all=True):
        local, sme, vcse, living_wage = (effective_value(labels.get((supplier_id, label), [])) for label in LABEL_ORDER)
        rows.append(
            ClassRow(
                supplier_key=key,
                supplier_id=supplier_id,
                supplier_name=name,
                local=local,
                sme=sme,
                vcse=vcse,
                living_wage=living_wage,
                district_code=district,
                imd_decile=places.district_imd_decile(district),
            )
        )
    return rows


@dataclass(frozen=True)
class EffectiveLabel:
    label: str
    title: str
    value: bool | None
    deciding: SupplierLabel | None  # the label that gives the value (an override, else a "yes", else a "no")

    @property
    def value_text(self) -> str:
        return {True: "Yes", False: "No", None: "Not known"}[self.value]

    @property
    def source_text(self) -> str:
        return SOURCE_TITLES.get(self.deciding.source, self.deciding.source) if self.deciding else ""


def effective_labels(labels: list[SupplierLabel]) -> list[EffectiveLabel]:
    """A supplier's four classifications, each with the label that decides it."""
    result = []
    for label in LABEL_ORDER:
        mine = [item for item in labels if item.label == label]
        value = effective_value((item.is_override, item.value) for item in mine)
        override = next((item for item in mine if item.is_override), None)
        deciding = override or next((item for item in mine if item.value == value), None)
        result.append(EffectiveLabel(label=label, title=Label(label).label, value=value, deciding=deciding))
    return result


@dataclass(frozen=True)
class SupplierRow:
    supplier: Supplier
    labels: list[EffectiveLabel]
    spend: Decimal | None = None  # net, across every payment imported; None: none paid


VALUE_FILTERS = {"yes": "Yes", "no": "No", "unknown": "Not known"}
SUPPLIERS_PER_PAGE = 50


def supplier_list(*, member: Member, query: str = "", label: str = "", value: str = "") -> QuerySet[Supplier]:
    """The organisation's suppliers, optionally those whose name (or alias) contains `query` and whose
    effective `label` is `value` (yes, no or unknown)."""
    _reader(member)
    suppliers = Supplier.objects.filter(organisation=member.organisation)
    query = query.strip()
    if query:
        key = normalise_name(query)
        alias_match = SupplierAlias.objects.filter(supplier=OuterRef("pk"), normalised_name__contains=key)
        suppliers = suppliers.filter(
            Q(name__icontains=query) | Q(normalised_name__contains=key) | Q(Exists(alias_match))
        )
    if label in Label.values and value in VALUE_FILTERS:
        labels = SupplierLabel.objects.filter(supplier=OuterRef("pk"), label=label)
        override_any = Exists(labels.filter(is_override=True))
        override_yes = Exists(labels.filter(is_override=True, value=True))
        override_no = Exists(labels.filter(is_override=True, value=False))
        derived_any = Exists(labels.filter(is_override=False))
        derived_yes = Exists(labels.filter(is_override=False, value=True))
        if value == "yes":
            suppliers = suppliers.filter(override_yes | (~override_any & derived_yes))
        elif value == "no":
            suppliers = suppliers.filter(override_no | (~override_any & derived_any & ~derived_yes))
        else:
            suppliers = suppliers.filter(~override_any & ~derived_any)
    return suppliers.order_by("name", "pk")


def supplier_rows(suppliers: list[Supplier], spend: dict[int, Decimal] | None = None) -> list[SupplierRow]:
    """Rows for a page of suppliers, with their effective labels (one query for all their labels)."""
    labels: dict[int, list[SupplierLabel]] = {supplier.pk: [] for supplier in suppliers}
    for item in SupplierLabel.objects.filter(supplier__in=suppliers):
        labels[item.supplier_id].append(item)
    return [
        SupplierRow(
            supplier=supplier, labels=effective_labels(labels[supplier.pk]), spend=(spend or {}).get(supplier.pk)
        )
        for supplier in suppliers
    ]


SUPPLIER_SORTS = {"spend": "Spend, highest first", "name": "Name (A to Z)"}


def suppliers_page(
    *, member: Member, query: str = "", label: str = "", value: str = "", sort: str = "spend", page: str | None = None
) -> tuple[Page, list[SupplierRow]]:
    """One page of the register, filtered, sorted by net spend (highest first) or by name, with its rows.
    Spend lives in the payment files, so the sort by spend orders the matching suppliers' ids in memory:
    a few numbers each, for tens of thousands of suppliers."""
    from .analytics import spend_by_supplier

    matching = supplier_list(member=member, query=query, label=label, value=value)
    spend = spend_by_supplier(organisation=member.organisation)
    ids = list(matching.values_list("pk", "name"))
    if sort != "name":
        ids.sort(key=lambda pair: (-spend.get(pair[0], Decimal(0)), pair[1], pair[0]))
    current = Paginator([pk for pk, _ in ids], SUPPLIERS_PER_PAGE).get_page(page)
    found = Supplier.objects.in_bulk(list(current.object_list))
    suppliers = [found[pk] for pk in current.object_list]
    return current, supplier_rows(suppliers, spend)


def supplier_get(*, member: Member, pk: int) -> Supplier:
    _reader(member)
    supplier = Supplier.objects.filter(organisation=member.organisation, pk=pk).first()
    if supplier is None:
        raise Http404("No such supplier.")
    return supplier


@dataclass(frozen=True)
class LabelGroup:
    effective: EffectiveLabel
    labels: list[tuple[SupplierLabel, str]]  # every label of this kind with its source's title, override first

    @property
    def override(self) -> SupplierLabel | None:
        return next((label for label, _ in self.labels if label.is_override), None)


HISTORY_ACTIONS: dict[str, str] = {
    AuditAction.SUPPLIER_LABEL_OVERRIDDEN: "Override set",
    AuditAction.SUPPLIER_LABEL_OVERRIDE_REMOVED: "Override removed",
    AuditAction.SUPPLIER_LABEL_CHANGED: "Label changed by classification",
    AuditAction.SUPPLIER_LABEL_REMOVED: "Label removed by classification",
}


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    what: str


@dataclass(frozen=True)
class SupplierDetail:
    supplier: Supplier
    aliases: list[SupplierAlias]
    groups: list[LabelGroup]
    district: places.District | None
    history: list[HistoryEntry]


def supplier_detail(*, member: Member, supplier: Supplier) -> SupplierDetail:
    _reader(member)
    labels = list(SupplierLabel.objects.filter(supplier=supplier).select_related("created_by"))
    groups = [
        LabelGroup(
            effective=effective,
            labels=[
                (item, SOURCE_TITLES.get(item.source, item.source)) for item in labels if item.label == effective.label
            ],
        )
        for effective in effective_labels(labels)
    ]
    return SupplierDetail(
        supplier=supplier,
        aliases=list(SupplierAlias.objects.filter(supplier=supplier).order_by("normalised_name")),
        groups=groups,
        district=places.district_get(supplier.district_code) if supplier.district_code else None,
        history=[
            HistoryEntry(event=event, what=HISTORY_ACTIONS.get(event.action, event.action))
            for event in AuditEvent.objects.for_trail(supplier).order_by("-created_at", "-id")[:50]
        ],
    )


def spend_policy_get(*, member: Member) -> SpendPolicy:
    """The organisation's spend policy, or an empty one (not saved) if it has none yet."""
    _reader(member)
    return SpendPolicy.objects.filter(organisation=member.organisation).first() or SpendPolicy(
        organisation=member.organisation
    )


@dataclass(frozen=True)
class LivingWageSummary:
    employers: int
    sample: list[LivingWageEmployer]
    matched_suppliers: int


def living_wage_summary(*, member: Member) -> LivingWageSummary:
    _reader(member)
    employers = LivingWageEmployer.objects.filter(organisation=member.organisation)
    matched = SupplierLabel.objects.filter(
        organisation=member.organisation, source=SOURCE_LIVING_WAGE_LIST, is_override=False, value=True
    ).count()
    return LivingWageSummary(
        employers=employers.count(), sample=list(employers.order_by("name")[:20]), matched_suppliers=matched
    )


@dataclass(frozen=True)
class FlagsSummary:
    by_source: list[tuple[str, int]]  # (source title, labels from it)


def flags_summary(*, member: Member) -> FlagsSummary:
    _reader(member)
    counts = []
    for source in FLAG_SOURCES:
        count = SupplierLabel.objects.filter(organisation=member.organisation, source=source).count()
        counts.append((SOURCE_TITLES[source], count))
    return FlagsSummary(by_source=counts)


def supplier_counts(*, member: Member) -> dict[str, int]:
    _reader(member)
    return {
        "suppliers": Supplier.objects.filter(organisation=member.organisation).count(),
        "aliases": SupplierAlias.objects.filter(organisation=member.organisation).count(),
    }
