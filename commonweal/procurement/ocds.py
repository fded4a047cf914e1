"""OCDS 1.1 in and out, pure: read release packages into plain dataclasses, and build, check and write
a release package from plain data. No database; `services_opendata` does the matching and the writes.

Reading follows what Contracts Finder actually publishes (see docs/procurement-open-data.md): `null`
and `""` everywhere (both mean "missing"), HTML entities in names and text ("L&amp;Q"), the whole
address in `streetAddress`, `sme`/`vco` booleans on the party itself (OCDS 1.1's `details.scale`,
and `details.sme`/`details.vco`/`details.vcse`, are read too), no `mainProcurementCategory` (the old
`xClassifications.ojeuContractType`, else the CPV division, says goods, services or works), and
releases tagged `tender` that carry `awards`. CPV codes are read wherever OCDS puts them
(`tender.classification`, `tender.additionalClassifications`, `tender.items[].classification` and
`items[].additionalClassifications`). Sell2Wales and Public Contracts Scotland habits are read too:
releases without an `id`, and values in other currencies (kept with their currency). Numbers are read
as `Decimal`, never float.

Writing validates against the bundled OCDS 1.1.5 schema (`data/ocds-1.1.5/`, Apache-2.0) with
`jsonschema.Draft4Validator`, resolving `release-schema.json` locally: no network.
"""

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from commonweal.spend.classification import charity_number_clean, company_number_clean

LONDON = ZoneInfo("Europe/London")
CURRENCY = "GBP"
SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "ocds-1.1.5"
OCDS_VERSION = "1.1"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"
)
LICENSE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

CATEGORIES = ("goods", "services", "works")
# Contracts Finder's pre-1.1 field, xClassifications.ojeuContractType.
OJEU_CATEGORIES = {"products": "goods", "supplies": "goods", "services": "services", "works": "works"}
COMPANY_SCHEMES = {"GB-COH"}
CHARITY_SCHEMES = {"GB-CHC", "GB-SC", "GB-NIC"}
SME_SCALES = {"micro": True, "sme": True, "selfemployed": True, "large": False}
AVERAGE_MONTH_DAYS = 365.25 / 12


# --- Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """An organisation named in a release. `identifier_scheme`/`identifier_id` are as published
    (for any scheme); the Companies House and charity numbers are cleaned from them."""

    id: str
    name: str
    roles: tuple[str, ...] = ()
    identifier_scheme: str = ""
    identifier_id: str = ""
    companies_house_number: str = ""
    charity_number: str = ""
    street_address: str = ""
    postal_code: str = ""
    sme: bool | None = None
    vcse: bool | None = None


@dataclass(frozen=True)
class AwardSupplier:
    party: Party
    value: Decimal | None  # Contracts Finder's per-party `x_awardValue`, when published (in the award's currency)


@dataclass(frozen=True)
class AwardNotice:
    id: str
    title: str
    status: str
    awarded_at: datetime | None
    value: Decimal | None
    suppliers: tuple[AwardSupplier, ...]
    start_date: date | None  # the contract period, in Europe/London
    end_date: date | None
    currency: str = CURRENCY  # of `value` (and the suppliers' shares)


@dataclass(frozen=True)
class Notice:
    """One release: a tender or award notice, as much as the import needs of it."""

    position: int  # 1 for the first release of the file
    release_id: str
    ocid: str
    released_at: datetime | None
    buyer: Party
    title: str
    description: str
    value: Decimal
    category: str  # goods, services or works
    tender_status: str
    tender_start: datetime | None
    tender_end: datetime | None
    enquiry_end: datetime | None
    contract_start: date | None
    contract_end: date | None
    awards: tuple[AwardNotice, ...]
    currency: str = CURRENCY  # of `value`, as published (ISO 4217)
    cpv_codes: tuple[str, ...] = ()  # 8-digit CPV codes, the main one first, without check digits


@dataclass(frozen=True)
class Rejection:
    file: str
    position: int | None  # None: the whole file
    release_id: str
    reason: str

    def __str__(self) -> str:
        if self.position is None:
            return f"{self.file}: {self.reason}"
        named = f" ({self.release_id})" if self.release_id else ""
        return f"{self.file}, release {self.position}{named}: {self.reason}"


@dataclass(frozen=True)
class PackageRead:
    file: str
    notices: tuple[Notice, ...]
    rejections: tuple[Rejection, ...]


class _Problem(Exception):
    """A field of a release that cannot be read; collected into the release's rejection."""


