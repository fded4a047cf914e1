"""Supplier classification from real data: postcodes to districts, IMD 2019 deciles, OCDS and 360Giving
flags, the Trafford payments, and the `commonweal spend suppliers` command."""

import csv
import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commonweal.core.errors import ApplicationError
from commonweal.spend import duck, places
from commonweal.spend import services_suppliers as services
from commonweal.spend.flags import FlagsFileError, flags_read
from commonweal.spend.models import ImportStatus, Label, SpendImport, Supplier, SupplierAlias, SupplierLabel
from commonweal.spend.names import is_redacted_sql, normalise_name_sql
from commonweal.spend.schema import PARQUET_COLUMNS
from commonweal.spend.selectors_suppliers import classification_rows
from commonweal.tenancy.selectors import Member

from .conftest import SHARED_DATA, Tenant
from .spend_suppliers_support import import_with_payments, payment

OCDS = SHARED_DATA / "contracts-finder-ocds-bluetail" / "json_1_1_raw"
GIVING = SHARED_DATA / "trafford-360giving-grants"
IMD = SHARED_DATA / "imd2019-england-humaniverse"
TRAFFORD_2025 = SHARED_DATA / "trafford-supplier-spend" / "trafford-supplier-spend-2025-26.zip"


def needs(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not here: the real-data test needs ../shared/data (see its README.md)")


def suppliers_named(tenant: Tenant, *names: str, **numbers: str) -> dict[str, Supplier]:
    spend_import = import_with_payments(tenant.buyer, [payment(name, **numbers) for name in names])
    services.supplier_registry_update(
        actor=tenant.manager, member=Member.system(tenant.buyer), spend_import=spend_import
    )
    return {s.normalised_name: s for s in Supplier.objects.filter(organisation=tenant.buyer)}


def labels(supplier: Supplier, label: str) -> list[tuple[str, bool, str]]:
    return list(SupplierLabel.objects.filter(supplier=supplier, label=label).values_list("source", "value", "detail"))


# --- Postcodes and districts -------------------------------------------------------------------------


def test_postcodes_resolve_to_the_districts_the_data_readme_names() -> None:
    assert places.postcode_district("M32 0TH") == "E08000009"
    assert places.postcode_district("OX1 1BX") == "E07000178"
    assert places.postcode_district(" m320th ") == "E08000009"
    assert places.district_label("E08000009") == "E08000009 (Trafford)"
    assert places.district_label("E07000178") == "E07000178 (Oxford)"


def test_postcodes_without_a_district_are_unknown() -> None:
    # In the directory with no district (a non-geographic postcode, no grid reference): unknown.
    assert places.postcode_normalise("M1 9FN") == "M1 9FN"
    assert places.postcode_district("M1 9FN") == ""
    # Guernsey: the directory's pseudo-district L99999999, not a district.
    assert places.postcode_district("GY1 1AA") == ""
    assert places.postcode_district("ZZ99 9ZZ") == ""  # the shape of a postcode, but no such postcode
    assert places.postcode_district("not a postcode") == places.postcode_district("") == ""


def test_wards_are_named_with_their_district_and_take_its_decile() -> None:
    """Every ward of the shipped boundary files is known (7,588 codes), so a ward code reads as a place."""
    assert len(places.wards()) == 7_588
    assert places.place_label("E05015239") == "E05015239 (Altrincham, Trafford)"
    assert places.place_label(" e05015239 ") == "E05015239 (Altrincham, Trafford)"
    assert places.place_label("E08000009") == "E08000009 (Trafford)"
    assert places.place_label("E05999999") == "E05999999"  # not a known ward or district: the code alone
    assert places.place_imd_decile("E05015239") == 7  # Trafford's decile
    assert places.place_imd_decile("E05999999") is None
    # Every ward lies in a district the districts file knows.
    assert {ward.district_code for ward in places.wards().values()} <= set(places.districts())


def test_districts_carry_names_and_imd_2019_deciles_mapped_to_2025_codes() -> None:
    trafford = places.district_get("E08000009")
    assert trafford is not None
    assert (trafford.name, trafford.imd_decile, trafford.imd_basis) == ("Trafford", 7, "same code")
    assert places.district_imd_decile("E06000002") == 1  # Middlesbrough, among the most deprived
    # Barnsley and Sheffield took new codes in 2023 after small boundary changes: their 2019 figures hold.
    barnsley = places.district_get("E08000038")
    assert barnsley is not None and barnsley.imd_decile == 2 and barnsley.imd_basis == "code E08000016 before 2023"
    # Cumberland was made in 2023 from three districts in different deciles: unknown, not guessed.
    cumberland = places.district_get("E06000063")
    assert cumberland is not None and cumberland.name == "Cumberland" and cumberland.imd_decile is None
    # IMD 2019 is England's: Welsh, Scottish and Northern Irish districts have no decile here.
    assert places.district_imd_decile("W06000015") is None
    assert places.district_name("S12000036") == "City of Edinburgh"
    assert places.district_find("trafford") == trafford
    assert places.district_find("E99999999") is None


def test_shipped_deciles_are_the_imd_2019_district_ranks_in_tenths() -> None:
    needs(IMD)
    with (IMD / "imd2019_lad21_england.csv").open(encoding="utf-8") as file:
        rows = sorted(csv.DictReader(file), key=lambda row: -float(row["Score"]))
    for rank, row in enumerate(rows, start=1):
        expected = (rank - 1) * 10 // len(rows) + 1
        district = places.district_get(row["ltla21_code"])
        if district is not None:  # districts abolished before 2025 are not in the postcode directory
            assert district.imd_decile == expected, row["ltla21_code"]
    shipped = [district for district in places.districts().values() if district.imd_decile is not None]
    # England's 296 districts in the 2025 directory less the four unitaries made in 2023 from districts in
    # different deciles (Barnsley and Sheffield, recoded in 2023, keep theirs).
    assert len(shipped) == 296 - 4


# --- Flags from OCDS and 360Giving -------------------------------------------------------------------


def test_the_real_ocds_packages_give_sme_and_vco_flags_with_their_release() -> None:
    needs(OCDS)
    records = [record for path in sorted(OCDS.glob("*.json")) for record in flags_read(path.read_bytes(), path.name)]
    assert len(records) == 789  # every supplier party; the 100 buyers carry no flags
    assert sum(1 for record in records if record.sme) == 309
    assert sum(1 for record in records if record.vcse) == 52
    bristow = next(record for record in records if record.companies_house_number == "01431688")
    assert bristow.name == "Bristow & Sutor"  # "&amp;" in the file
    assert (bristow.sme, bristow.vcse) == (True, False)
    assert bristow.evidence.startswith("release ocds-b5fd17-")


def test_ocds_details_scale_is_read_as_sme() -> None:
    release = {
        "releases": [
            {
                "id": "r1",
                "parties": [
                    {"name": "Big Co", "roles": ["supplier"], "details": {"scale": "large"}},
                    {"name": "Small Co", "roles": ["tenderer"], "details": {"scale": "micro"}},
                    {"name": "Council", "roles": ["buyer"], "details": {"scale": "large"}},
                ],
            }
        ]
    }
    records = flags_read(json.dumps(release).encode(), "release.json")
    assert [(record.name, record.sme) for record in records] == [("Big Co", False), ("Small Co", True)]


@pytest.mark.django_db
def test_ocds_flags_label_suppliers_matched_by_company_number_or_name(tenant_a: Tenant) -> None:
    needs(OCDS)
    suppliers = suppliers_named(tenant_a, "Jacobs UK", "BRISTOW AND SUTOR", "Broadreach House", "Nobody Else Ltd")
    jacobs = Supplier.objects.get(normalised_name="JACOBS UK")
    jacobs.companies_house_number = "07916116"
    jacobs.save()
    paths = sorted(OCDS.glob("*.json"))
    result = services.supplier_flags_apply(
        actor=tenant_a.manager,
        member=Member.system(tenant_a.buyer),
        files=[(path.name, path.read_bytes()) for path in paths],
    )
    assert (result.files, result.records, result.suppliers) == (100, 789, 3)
    [(source, value, detail)] = labels(jacobs, Label.SME)
    assert (source, value) == ("ocds", True)
    assert detail.startswith("OCDS release ocds-b5fd17-")
    assert detail.endswith("“Jacobs”, matched by Companies House number 07916116, says an SME")
    assert labels(suppliers["BRISTOW AND SUTOR"], Label.SME)[0][:2] == ("ocds", True)
    assert labels(suppliers["BROADREACH HOUSE"], Label.VCSE)[0][:2] == ("ocds", True)
    assert labels(suppliers["NOBODY ELSE LTD"], Label.SME) == []
    # Flags are not recomputed by classification: they stay.
    services.supplier_classify(actor=tenant_a.manager, member=Member.system(tenant_a.buyer))
    rows = {row.supplier_key: row for row in classification_rows(organisation=tenant_a.buyer)}
    assert (rows["JACOBS UK"].sme, rows["BROADREACH HOUSE"].vcse, rows["NOBODY ELSE LTD"].sme) == (True, True, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filename", ["trafford_council_voluntary_sector_grants.json", "trafford_council_voluntary_sector_grants.csv"]
)
def test_360giving_recipients_are_vcse_matched_by_charity_number_or_name(tenant_a: Tenant, filename: str) -> None:
    needs(GIVING)
    suppliers = suppliers_named(tenant_a, "CYRIL FLINT BEFRIENDERS", "Acme Ltd")
    g_force = suppliers_named(tenant_a, "G Force Trafford", charity_number="1110767")["G FORCE TRAFFORD"]
    path = GIVING / filename
    result = services.supplier_flags_apply(
        actor=tenant_a.manager, member=Member.system(tenant_a.buyer), files=[(path.name, path.read_bytes())]
    )
    assert result.records == 555
    assert result.suppliers == 2
    [(source, value, detail)] = labels(suppliers["CYRIL FLINT BEFRIENDERS"], Label.VCSE)
    assert (source, value) == ("360giving", True)
    assert detail == (
        "360Giving grant 360G-traffordmbc-VSG1345: “Cyril Flint Befrienders”, charity number 1146179, "
        "matched by name, says a recipient of a grant (and 4 more)"
    )
    g_force_labels = dict((source, detail) for source, _, detail in labels(g_force, Label.VCSE))
    assert g_force_labels["charity-number"] == "charity number 1110767 in the payment file"
    assert "“G-Force”, matched by charity number 1110767" in g_force_labels["360giving"]
    assert labels(suppliers["ACME LTD"], Label.VCSE) == []


@pytest.mark.django_db
def test_a_size_list_labels_smes_and_a_bad_file_changes_nothing(tenant_a: Tenant) -> None:
    suppliers = suppliers_named(tenant_a, "Acme Ltd", "Giant Plc")
    size_list = b"name,size\nAcme Limited,small\nGiant PLC,large\n"
    services.supplier_flags_apply(
        actor=tenant_a.manager, member=Member.system(tenant_a.buyer), files=[("sizes.csv", size_list)]
    )
    assert labels(suppliers["ACME LTD"], Label.SME) == [
        ("size-list", True, "size list line 2, size small: “Acme Limited”, matched by name, says an SME")
    ]
    assert labels(suppliers["GIANT PLC"], Label.SME)[0][:2] == ("size-list", False)
    before = list(SupplierLabel.objects.values_list("pk", "value", "detail"))
    for name, content, message in [
        ("bad.json", b"{not json", "bad.json is not valid JSON"),
        ("list.json", b"[1, 2]", "list.json is neither an OCDS package nor a 360Giving file."),
        ("other.csv", b"a,b\n1,2\n", "other.csv is neither a 360Giving CSV"),
        ("sizes.csv", b"name,size\nAcme Ltd,huge\n", "sizes.csv has 1 problem(s): sizes.csv: line 2: size “huge”"),
        ("notes.txt", b"hello", "notes.txt must be a JSON"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            services.supplier_flags_apply(
                actor=tenant_a.manager,
                member=Member.system(tenant_a.buyer),
                files=[("sizes.csv", b"name,size\nAcme Ltd,large\n"), (name, content)],
            )
        assert refused.value.message.startswith(message)
    assert list(SupplierLabel.objects.values_list("pk", "value", "detail")) == before
    with pytest.raises(FlagsFileError):
        flags_read(b"\xff\xfe", "x.json")


# --- Real payments ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_trafford_year_builds_its_registry_in_seconds(tenant_a: Tenant, tmp_path: Path) -> None:
    """The Trafford FY2025-26 file (241,764 payments), its Parquet made with the names module's SQL."""
    needs(TRAFFORD_2025)
    with zipfile.ZipFile(TRAFFORD_2025) as archive:
        [member] = archive.namelist()
        csv_path = Path(archive.extract(member, tmp_path))
    spend_import = SpendImport.objects.create(
        organisation=tenant_a.buyer, original_name=member, sha256="t" * 64, status=ImportStatus.SUCCEEDED
    )
    relative = f"{tenant_a.buyer.pk}/{spend_import.pk}/payments.parquet"
    path = duck.spend_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = {name: f"CAST(NULL AS {kind})" for name, kind in PARQUET_COLUMNS.items()}
    key = normalise_name_sql("BeneficiaryName")
    columns |= {
        "supplier_name": "BeneficiaryName",
        "redacted": is_redacted_sql("BeneficiaryName"),
        "supplier_key": f"CASE WHEN {is_redacted_sql('BeneficiaryName')} THEN NULL ELSE nullif({key}, '') END",
        "vat_number": "VATRegistrationNumber",
    }
    select = ", ".join(f"{expression} AS {name}" for name, expression in columns.items())
    connection = duck.connect()
    source = f"read_csv({duck.sql_string(str(csv_path))}, all_varchar = true)"
    connection.execute(f"COPY (SELECT {select} FROM {source}) TO {duck.sql_string(str(path))} (FORMAT parquet)")
    keys = connection.execute(f"SELECT count(DISTINCT supplier_key) FROM read_parquet({duck.sql_string(str(path))})")
    distinct = keys.fetchone()
    connection.close()
    assert distinct is not None
    spend_import.parquet_path = relative
    spend_import.save()

    started = time.perf_counter()
    update = services.supplier_registry_update(
        actor=None, member=Member.system(tenant_a.buyer), spend_import=spend_import
    )
    seconds = time.perf_counter() - started
    assert seconds < 5, f"the registry update took {seconds:.1f} s"
    assert update.keys == distinct[0] == 2394
    suppliers, alias_count = Supplier.objects.count(), SupplierAlias.objects.count()
    assert suppliers + alias_count == update.keys
    assert alias_count == update.aliases_created == 7
    assert SupplierAlias.objects.get(normalised_name="ST JOSEPH CATHOLIC PRIMARY").supplier.normalised_name == (
        "ST JOSEPHS CATHOLIC PRIMARY"
    )
    assert not Supplier.objects.filter(normalised_name__contains="REDACTED").exists()
    assert Supplier.objects.exclude(vat_number="").count() > 1000  # Trafford publishes VAT numbers
    assert len(classification_rows(organisation=tenant_a.buyer)) == update.keys
    # The same file again adds nothing.
    again = services.supplier_registry_update(
        actor=None, member=Member.system(tenant_a.buyer), spend_import=spend_import
    )
    assert (again.suppliers_created, again.aliases_created) == (0, 0)


# --- The command line ---------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("spend", "suppliers", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_classifies_loads_the_living_wage_list_and_applies_flags(tenant_a: Tenant, tmp_path: Path) -> None:
    needs(GIVING)
    suppliers_named(tenant_a, "Cyril Flint Befrienders", "Acme Ltd")
    slug = tenant_a.buyer.slug
    assert json.loads(run("classify", "--organisation", slug, "--json")) == {
        "suppliers": 2,
        "labels_created": 0,
        "labels_changed": 0,
        "labels_removed": 0,
    }
    employers = tmp_path / "living-wage.csv"
    employers.write_text("Employer\nAcme Limited\n", encoding="utf-8")
    assert run("living-wage", str(employers), "--organisation", slug) == (
        f"Loaded 1 Real Living Wage employers for {tenant_a.buyer.name}; 1 suppliers are on the list.\n"
    )
    output = run("flags", str(GIVING / "trafford_council_voluntary_sector_grants.json"), "--organisation", slug)
    assert output.startswith("Read 555 organisations from 1 file(s); 5 matched 1 suppliers")
    with pytest.raises(CommandError, match="No organisation has the short name “nowhere”"):
        run("classify", "--organisation", "nowhere")
    with pytest.raises(CommandError, match="Cannot read"):
        run("flags", str(tmp_path / "missing.json"), "--organisation", slug)
    with pytest.raises(CommandError, match="is not a public body"):
        run("classify", "--organisation", tenant_a.supplier.slug)
