"""Writes for the supplier registry and its classification: building the registry from an import's
payments, (re)classifying, manual overrides, the spend policy, the Real Living Wage list and flags from
OCDS and 360Giving files.

Labels and where they come from (`SupplierLabel.source`):

- **postcode** (local): the supplier's postcode is in one of the policy's local districts (yes) or in
  another district (no); no postcode, or one not in the directory, is no label (unknown).
- **charity-number** (VCSE): the payments give a registered charity number.
- **legal-form** (VCSE): the name ends with a VCSE legal form (CIC, CIO, charity, …; see
  `classification.VCSE_NAME_FORMS`).
- **living-wage-list** (Real Living Wage): the name is on the organisation's uploaded list (yes), or a
  list is loaded and it is not (no).
- **ocds** (SME, VCSE): an OCDS party matching the supplier has `sme`/`vco` flags or `details.scale`.
- **360giving** (VCSE): a 360Giving grant's recipient organisation matches the supplier.
- **size-list** (SME): an uploaded size list gives the supplier's size.
- **manual** (any): a person's override, with a reason; it beats every other label.

The first four are recomputed by every classification from what the registry holds; the flag sources
stay until the next flags file about the same supplier says otherwise; overrides stay until removed.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record
from commonweal.core.bulk import bulk_insert
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, PermissionRefused, permission_require
from commonweal.tenancy.selectors import Member

from . import duck, places
from . import flags as flags_module
from .classification import (
    NameEntry,
    charity_number_clean,
    cluster_names,
    company_number_clean,
    core_name,
    vat_number_clean,
    vcse_name_form,
)
from .flags import FlagRecord, FlagsFileError, flags_read
from .models import Label, LivingWageEmployer, SpendImport, SpendPolicy, Supplier, SupplierAlias, SupplierLabel
from .names import normalise_name
from .rules import (
    DERIVED_SOURCES,
    RULE_FIELDS,
    SOURCE_CHARITY_NUMBER,
    SOURCE_LEGAL_FORM,
    SOURCE_LIVING_WAGE_LIST,
    SOURCE_MANUAL,
    SOURCE_POSTCODE,
    PolicyRule,
)

DETAIL_MAX = 300  # SupplierLabel.detail
MAX_KEY_LENGTH = 300  # Supplier.normalised_name, SupplierAlias.normalised_name
LIVING_WAGE_NAME_COLUMNS = ("employer", "employer name", "name", "organisation", "organisation name", "company")
LIVING_WAGE_MAX_BYTES = 20 * 1024 * 1024


def _detail(text: str) -> str:
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


# --- The registry --------------------------------------------------------------------------------


@dataclass
class KeyFacts:
    """What an import's payments say about one supplier key."""

    name: str
    payments: int
    numbers: dict[str, str] = field(default_factory=dict)  # field name → cleaned value


NUMBER_COLUMNS: dict[str, Any] = {
    "companies_house_number": company_number_clean,
    "vat_number": vat_number_clean,
    "charity_number": charity_number_clean,
    "postcode": places.postcode_normalise,
}
# A new supplier's row, for bulk_insert: the district is worked out from the postcode as it is stored.
SUPPLIER_INSERT_COLUMNS = ("organisation", "name", "normalised_name", *NUMBER_COLUMNS, "district_code")
PARQUET_NUMBER_COLUMNS = {
    "companies_house_number": "companies_house_number",
    "vat_number": "vat_number",
    "charity_number": "charity_number",
    "postcode": "supplier_postcode",
}