def text(value: Any) -> str:
    """A published string with HTML entities decoded and spaces trimmed; "" for null, "" and non-strings."""
    if isinstance(value, str):
        return html.unescape(value).strip()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def currency_of(value: Any) -> str:
    """A Value object's currency (ISO 4217, upper case); pounds when it names none."""
    return text(_object(value).get("currency")).upper() or CURRENCY


def amount(value: Any, where: str) -> Decimal | None:
    """A Value object's amount as Decimal, in its own currency (`currency_of`); None when missing. A
    negative or an unreadable amount is a problem."""
    value = _object(value)
    raw = value.get("amount")
    if raw is None or raw == "":
        return None
    named = text(value.get("currency"))
    if named and not (len(named) == 3 and named.isalpha()):
        raise _Problem(f"{where} has the currency “{named}”, which is not a three-letter ISO 4217 code")
    if isinstance(raw, bool):
        raise _Problem(f"{where} is not a number")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise _Problem(f"{where} “{raw}” is not a number") from None
    if not number.is_finite():
        raise _Problem(f"{where} is not a number")
    if number < 0:
        raise _Problem(f"{where} is negative")
    return number.quantize(Decimal("0.01"))


def moment(value: Any, where: str) -> datetime | None:
    """An OCDS date-time, timezone-aware (a date or a naive time is taken as UTC); None when missing."""
    raw = text(value)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise _Problem(f"{where} “{raw}” is not a date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def london_date(value: datetime | None) -> date | None:
    return value.astimezone(LONDON).date() if value is not None else None


def _party(value: Any) -> Party:
    party = _object(value)
    identifier = _object(party.get("identifier"))
    details = _object(party.get("details"))
    scheme = text(identifier.get("scheme")).upper()
    identifier_id = text(identifier.get("id"))
    company = charity = ""
    for candidate in [identifier, *(_object(extra) for extra in _list(party.get("additionalIdentifiers")))]:
        candidate_scheme = text(candidate.get("scheme")).upper()
        candidate_id = text(candidate.get("id"))
        if candidate_scheme in COMPANY_SCHEMES and not company:
            company = company_number_clean(candidate_id)
        elif candidate_scheme in CHARITY_SCHEMES and not charity:
            charity = charity_number_clean(candidate_id)
    scale = text(details.get("scale")).lower()
    sme = SME_SCALES.get(scale)
    if sme is None:
        sme = _bool(details.get("sme"))
    if sme is None:
        sme = _bool(party.get("sme"))
    # OCDS for the UK puts `vcse` in details; Contracts Finder's older `vco` sits in details or on the party.
    vcse = next(
        (
            flag
            for flag in (
                _bool(details.get("vcse")),
                _bool(details.get("vco")),
                _bool(party.get("vcse")),
                _bool(party.get("vco")),
            )
            if flag is not None
        ),
        None,
    )
    address = _object(party.get("address"))
    return Party(
        id=text(party.get("id")),
        name=text(party.get("name")) or text(identifier.get("legalName")),
        roles=tuple(text(role) for role in _list(party.get("roles")) if text(role)),
        identifier_scheme=scheme if identifier_id else "",
        identifier_id=identifier_id if scheme else "",
        companies_house_number=company,
        charity_number=charity,
        street_address=text(address.get("streetAddress")),
        postal_code=text(address.get("postalCode")),
        sme=sme,
        vcse=vcse,
    )


def _cpv(classification: Any) -> str:
    """The 8-digit CPV code of a Classification object ("45000000-7" → "45000000"); "" when it is not CPV."""
    classification = _object(classification)
    if text(classification.get("scheme")).upper() != "CPV":
        return ""
    digits = text(classification.get("id")).split("-")[0].replace(" ", "")
    return digits if len(digits) == 8 and digits.isdigit() else ""


def cpv_codes(tender: dict[str, Any]) -> tuple[str, ...]:
    """Every CPV code of a tender, once each, the main one first: `tender.classification` (used by
    Find a Tender, Sell2Wales and Public Contracts Scotland), `tender.additionalClassifications`, then each
    item's `classification` and `additionalClassifications` (Contracts Finder)."""
    found: list[Any] = [tender.get("classification"), *_list(tender.get("additionalClassifications"))]
    for item in _list(tender.get("items")):
        item = _object(item)
        found += [item.get("classification"), *_list(item.get("additionalClassifications"))]
    codes: list[str] = []
    for classification in found:
        code = _cpv(classification)
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def category_of(tender: dict[str, Any]) -> str | None:
    """goods, services or works: `mainProcurementCategory`, else Contracts Finder's
    `xClassifications.ojeuContractType`, else the division of the first CPV code (45 is works, 01–44
    and 48 goods, the rest services)."""
    main = text(tender.get("mainProcurementCategory")).lower()
    if main in CATEGORIES:
        return main
    ojeu = text(_object(tender.get("xClassifications")).get("ojeuContractType")).lower()
    if ojeu in OJEU_CATEGORIES:
        return OJEU_CATEGORIES[ojeu]
    for code in cpv_codes(tender):
        division = int(code[:2])
        return "works" if division == 45 else "goods" if division <= 44 or division == 48 else "services"
    return None


def _period(value: Any, where: str) -> tuple[datetime | None, datetime | None]:
    period = _object(value)
    return moment(period.get("startDate"), f"{where}.startDate"), moment(period.get("endDate"), f"{where}.endDate")


def _award(
    value: Any, index: int, parties: dict[str, Party], raw_parties: dict[str, dict[str, Any]], problems: list[str]
) -> AwardNotice | None:
    award = _object(value)
    where = f"awards[{index}]"
    award_id = text(award.get("id"))
    if not award_id:
        problems.append(f"{where} has no id")
        return None
    try:
        award_value = amount(award.get("value"), f"{where}.value")
        award_date = moment(award.get("date"), f"{where}.date")
        start, end = _period(award.get("contractPeriod"), f"{where}.contractPeriod")
    except _Problem as problem:
        problems.append(str(problem))
        return None
    suppliers = []
    for position, reference in enumerate(_list(award.get("suppliers"))):
        reference = _object(reference)
        party = parties.get(text(reference.get("id")))
        if party is None:
            party = Party(id=text(reference.get("id")), name=text(reference.get("name")))
        if not party.name:
            problems.append(f"{where}.suppliers[{position}] has no name")
            continue
        try:
            share = amount(raw_parties.get(party.id, {}).get("x_awardValue"), "x_awardValue")
        except _Problem:
            share = None  # a per-party share is extra detail: an unreadable one is left out
        suppliers.append(AwardSupplier(party=party, value=share))
    if not suppliers:
        problems.append(f"{where} names no supplier")
        return None
    return AwardNotice(
        id=award_id,
        title=text(award.get("title")),
        status=text(award.get("status")),
        awarded_at=award_date,
        value=award_value,
        suppliers=tuple(suppliers),
        start_date=london_date(start),
        end_date=london_date(end),
        currency=currency_of(award.get("value")),
    )


def notice_read(release: Any, *, position: int) -> Notice:
    """One release as a Notice; raises ValueError naming every problem that stops it being imported."""
    if not isinstance(release, dict):
        raise ValueError("is not a JSON object")
    problems: list[str] = []
    ocid = text(release.get("ocid"))
    if not ocid:
        problems.append("has no ocid")
    raw_parties = {
        text(_object(p).get("id")): _object(p) for p in _list(release.get("parties")) if text(_object(p).get("id"))
    }
    parties = {party_id: _party(raw) for party_id, raw in raw_parties.items()}
    buyer_ref = _object(release.get("buyer"))
    buyer = parties.get(text(buyer_ref.get("id"))) or Party(
        id=text(buyer_ref.get("id")), name=text(buyer_ref.get("name"))
    )
    if not buyer.name:
        buyer = next((party for party in parties.values() if "buyer" in party.roles), buyer)
    if not buyer.name:
        problems.append("names no buyer")
    tender = _object(release.get("tender"))
    title = text(tender.get("title"))
    if not title:
        problems.append("has no tender title")
    value: Decimal | None = None
    try:
        value = amount(tender.get("value"), "tender.value")
    except _Problem as problem:
        problems.append(str(problem))
    category = category_of(tender)
    if category is None:
        problems.append("says neither mainProcurementCategory nor a CPV code, so goods, services or works is unknown")
    dates: dict[str, datetime | None] = {}
    for key, where in (
        ("tenderPeriod", "tender.tenderPeriod"),
        ("enquiryPeriod", "tender.enquiryPeriod"),
        ("contractPeriod", "tender.contractPeriod"),
    ):
        try:
            dates[f"{key}.start"], dates[f"{key}.end"] = _period(tender.get(key), where)
        except _Problem as problem:
            problems.append(str(problem))
    release_date = None
    try:
        release_date = moment(release.get("date"), "date")
    except _Problem as problem:
        problems.append(str(problem))
    awards = [
        award
        for index, raw in enumerate(_list(release.get("awards")))
        if (award := _award(raw, index, parties, raw_parties, problems)) is not None
    ]
    currency = currency_of(tender.get("value"))
    # Contracts Finder writes 0 where the estimate was not given; the awards then say what it was worth
    # (when they are all in one currency).
    award_currencies = {award.currency for award in awards}
    if (
        (value is None or value == 0)
        and awards
        and all(award.value is not None for award in awards)
        and len(award_currencies) == 1
    ):
        value = sum((award.value for award in awards if award.value is not None), Decimal("0"))
        currency = award_currencies.pop()
    if value is None and not any("tender.value" in problem for problem in problems):
        problems.append("has no value (neither tender.value nor a value on every award)")
    if problems:
        raise ValueError("; ".join(problems))
    assert value is not None and category is not None
    return Notice(
        position=position,
        release_id=text(release.get("id")),
        ocid=ocid,
        released_at=release_date,
        buyer=buyer,
        title=title,
        description=text(tender.get("description")),
        value=value,
        category=category,
        tender_status=text(tender.get("status")),
        tender_start=dates.get("tenderPeriod.start"),
        tender_end=dates.get("tenderPeriod.end"),
        enquiry_end=dates.get("enquiryPeriod.end"),
        contract_start=london_date(dates.get("contractPeriod.start")),
        contract_end=london_date(dates.get("contractPeriod.end")),
        awards=tuple(awards),
        currency=currency,
        cpv_codes=cpv_codes(tender),
    )


def _releases(document: dict[str, Any]) -> Iterator[Any]:
    if isinstance(document.get("releases"), list):
        yield from document["releases"]
    elif isinstance(document.get("records"), list):
        for record in document["records"]:
            record = _object(record)
            if isinstance(record.get("compiledRelease"), dict):
                yield record["compiledRelease"]
            else:
                yield from _list(record.get("releases"))


def package_read(content: bytes, *, file: str) -> PackageRead:
    """Every release of an OCDS release (or record) package, read or rejected with its reason."""
    try:
        document = json.loads(content.decode("utf-8-sig"), parse_float=Decimal, parse_int=Decimal)
    except UnicodeDecodeError:
        return PackageRead(file, (), (Rejection(file, None, "", "is not UTF-8 text"),))
    except json.JSONDecodeError as error:
        return PackageRead(file, (), (Rejection(file, None, "", f"is not JSON (line {error.lineno}: {error.msg})"),))
    if not isinstance(document, dict) or not (
        isinstance(document.get("releases"), list) or isinstance(document.get("records"), list)
    ):
        return PackageRead(file, (), (Rejection(file, None, "", "is not an OCDS release or record package"),))
    notices: list[Notice] = []
    rejections: list[Rejection] = []
    for position, release in enumerate(_releases(document), start=1):
        release_id = text(_object(release).get("id"))
        try:
            notices.append(notice_read(release, position=position))
        except ValueError as error:
            rejections.append(Rejection(file, position, release_id, str(error)))
    if not notices and not rejections:
        rejections.append(Rejection(file, None, "", "holds no releases"))
    return PackageRead(file, tuple(notices), tuple(rejections))


def duration_months(start: date | None, end: date | None) -> int:
    """The contract period in whole months (rounded, at least 1); 0 when it is not known."""
    if start is None or end is None or end < start:
        return 0
    return max(1, round(((end - start).days + 1) / AVERAGE_MONTH_DAYS))


# --- Writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyOut:
    id: str
    name: str
    roles: tuple[str, ...]
    companies_house_number: str = ""
    charity_number: str = ""
    sme: bool | None = None
    vcse: bool | None = None


@dataclass(frozen=True)
class CriterionOut:
    code: str
    title: str
    kind: str  # price, quality or social_value
    weight: Decimal
    minimum_score: Decimal | None = None


@dataclass(frozen=True)
class LotOut:
    id: str
    title: str
    description: str = ""
    value: Decimal | None = None


@dataclass(frozen=True)
class KpiOut:
    """A social value commitment of the contract (a delivery KPI)."""

    id: str
    measure_code: str
    measure_title: str
    target_quantity: Decimal
    unit: str  # the framework's unit code: count, fte, weeks, hours, days, gbp, tco2e, percent
    unit_label: str
    due_date: date
    place_code: str = ""
    beneficiary_group: str = ""
    # What was delivered (verified), once delivery is reported: the milestone's status is then met,
    # partiallyMet or notMet. A small count of people is not given, only its text ("fewer than 10").
    status: str = "scheduled"
    delivered_quantity: Decimal | None = None
    delivered_text: str = ""


@dataclass(frozen=True)
class AwardOut:
    id: str
    status: str  # pending, active, cancelled, unsuccessful
    date: datetime
    value: Decimal
    supplier_ids: tuple[str, ...]
    lot_ids: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    currency: str = CURRENCY


@dataclass(frozen=True)
class ContractOut:
    id: str
    award_id: str
    title: str
    status: str  # pending, active, cancelled, terminated
    value: Decimal
    start_date: date
    end_date: date
    kpis: tuple[KpiOut, ...] = ()


@dataclass(frozen=True)
class ProcurementOut:
    ocid: str
    reference: str
    title: str
    description: str
    status: str  # OCDS tenderStatus: planning, active, complete, cancelled
    value: Decimal
    category: str
    buyer_id: str
    parties: tuple[PartyOut, ...]
    tenderer_ids: tuple[str, ...] = ()
    tender_start: datetime | None = None
    tender_end: datetime | None = None
    enquiry_end: datetime | None = None
    award_start: datetime | None = None
    award_end: datetime | None = None
    contract_months: int = 0
    price_method: str = ""  # in words
    criteria: tuple[CriterionOut, ...] = ()
    lots: tuple[LotOut, ...] = ()
    awards: tuple[AwardOut, ...] = ()
    contracts: tuple[ContractOut, ...] = field(default=())
    currency: str = CURRENCY  # of the estimated value, the lots' values and the contracts' values
    cpv_codes: tuple[str, ...] = ()  # the main one first


def _money(value: Decimal, currency: str = CURRENCY) -> dict[str, Any]:
    return {"amount": value, "currency": currency}


def _when(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(value: date, *, end: bool = False) -> str:
    """A date as the Europe/London midnight (or the last second, for an end) it stands for, in UTC."""
    start = datetime(value.year, value.month, value.day, tzinfo=LONDON)
    if end:
        start = start + timedelta(days=1) - timedelta(seconds=1)
    return _when(start)


def _period_out(start: datetime | None, end: datetime | None) -> dict[str, Any]:
    period: dict[str, Any] = {}
    if start is not None:
        period["startDate"] = _when(start)
    if end is not None:
        period["endDate"] = _when(end)
    return period


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def criteria_details(criteria: tuple[CriterionOut, ...], price_method: str) -> str:
    """The weighting in words: "Price 40% (lowest price ÷ bid price); Quality 40%: Q1 … 20%, …"."""
    kinds = (("price", "Price"), ("quality", "Quality"), ("social_value", "Social value"))
    parts = []
    for kind, label in kinds:
        members = [criterion for criterion in criteria if criterion.kind == kind]
        if not members:
            continue
        weight = sum((criterion.weight for criterion in members), Decimal("0"))
        head = f"{label} {_number(weight)}%"
        if kind == "price":
            parts.append(head + (f" ({price_method})" if price_method else ""))
            continue
        items = []
        for criterion in members:
            item = f"{criterion.code} {criterion.title} {_number(criterion.weight)}%"
            if criterion.minimum_score is not None:
                item += f" (a score below {_number(criterion.minimum_score)} disqualifies)"
            items.append(item)
        parts.append(f"{head}: " + ", ".join(items))
    return "; ".join(parts) + ("." if parts else "")


def _party_out(party: PartyOut) -> dict[str, Any]:
    out: dict[str, Any] = {"id": party.id, "name": party.name, "roles": list(party.roles)}
    if party.companies_house_number:
        out["identifier"] = {"scheme": "GB-COH", "id": party.companies_house_number, "legalName": party.name}
    elif party.charity_number:
        out["identifier"] = {"scheme": "GB-CHC", "id": party.charity_number, "legalName": party.name}
    details: dict[str, Any] = {}
    if party.sme is not None:
        details["scale"] = "sme" if party.sme else "large"
    if party.vcse is not None:
        details["vcse"] = party.vcse
    if details:
        out["details"] = details
    return out


def _quantity(kpi: KpiOut) -> str:
    """4 (a count), £5000, 52.5 weeks."""
    number = _number(kpi.target_quantity)
    if kpi.unit == "count" or not kpi.unit_label:
        return number
    return f"£{number}" if kpi.unit == "gbp" else f"{number} {kpi.unit_label}"


def _kpi_milestone(kpi: KpiOut) -> dict[str, Any]:
    where = f" in {kpi.place_code}" if kpi.place_code else ""
    whom = f" for {kpi.beneficiary_group}" if kpi.beneficiary_group else ""
    commitment: dict[str, Any] = {
        "measureCode": kpi.measure_code,
        "measureTitle": kpi.measure_title,
        "targetQuantity": kpi.target_quantity,
        "unit": kpi.unit,
        "dueDate": kpi.due_date.isoformat(),
    }
    if kpi.place_code:
        commitment["placeCode"] = kpi.place_code
    if kpi.beneficiary_group:
        commitment["beneficiaryGroup"] = kpi.beneficiary_group
    if kpi.delivered_quantity is not None:
        commitment["deliveredQuantity"] = kpi.delivered_quantity
    if kpi.delivered_text:
        commitment["deliveredQuantityText"] = kpi.delivered_text
    return {
        "id": kpi.id,
        "title": kpi.measure_title,
        "type": "delivery",
        "code": kpi.measure_code,
        "description": (
            f"Social value commitment {kpi.measure_code} {kpi.measure_title}: {_quantity(kpi)}{where}{whom}, "
            f"by {kpi.due_date:%d %B %Y}."
        ),
        "dueDate": _day(kpi.due_date, end=True),
        "status": kpi.status,
        "socialValueCommitment": commitment,
    }


def release_package(data: ProcurementOut, *, published: datetime, uri: str, publisher: str) -> dict[str, Any]:
    """An OCDS 1.1 release package of one release about one procurement (see the module docs and
    docs/procurement-open-data.md for the mapping). Amounts stay Decimal until `package_json`."""
    tender: dict[str, Any] = {
        "id": data.reference,
        "title": data.title,
        "status": data.status,
        "value": _money(data.value, data.currency),
        "mainProcurementCategory": data.category,
    }
    if data.cpv_codes:
        # OCDS 1.1 classifies the items: one item carries the main CPV code and the others beside it.
        main, *others = data.cpv_codes
        item: dict[str, Any] = {"id": "1", "classification": {"scheme": "CPV", "id": main}}
        if others:
            item["additionalClassifications"] = [{"scheme": "CPV", "id": code} for code in others]
        tender["items"] = [item]
    if data.description:
        tender["description"] = data.description
    for key, start, end in (
        ("tenderPeriod", data.tender_start, data.tender_end),
        ("enquiryPeriod", data.tender_start, data.enquiry_end),
        ("awardPeriod", data.award_start, data.award_end),
    ):
        period = _period_out(start, end)
        if period:
            tender[key] = period
    if data.contract_months:
        tender["contractPeriod"] = {"durationInDays": round(data.contract_months * AVERAGE_MONTH_DAYS)}
    if data.criteria:
        tender["awardCriteria"] = "ratedCriteria"
        tender["awardCriteriaDetails"] = criteria_details(data.criteria, data.price_method)
    if data.tenderer_ids:
        names = {party.id: party.name for party in data.parties}
        tender["tenderers"] = [{"id": party_id, "name": names[party_id]} for party_id in data.tenderer_ids]
        tender["numberOfTenderers"] = len(data.tenderer_ids)
    if data.lots:
        tender["lots"] = [
            {
                "id": lot.id,
                "title": lot.title,
                **({"description": lot.description} if lot.description else {}),
                **({"value": _money(lot.value, data.currency)} if lot.value is not None else {}),
                "status": data.status,
            }
            for lot in data.lots
        ]
    names = {party.id: party.name for party in data.parties}
    awards = [
        {
            "id": award.id,
            **({"title": award.title} if award.title else {}),
            **({"description": award.description} if award.description else {}),
            "status": award.status,
            "date": _when(award.date),
            "value": _money(award.value, award.currency),
            "suppliers": [{"id": party_id, "name": names[party_id]} for party_id in award.supplier_ids],
            **({"relatedLots": list(award.lot_ids)} if award.lot_ids else {}),
        }
        for award in data.awards
    ]
    contracts = [
        {
            "id": contract.id,
            "awardID": contract.award_id,
            "title": contract.title,
            "status": contract.status,
            "value": _money(contract.value, CURRENCY),
            "period": {"startDate": _day(contract.start_date), "endDate": _day(contract.end_date, end=True)},
            **({"milestones": [_kpi_milestone(kpi) for kpi in contract.kpis]} if contract.kpis else {}),
        }
        for contract in data.contracts
    ]
    tags = ["tender"] if not awards else ["award", "contract"] if contracts else ["award"]
    release: dict[str, Any] = {
        "ocid": data.ocid,
        "id": f"{data.ocid}-{published.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "date": _when(published),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [_party_out(party) for party in data.parties],
        "buyer": {"id": data.buyer_id, "name": names[data.buyer_id]},
        "tender": tender,
    }
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _when(published),
        "publisher": {"name": publisher},
        "license": LICENSE_URL,
        "releases": [release],
    }
    if data.lots:
        package["extensions"] = [LOTS_EXTENSION]
    return package


@dataclass(frozen=True)
class ImplementationOut:
    """One contract as it is being delivered: its buyer, supplier, award and KPIs with what was delivered."""

    ocid: str
    buyer: PartyOut
    supplier: PartyOut
    award_id: str
    award_date: datetime
    contract: ContractOut


def implementation_release_package(
    items: tuple[ImplementationOut, ...], *, published: datetime, uri: str, publisher: str
) -> dict[str, Any]:
    """An OCDS 1.1 release package of `implementation` releases, one a contract: the contract's social
    value KPIs as milestones carrying the delivered (verified) quantity and met / notMet status."""
    releases = []
    for item in items:
        contract = item.contract
        releases.append(
            {
                "ocid": item.ocid,
                "id": f"{item.ocid}-implementation-{published.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                "date": _when(published),
                "tag": ["implementation"],
                "initiationType": "tender",
                "language": "en",
                "parties": [_party_out(item.buyer), _party_out(item.supplier)],
                "buyer": {"id": item.buyer.id, "name": item.buyer.name},
                "awards": [
                    {
                        "id": item.award_id,
                        "status": "active",
                        "date": _when(item.award_date),
                        "value": _money(contract.value, CURRENCY),
                        "suppliers": [{"id": item.supplier.id, "name": item.supplier.name}],
                    }
                ],
                "contracts": [
                    {
                        "id": contract.id,
                        "awardID": item.award_id,
                        "title": contract.title,
                        "status": contract.status,
                        "value": _money(contract.value, CURRENCY),
                        "period": {
                            "startDate": _day(contract.start_date),
                            "endDate": _day(contract.end_date, end=True),
                        },
                        **({"milestones": [_kpi_milestone(kpi) for kpi in contract.kpis]} if contract.kpis else {}),
                    }
                ],
            }
        )
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _when(published),
        "publisher": {"name": publisher},
        "license": LICENSE_URL,
        "releases": releases,
    }


@cache
def _schemas() -> tuple[dict[str, Any], Registry]:
    package_schema = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text(encoding="utf-8"))
    release_schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resource(
        release_schema["id"], Resource.from_contents(release_schema, default_specification=DRAFT4)
    )
    return package_schema, registry


def package_problems(package: Any) -> list[str]:
    """Every way `package` breaks the OCDS 1.1.5 release package schema, each as "path: message";
    empty when it is valid. Offline: the release schema comes from the bundled copy."""
    schema, registry = _schemas()
    validator = jsonschema.Draft4Validator(schema, registry=registry)
    problems = []
    for error in sorted(validator.iter_errors(package), key=lambda error: list(map(str, error.absolute_path))):
        path = "/".join(str(part) for part in error.absolute_path) or "(the package)"
        problems.append(f"{path}: {error.message}")
    return problems


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # JSON numbers are text: an integral amount is written without decimals, others as the shortest
        # float text that reads back to the same number (two-place pounds always do).
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def package_json(package: dict[str, Any]) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False, default=_json_default) + "\n"


def json_loads(content: str) -> Any:
    """Read a package back with amounts as Decimal (for tests and re-validation)."""
    return json.loads(content, parse_float=Decimal)