def supplier_key_facts(connection: duck.Connection, source: str) -> dict[str, KeyFacts]:
    """Each supplier key in an import's payments file with its most common spelling, payment count and
    numbers, aggregated by DuckDB (the Python side sees one row per key and per distinct number).

    `connection` is an open one: the import passes its own, so the registry update opens no other."""
    # `source` is a relation from duck (parquet_list_sql or parquet_source); the column names are this
    # module's constants.
    where = "supplier_key IS NOT NULL AND supplier_key <> '' AND NOT coalesce(redacted, false)"
    payments = f"SELECT * FROM {source} WHERE {where}"  # noqa: S608
    numbers_sql = " UNION ALL ".join(
        f"SELECT supplier_key, '{name}' AS kind, trim({column}) AS value, count(*) AS n FROM registry_payments "  # noqa: S608
        f"WHERE nullif(trim({column}), '') IS NOT NULL GROUP BY ALL"
        for name, column in PARQUET_NUMBER_COLUMNS.items()
    )
    connection.execute(f"CREATE OR REPLACE TEMP VIEW registry_payments AS {payments}")
    names = connection.execute(
        """SELECT supplier_key, first(supplier_name ORDER BY n DESC, supplier_name), sum(n)::BIGINT
           FROM (SELECT supplier_key, trim(supplier_name) AS supplier_name, count(*) AS n
                 FROM registry_payments GROUP BY ALL)
           GROUP BY supplier_key"""
    ).fetchall()
    number_rows = connection.execute(f"{numbers_sql} ORDER BY n DESC, value").fetchall()
    # A key longer than the register's column (300) cannot be stored whole, and a cut key would no longer
    # match its payments: such a payee (a description pasted into the name column) is left out.
    facts = {
        key: KeyFacts(name=(name or key)[:300], payments=int(count))
        for key, name, count in names
        if len(key) <= MAX_KEY_LENGTH
    }
    for key, kind, value, _count in number_rows:
        entry = facts.get(key)
        cleaned = NUMBER_COLUMNS[kind](value)
        # Rows come most common first: the first valid value of each kind is kept.
        if entry is not None and cleaned and kind not in entry.numbers:
            entry.numbers[kind] = cleaned
    return facts


@dataclass(frozen=True)
class RegistryUpdate:
    keys: int  # distinct supplier keys in the import
    suppliers_created: int
    aliases_created: int
    suppliers_updated: int  # existing suppliers given a number or postcode they lacked


NewAlias = tuple[str, str, int | None, str]  # alias key, how, supplier id, or its new supplier's key


@transaction.atomic
def supplier_registry_update(
    *, actor: User | None, member: Member, spend_import: SpendImport, facts: dict[str, KeyFacts] | None = None
) -> RegistryUpdate:
    """Add the import's suppliers to the organisation's registry, clustering near-duplicate names
    (`classification.cluster_names`), attach the numbers and postcodes the payments give, then
    reclassify. Redacted and blank names never become suppliers. Called by the import service once an
    import has succeeded; its audit event is the import's own (this records per-supplier events only
    where an existing label changes). `facts` are the import's `supplier_key_facts`, when the caller has
    them already."""
    permission_require(member, Permission.MANAGE_SPEND)
    organisation = member.organisation
    if spend_import.organisation_id != organisation.pk:
        raise PermissionRefused("No such import.")
    if not spend_import.parquet_path:
        return RegistryUpdate(0, 0, 0, 0)
    if facts is None:
        facts = _import_key_facts(spend_import)

    suppliers = {s.pk: s for s in Supplier.objects.filter(organisation=organisation)}
    known: dict[str, int] = {s.normalised_name: s.pk for s in suppliers.values()}
    known.update(SupplierAlias.objects.filter(organisation=organisation).values_list("normalised_name", "supplier_id"))

    # Numbers and postcodes for names already in the registry fill what their supplier lacks.
    updated: set[int] = set()
    for key, fact in facts.items():
        supplier_id = known.get(key)
        if supplier_id is not None and _numbers_fill(suppliers[supplier_id], fact.numbers):
            updated.add(supplier_id)
    new_suppliers, new_aliases = _registry_clusters(suppliers, known, facts, updated)
    _registry_insert(organisation, new_suppliers, new_aliases)
    changed = [suppliers[pk] for pk in updated]
    Supplier.objects.bulk_update(changed, list(NUMBER_COLUMNS), batch_size=1000)
    _classify(actor=actor, organisation=organisation)
    return RegistryUpdate(
        keys=len(facts),
        suppliers_created=len(new_suppliers),
        aliases_created=len(new_aliases),
        suppliers_updated=len(changed),
    )


def _import_key_facts(spend_import: SpendImport) -> dict[str, KeyFacts]:
    connection = duck.connect()
    try:
        return supplier_key_facts(connection, duck.parquet_source(connection, [spend_import.parquet_path]))
    finally:
        connection.close()


def _numbers_fill(supplier: Supplier, numbers: dict[str, str]) -> bool:
    """Give `supplier` each number or postcode it lacks; whether it was given any."""
    filled = False
    for name, value in numbers.items():
        if not getattr(supplier, name):
            setattr(supplier, name, value)
            filled = True
    return filled


def _name_entries(suppliers: dict[int, Supplier], known: dict[str, int], facts: dict[str, KeyFacts]) -> list[NameEntry]:
    """Every name to cluster: those of the registry (with their supplier) and the import's new ones."""
    entries = [
        NameEntry(
            key=key,
            supplier_id=supplier_id,
            companies_house_number=suppliers[supplier_id].companies_house_number,
            charity_number=suppliers[supplier_id].charity_number,
        )
        for key, supplier_id in known.items()
    ]
    entries += [
        NameEntry(
            key=key,
            payments=fact.payments,
            companies_house_number=fact.numbers.get("companies_house_number", ""),
            charity_number=fact.numbers.get("charity_number", ""),
        )
        for key, fact in facts.items()
        if key not in known
    ]
    return entries


def _registry_clusters(
    suppliers: dict[int, Supplier], known: dict[str, int], facts: dict[str, KeyFacts], updated: set[int]
) -> tuple[dict[str, dict[str, str]], list[NewAlias]]:
    """The suppliers to create (key → name and numbers) and aliases to add, from clustering the names.

    A cluster joining an existing supplier gives it the numbers its new names carry (noted in `updated`)."""
    new_suppliers: dict[str, dict[str, str]] = {}
    new_aliases: list[NewAlias] = []
    for cluster in cluster_names(_name_entries(suppliers, known, facts)):
        fresh = [key for key in (cluster.key, *cluster.aliases) if key not in known]
        if not fresh:
            continue
        if cluster.supplier_id is None:
            values = {"name": facts[cluster.key].name}
            for key in (cluster.key, *cluster.aliases):  # the named spelling's numbers first
                for name, value in facts[key].numbers.items():
                    values.setdefault(name, value)
            new_suppliers[cluster.key] = values
        else:
            supplier = suppliers[cluster.supplier_id]
            for key in fresh:
                if _numbers_fill(supplier, facts[key].numbers):
                    updated.add(supplier.pk)
        new_aliases += [
            (key, how, cluster.supplier_id, cluster.key) for key, how in cluster.aliases.items() if key not in known
        ]
    return new_suppliers, new_aliases


def _registry_insert(
    organisation: Organisation, new_suppliers: dict[str, dict[str, str]], new_aliases: list[NewAlias]
) -> None:
    # Plain INSERTs (commonweal.core.bulk): a first import adds thousands of suppliers at once.
    bulk_insert(
        Supplier,
        SUPPLIER_INSERT_COLUMNS,
        (
            (
                organisation.pk,
                values["name"],
                key,
                *(values.get(name, "") for name in NUMBER_COLUMNS),
                places.postcode_district(values["postcode"]) if values.get("postcode") else "",
            )
            for key, values in new_suppliers.items()
        ),
    )
    ids = dict(
        Supplier.objects.filter(organisation=organisation, normalised_name__in=list(new_suppliers)).values_list(
            "normalised_name", "pk"
        )
    )
    bulk_insert(
        SupplierAlias,
        ("organisation", "supplier", "normalised_name", "how"),
        (
            (organisation.pk, supplier_id if supplier_id is not None else ids[named], key, how[:100])
            for key, how, supplier_id, named in new_aliases
        ),
    )


# --- Classification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassifyCounts:
    suppliers: int
    labels_created: int
    labels_changed: int
    labels_removed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "suppliers": self.suppliers,
            "labels_created": self.labels_created,
            "labels_changed": self.labels_changed,
            "labels_removed": self.labels_removed,
        }


def _policy_local_codes(organisation: Organisation) -> list[str]:
    policy = SpendPolicy.objects.filter(organisation=organisation).first()
    return list(policy.local_district_codes) if policy else []


def _aliases_by_supplier(organisation: Organisation) -> dict[int, list[str]]:
    aliases: dict[int, list[str]] = defaultdict(list)
    for supplier_id, key in SupplierAlias.objects.filter(organisation=organisation).values_list(
        "supplier_id", "normalised_name"
    ):
        aliases[supplier_id].append(key)
    return aliases


def _living_wage_index(organisation: Organisation) -> tuple[dict[str, str], dict[str, str]]:
    """({normalised name: name as listed}, {core name: name as listed}) of the organisation's list."""
    exact: dict[str, str] = {}
    core: dict[str, str] = {}
    for name, key in LivingWageEmployer.objects.filter(organisation=organisation).values_list(
        "name", "normalised_name"
    ):
        exact.setdefault(key, name)
        core.setdefault(core_name(key), name)
    return exact, core


class _Classified(NamedTuple):
    """What classification reads of a supplier (plain rows: a registry may hold many thousands)."""

    pk: int
    normalised_name: str
    postcode: str
    district_code: str
    charity_number: str


Wanted = dict[tuple[int, str, str], tuple[bool, str]]  # (supplier, label, source) → (value, detail)


def _derived_labels(organisation: Organisation, suppliers: Sequence[_Classified]) -> Wanted:
    local_codes = set(_policy_local_codes(organisation))
    aliases = _aliases_by_supplier(organisation)
    living_wage, living_wage_core = _living_wage_index(organisation)
    wanted: Wanted = {}
    for supplier in suppliers:
        names = [supplier.normalised_name, *aliases.get(supplier.pk, [])]
        if supplier.district_code and local_codes:
            where = f"{supplier.postcode} is in {places.district_label(supplier.district_code)}"
            is_local = supplier.district_code in local_codes
            wanted[(supplier.pk, Label.LOCAL, SOURCE_POSTCODE)] = (
                is_local,
                where + (", one of the local districts" if is_local else ", not one of the local districts"),
            )
        if supplier.charity_number:
            wanted[(supplier.pk, Label.VCSE, SOURCE_CHARITY_NUMBER)] = (
                True,
                f"charity number {supplier.charity_number} in the payment file",
            )
        for name in names:
            form = vcse_name_form(name)
            if form:
                wanted[(supplier.pk, Label.VCSE, SOURCE_LEGAL_FORM)] = (True, f"the name “{name}” says {form}")
                break
        if living_wage:
            listed = next((living_wage[name] for name in names if name in living_wage), None)
            if listed is None:
                listed = next((living_wage_core[core_name(n)] for n in names if core_name(n) in living_wage_core), None)
            wanted[(supplier.pk, Label.LIVING_WAGE, SOURCE_LIVING_WAGE_LIST)] = (
                (True, f"“{listed}” is on the Real Living Wage employer list")
                if listed is not None
                else (False, "no employer of this name is on the Real Living Wage employer list")
            )
    return wanted


def _labels_store(
    *,
    actor: User | None,
    organisation: Organisation,
    wanted: Wanted,
    existing: Iterable[SupplierLabel],
    remove_missing: bool,
) -> tuple[int, int, int]:
    """Make the stored (non-override) labels match `wanted`: create, update and (if `remove_missing`)
    delete. A label whose value changes or that goes is recorded in its supplier's history."""
    current = {(label.supplier_id, label.label, label.source): label for label in existing}
    created_by = actor.pk if actor is not None and actor.pk else None
    to_create = [
        (organisation.pk, supplier_id, label, source, value, _detail(detail), False, "", created_by)
        for (supplier_id, label, source), (value, detail) in wanted.items()
        if (supplier_id, label, source) not in current
    ]
    to_update = []
    history: list[tuple[SupplierLabel, dict[str, Any], dict[str, Any]]] = []
    for key, label in current.items():
        if key in wanted:
            value, detail = wanted[key]
            detail = _detail(detail)
            if label.value != value or label.detail != detail:
                if label.value != value:
                    history.append(
                        (label, {"value": label.value, "detail": label.detail}, {"value": value, "detail": detail})
                    )
                label.value, label.detail = value, detail
                to_update.append(label)
    removed = [label for key, label in current.items() if remove_missing and key not in wanted]
    bulk_insert(
        SupplierLabel,
        ("organisation", "supplier", "label", "source", "value", "detail", "is_override", "reason", "created_by"),
        to_create,
    )
    now = timezone.now()
    for label in to_update:
        label.updated_at = now
    SupplierLabel.objects.bulk_update(to_update, ["value", "detail", "updated_at"], batch_size=1000)
    if removed:
        SupplierLabel.objects.filter(pk__in=[label.pk for label in removed]).delete()
    for label in removed:
        history.append((label, {"value": label.value, "detail": label.detail}, {}))
    for label, before, after in history:
        audit_record(
            actor=actor,
            organisation=organisation,
            action=AuditAction.SUPPLIER_LABEL_CHANGED if after else AuditAction.SUPPLIER_LABEL_REMOVED,
            target=label,
            trail=label.supplier,
            before={"label": label.label, "source": label.source, **before},
            after={"label": label.label, "source": label.source, **after} if after else {},
        )
    return len(to_create), len(to_update), len(removed)


def _classify(*, actor: User | None, organisation: Organisation) -> ClassifyCounts:
    suppliers = [
        _Classified(*row)
        for row in Supplier.objects.filter(organisation=organisation).values_list(*_Classified._fields)
    ]
    # Postcode → district first: the district is stored on the supplier, for deprivation and leakage.
    moved: dict[str, list[int]] = defaultdict(list)
    for index, supplier in enumerate(suppliers):
        district = places.postcode_district(supplier.postcode) if supplier.postcode else ""
        if district != supplier.district_code:
            suppliers[index] = supplier._replace(district_code=district)
            moved[district].append(supplier.pk)
    for district, ids in moved.items():
        for start in range(0, len(ids), 1000):
            Supplier.objects.filter(pk__in=ids[start : start + 1000]).update(district_code=district)
    wanted = _derived_labels(organisation, suppliers)
    existing = SupplierLabel.objects.filter(
        organisation=organisation, is_override=False, source__in=DERIVED_SOURCES
    ).select_related("supplier")
    created, changed, removed = _labels_store(
        actor=actor, organisation=organisation, wanted=wanted, existing=existing, remove_missing=True
    )
    return ClassifyCounts(len(suppliers), created, changed, removed)


@transaction.atomic
def supplier_classify(*, actor: User | None, member: Member) -> ClassifyCounts:
    """Recompute every derived label of the organisation's suppliers (overrides and flags stay)."""
    permission_require(member, Permission.MANAGE_SPEND)
    organisation = member.organisation
    counts = _classify(actor=actor, organisation=organisation)
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.SPEND_SUPPLIERS_CLASSIFIED,
        target=organisation,
        after=counts.as_dict(),
    )
    return counts


# --- Overrides -----------------------------------------------------------------------------------


def _own_supplier(member: Member, supplier: Supplier) -> None:
    if supplier.organisation_id != member.organisation.pk:
        raise PermissionRefused("No such supplier.")


@transaction.atomic
def supplier_override_set(
    *, actor: User | None, member: Member, supplier: Supplier, label: str, value: bool, reason: str
) -> SupplierLabel:
    """A person's decision on one label of a supplier, with the reason. It beats every derived label
    and survives reclassification until removed."""
    permission_require(member, Permission.MANAGE_SPEND)
    _own_supplier(member, supplier)
    errors = {}
    if label not in Label.values:
        errors["override_label"] = "Choose local, SME, VCSE or Real Living Wage employer"
    if not reason.strip():
        errors["override_reason"] = "Say why you are overriding the classification"
    if errors:
        raise ApplicationError("The override could not be saved.", field_errors=errors)
    override, before = _override_write(actor=actor, supplier=supplier, label=label, value=value, reason=reason.strip())
    if before is not None:
        audit_record(
            actor=actor,
            organisation=supplier.organisation,
            action=AuditAction.SUPPLIER_LABEL_OVERRIDDEN,
            target=override,
            trail=supplier,
            before={"label": label, **before},
            after={"label": label, "value": value, "reason": override.reason},
        )
    return override


def _override_write(
    *, actor: User | None, supplier: Supplier, label: str, value: bool, reason: str
) -> tuple[SupplierLabel, dict[str, Any] | None]:
    """Store a person's decision on a label; with what it replaced ({} when new), or None when the same
    decision was already there (nothing changed, nothing to audit)."""
    existing = SupplierLabel.objects.filter(supplier=supplier, label=label, is_override=True).first()
    if existing is not None and existing.value == value and existing.reason == reason:
        return existing, None
    override, _ = SupplierLabel.objects.update_or_create(
        supplier=supplier,
        label=label,
        source=SOURCE_MANUAL,
        is_override=True,
        defaults={
            "organisation": supplier.organisation,
            "value": value,
            "reason": reason,
            "detail": _detail(f"set by {actor.email if actor is not None else 'the system'}"),
            "created_by": actor if actor is not None and actor.pk else None,
        },
    )
    return override, ({"value": existing.value, "reason": existing.reason} if existing else {})


@transaction.atomic
def supplier_override_remove(*, actor: User | None, member: Member, supplier: Supplier, label: str) -> None:
    permission_require(member, Permission.MANAGE_SPEND)
    _own_supplier(member, supplier)
    override = SupplierLabel.objects.filter(supplier=supplier, label=label, is_override=True).first()
    if override is None:
        raise ApplicationError(f"{supplier.name} has no override of that label to remove.")
    audit_record(
        actor=actor,
        organisation=supplier.organisation,
        action=AuditAction.SUPPLIER_LABEL_OVERRIDE_REMOVED,
        target=override,
        trail=supplier,
        before={"label": label, "value": override.value, "reason": override.reason},
    )
    override.delete()


# --- The spend policy ----------------------------------------------------------------------------


@transaction.atomic
def spend_policy_update(
    *, actor: User | None, member: Member, local_district_codes: Sequence[str], rules: Sequence[PolicyRule]
) -> SpendPolicy:
    """Set which districts are local (GSS codes of districts in the postcode directory) and which spend
    the organisation cannot influence; then reclassify, since what is local may have changed."""
    permission_require(member, Permission.MANAGE_SPEND)
    organisation = member.organisation
    errors: dict[str, str] = {}
    codes: list[str] = []
    unknown = []
    for code in local_district_codes:
        district = places.district_get(code)
        if district is None:
            unknown.append(code)
        elif district.code not in codes:
            codes.append(district.code)
    if unknown:
        errors["local_districts"] = (
            f"{', '.join(unknown)} {'is not a district code' if len(unknown) == 1 else 'are not district codes'}: "
            "use 9-character GSS codes of local authority districts, like E08000009"
        )
    cleaned = []
    for index, rule in enumerate(rules):
        if rule.field not in RULE_FIELDS:
            errors[f"rule_field_{index}"] = "Choose expense type, service area or supplier name"
        elif not rule.contains.strip():
            errors[f"rule_contains_{index}"] = "Enter the text the field contains"
        else:
            cleaned.append({"field": rule.field, "contains": rule.contains.strip()})
    if errors:
        raise ApplicationError("The spend policy could not be saved.", field_errors=errors)
    policy, _ = SpendPolicy.objects.get_or_create(organisation=organisation)
    before = {
        "local_district_codes": policy.local_district_codes,
        "not_influenceable_rules": policy.not_influenceable_rules,
    }
    policy.local_district_codes = codes
    policy.not_influenceable_rules = cleaned
    policy.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.SPEND_POLICY_UPDATED,
        target=policy,
        trail=organisation,
        before=before,
        after={"local_district_codes": codes, "not_influenceable_rules": cleaned},
    )
    _classify(actor=actor, organisation=organisation)
    return policy


# --- The Real Living Wage list -------------------------------------------------------------------


@dataclass(frozen=True)
class LivingWageLoad:
    employers: int
    matched_suppliers: int


def living_wage_names_read(content: bytes, filename: str) -> list[str]:
    """The employer names in a CSV: the column headed employer/name/organisation, or the only column
    of a file without such a header. Blank lines are skipped; a row with cells but no name is an error."""
    if not content.strip():
        raise ApplicationError(f"{filename} is empty.", field_errors={"living_wage_file": "The selected file is empty"})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [(reader.line_num, row) for row in reader]
    header = [cell.strip().casefold() for cell in rows[0][1]] if rows else []
    column = next((header.index(name) for name in LIVING_WAGE_NAME_COLUMNS if name in header), None)
    if column is None:
        if any(len([cell for cell in row if cell.strip()]) > 1 for _, row in rows[:5]):
            raise ApplicationError(
                f"{filename} has several columns but none is headed “Employer”, “Name” or “Organisation”.",
                field_errors={"living_wage_file": "Head the column of employer names “Employer” or “Name”"},
            )
        column, body = 0, rows
    else:
        body = rows[1:]
    names, problems = [], []
    for line, row in body:
        if not any(cell.strip() for cell in row):
            continue
        name = row[column].strip() if column < len(row) else ""
        if not name or not normalise_name(name):
            problems.append(f"line {line}: no employer name")
        else:
            names.append(name)
    if problems:
        message = f"{filename}: " + "; ".join(problems[:10]) + (" …" if len(problems) > 10 else "")
        raise ApplicationError(message, field_errors={"living_wage_file": message})
    if not names:
        raise ApplicationError(
            f"{filename} has no employer names.", field_errors={"living_wage_file": "The file has no employer names"}
        )
    return names


@transaction.atomic
def living_wage_list_load(*, actor: User | None, member: Member, content: bytes, filename: str) -> LivingWageLoad:
    """Replace the organisation's Real Living Wage employer list with the names in a CSV, then
    reclassify: suppliers whose normalised name (or alias, or name without its legal form) is on it
    are Living Wage employers; the others are not."""
    permission_require(member, Permission.MANAGE_SPEND)
    organisation = member.organisation
    names = living_wage_names_read(content, filename)
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(normalise_name(name)[:300], name[:300])
    before = LivingWageEmployer.objects.filter(organisation=organisation).count()
    LivingWageEmployer.objects.filter(organisation=organisation).delete()
    LivingWageEmployer.objects.bulk_create(
        [LivingWageEmployer(organisation=organisation, name=name, normalised_name=key) for key, name in by_key.items()],
        batch_size=1000,
    )
    _classify(actor=actor, organisation=organisation)
    matched = SupplierLabel.objects.filter(
        organisation=organisation, source=SOURCE_LIVING_WAGE_LIST, is_override=False, value=True
    ).count()
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.LIVING_WAGE_LIST_LOADED,
        target=organisation,
        before={"employers": before},
        after={"employers": len(by_key), "file": filename, "matched_suppliers": matched},
    )
    return LivingWageLoad(employers=len(by_key), matched_suppliers=matched)


# --- Flags from OCDS and 360Giving ---------------------------------------------------------------


@dataclass(frozen=True)
class FlagsApplied:
    files: int
    records: int
    matched_records: int
    suppliers: int  # suppliers given at least one label
    labels_created: int
    labels_changed: int


def _supplier_index(organisation: Organisation) -> dict[str, dict[str, set[int]]]:
    """Ways to find a supplier: by Companies House number, charity number, normalised name, core name."""
    index: dict[str, dict[str, set[int]]] = {"company": {}, "charity": {}, "name": {}, "core": {}}
    rows = Supplier.objects.filter(organisation=organisation).values_list(
        "pk", "normalised_name", "companies_house_number", "charity_number"
    )
    for pk, key, company, charity in rows:
        if company:
            index["company"].setdefault(company, set()).add(pk)
        if charity:
            index["charity"].setdefault(charity, set()).add(pk)
        index["name"].setdefault(key, set()).add(pk)
        index["core"].setdefault(core_name(key), set()).add(pk)
    for pk, key in SupplierAlias.objects.filter(organisation=organisation).values_list(
        "supplier_id", "normalised_name"
    ):
        index["name"].setdefault(key, set()).add(pk)
        index["core"].setdefault(core_name(key), set()).add(pk)
    return index


def _flag_matches(record: FlagRecord, index: dict[str, dict[str, set[int]]]) -> tuple[set[int], str]:
    if record.companies_house_number and record.companies_house_number in index["company"]:
        return index["company"][
            record.companies_house_number
        ], f"Companies House number {record.companies_house_number}"
    if record.charity_number and record.charity_number in index["charity"]:
        return index["charity"][record.charity_number], f"charity number {record.charity_number}"
    key = normalise_name(record.name)
    if key in index["name"]:
        return index["name"][key], "name"
    if key and core_name(key) in index["core"]:
        return index["core"][core_name(key)], "name without its legal form"
    return set(), ""


SOURCE_TITLES = {"ocds": "OCDS", "360giving": "360Giving", "size-list": "size list"}


@transaction.atomic
def supplier_flags_apply(*, actor: User | None, member: Member, files: Sequence[tuple[str, bytes]]) -> FlagsApplied:
    """Read OCDS, 360Giving and size-list files and label the suppliers they match (by Companies House
    or charity number, else by normalised name). Within these files, a "yes" from any record wins; the
    labels replace earlier ones from the same kind of file. Nothing is stored if any file is unreadable."""
    permission_require(member, Permission.MANAGE_SPEND)
    organisation = member.organisation
    records: list[FlagRecord] = []
    for filename, content in files:
        try:
            records += flags_read(content, filename)
        except FlagsFileError as error:
            raise ApplicationError(error.message, field_errors={"flags_file": error.message}) from None
    index = _supplier_index(organisation)
    found: dict[tuple[int, str, str], list[tuple[bool, str]]] = defaultdict(list)
    matched_records = 0
    for record in records:
        suppliers, how = _flag_matches(record, index)
        if not suppliers:
            continue
        matched_records += 1
        numbers = f", charity number {record.charity_number}" if record.charity_number and "charity" not in how else ""
        for supplier_id in suppliers:
            title = SOURCE_TITLES[record.source]
            evidence = f"{title} {record.evidence}: “{record.name}”{numbers}, matched by {how}"
            if record.sme is not None:
                found[(supplier_id, Label.SME, record.source)].append(
                    (record.sme, f"{evidence}, says {'an SME' if record.sme else 'not an SME'}")
                )
            if record.vcse is not None:
                says = (
                    "a recipient of a grant"
                    if record.source == "360giving"
                    else (
                        "a voluntary or community organisation"
                        if record.vcse
                        else "not a voluntary or community organisation"
                    )
                )
                found[(supplier_id, Label.VCSE, record.source)].append((record.vcse, f"{evidence}, says {says}"))
    wanted: Wanted = {}
    for key, findings in found.items():
        value = any(found_value for found_value, _ in findings)
        chosen = [detail for found_value, detail in findings if found_value == value]
        more = f" (and {len(chosen) - 1} more)" if len(chosen) > 1 else ""
        wanted[key] = (value, _detail(chosen[0] + more))
    existing = SupplierLabel.objects.filter(
        organisation=organisation,
        is_override=False,
        source__in={record.source for record in records},
        supplier_id__in={supplier_id for supplier_id, _, _ in wanted},
    ).select_related("supplier")
    created, changed, _ = _labels_store(
        actor=actor, organisation=organisation, wanted=wanted, existing=existing, remove_missing=False
    )
    result = FlagsApplied(
        files=len(files),
        records=len(records),
        matched_records=matched_records,
        suppliers=len({supplier_id for supplier_id, _, _ in wanted}),
        labels_created=created,
        labels_changed=changed,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.SPEND_SUPPLIERS_FLAGS_IMPORTED,
        target=organisation,
        after={"files": [Path(name).name for name, _ in files], **result.__dict__},
    )
    return result


# --- A classification sheet ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassificationsLoaded:
    rows: int
    suppliers_changed: int  # postcode or Companies House number changed
    labels_set: int  # overrides set or changed
    classify: ClassifyCounts


SHEET_LABELS = {"sme": Label.SME, "vcse": Label.VCSE, "living_wage": Label.LIVING_WAGE}


@transaction.atomic
def supplier_classifications_load(
    *, actor: User | None, member: Member, content: bytes, filename: str
) -> ClassificationsLoaded:
    """The council's own classification sheet: each line names a supplier of the register (by Companies
    House number, else by name) and what the council knows of it. Postcodes and Companies House numbers
    are stored on the supplier (local is then derived from the postcode); SME, VCSE and Real Living Wage
    answers are overrides whose reason names the file and line. All or nothing: any line with a problem,
    or naming no supplier of the register, stops the whole sheet, with every problem listed."""
    permission_require(member, Permission.MANAGE_SPEND)
    organisation = member.organisation
    records, problems = flags_module.classification_sheet_read(content, filename)
    index = _supplier_index(organisation)
    matched: list[tuple[flags_module.ClassificationRecord, int]] = []
    for record in records:
        as_flag = FlagRecord("size-list", record.supplier, record.companies_house_number, "", None, None, "")
        found, _ = _flag_matches(as_flag, index)
        if len(found) != 1:
            why = "no supplier of that name" if not found else "more than one supplier of that name"
            problems.append(f"Line {record.line}: “{record.supplier}”: {why} is in your register")
            continue
        matched.append((record, next(iter(found))))
    if problems:
        shown = problems[:20] + ([f"And {len(problems) - 20} more lines"] if len(problems) > 20 else [])
        raise ApplicationError(
            f"{filename} was not loaded: nothing has changed.",
            field_errors={f"line_{number}": text for number, text in enumerate(shown, start=1)},
        )
    suppliers = Supplier.objects.in_bulk([pk for _, pk in matched])
    changes: list[str] = []  # one line a supplier changed, for the one audit event of the load
    changed_suppliers = labels_set = 0
    for record, pk in matched:
        supplier = suppliers[pk]
        said: list[str] = []
        before = (supplier.postcode, supplier.companies_house_number)
        supplier.postcode = record.postcode or supplier.postcode
        supplier.companies_house_number = record.companies_house_number or supplier.companies_house_number
        if (supplier.postcode, supplier.companies_house_number) != before:
            supplier.save(update_fields=["postcode", "companies_house_number", "updated_at"])
            changed_suppliers += 1
            said.append(
                f"postcode {supplier.postcode or 'none'}, company number {supplier.companies_house_number or 'none'}"
            )
        for key, label in SHEET_LABELS.items():
            value = getattr(record, key)
            if value is None:
                continue
            reason = f"Classification sheet {filename}, line {record.line}"
            _, replaced = _override_write(actor=actor, supplier=supplier, label=label, value=value, reason=reason)
            if replaced is not None:
                labels_set += 1
                said.append(f"{Label(label).label} {'yes' if value else 'no'}")
        if said:
            changes.append(f"{supplier.name} (line {record.line}): {'; '.join(said)}")
    counts = _classify(actor=actor, organisation=organisation)
    loaded = ClassificationsLoaded(len(matched), changed_suppliers, labels_set, counts)
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.SPEND_SUPPLIERS_SHEET_LOADED,
        target=organisation,
        after={
            "file": filename,
            "rows": loaded.rows,
            "suppliers changed": changed_suppliers,
            "labels set": labels_set,
            "changes": changes[:200] + ([f"and {len(changes) - 200} more"] if len(changes) > 200 else []),
        },
    )
    return loaded


# The sheet's columns, with one example line (the template people download).
CLASSIFICATION_SHEET_EXAMPLE = (
    ["supplier", "postcode", "companies house number", "sme", "vcse", "real living wage"],
    ["Greenway Facilities Ltd", "M32 0TH", "01234567", "yes", "no", ""],
)
