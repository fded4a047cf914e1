"""Open data: importing Contracts Finder OCDS notices (the real files in ../shared/data) and exporting a
procurement as an OCDS 1.1 release package that validates against the 1.1.5 schema."""

import copy
import html
import io
import json
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.core.models import AuditEvent
from commonweal.delivery.models import Agreement
from commonweal.procurement import ocds
from commonweal.procurement.models import Award, Procurement, ProcurementSource, ProcurementState
from commonweal.procurement.services_opendata import ocds_export, ocds_import, ocds_import_any_buyer, procurement_ocid
from commonweal.tenancy.models import Organisation, OrganisationKind, Role
from commonweal.tenancy.selectors import Member, member_access
from tests import factories
from tests.conftest import Tenant
from tests.procurement_support import bid_make, declare, procurement_published

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT.parent / "shared" / "data" / "contracts-finder-ocds-bluetail" / "json_1_1_raw"
BFI = "ocds-b5fd17raw-0054a4e6-0715-42c6-9109-e219fe9d3289.json"  # BFI: one award shared by two suppliers

pytestmark = pytest.mark.django_db


def real_files() -> list[Path]:
    if not FOLDER.is_dir():
        pytest.skip(f"The Contracts Finder OCDS files are not in {FOLDER}: see ../shared/data/README.md.")
    return sorted(FOLDER.glob("*.json"))


def real(name: str) -> dict[str, Any]:
    real_files()
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


def as_file(name: str, package: dict[str, Any]) -> tuple[str, bytes]:
    return name, json.dumps(package).encode()


def package_of(*releases: dict[str, Any]) -> dict[str, Any]:
    return {
        "uri": "https://example.org/package.json",
        "version": "1.1",
        "publishedDate": "2020-01-01T00:00:00Z",
        "publisher": {"name": "Test"},
        "releases": list(releases),
    }


def tender_release(
    ocid: str, buyer: str, *, awards: list[dict[str, Any]] | None = None, **tender: Any
) -> dict[str, Any]:
    """A Contracts Finder-shaped release with nulls and empty strings where CF has them."""
    parties: list[dict[str, Any]] = [{"id": "b1", "roles": ["buyer"], "name": buyer, "address": {"streetAddress": ""}}]
    for award in awards or []:
        for supplier in award["suppliers"]:
            parties.append({"roles": ["supplier", "tenderer"], "identifier": {"scheme": "", "id": ""}, **supplier})
    return {
        "ocid": ocid,
        "id": f"{ocid}-1",
        "date": "2020-02-01T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "parties": parties,
        "buyer": {"id": "b1", "name": buyer},
        "tender": {
            "id": ocid,
            "title": "Grounds maintenance",
            "description": "",
            "status": "active",
            "value": {"amount": 120000, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2020-03-01T12:00:00Z"},
            "enquiryPeriod": None,
            "mainProcurementCategory": None,
            "xClassifications": {"ojeuContractType": "Services"},
            **tender,
        },
        "awards": [
            {
                "status": "active",
                "date": "2020-04-01T00:00:00Z",
                "contractPeriod": {"startDate": "2020-05-01T00:00:00Z", "endDate": "2021-04-30T00:00:00Z"},
                **{key: value for key, value in award.items() if key != "suppliers"},
                "suppliers": [{"id": s["id"], "name": s["name"]} for s in award["suppliers"]],
            }
            for award in awards or []
        ],
    }


def expected_value(release: dict[str, Any]) -> Decimal:
    """The procurement value, worked out from the JSON as the docs say: tender.value, or (when that is
    0 or missing) the total of the awards."""
    tender_amount = (release["tender"].get("value") or {}).get("amount")
    if tender_amount:
        return Decimal(str(tender_amount)).quantize(Decimal("0.01"))
    return sum((Decimal(str(a["value"]["amount"])) for a in release["awards"]), Decimal("0")).quantize(Decimal("0.01"))


# --- Reading -----------------------------------------------------------------------------------------


def test_reading_treats_empty_strings_as_missing_and_decodes_entities() -> None:
    release = tender_release(
        "ocds-x-1",
        "L&amp;Q Construction",
        awards=[
            {
                "id": "a1",
                "value": {"amount": "", "currency": "GBP"},
                "suppliers": [
                    {"id": "1", "name": "Bristow &amp; Sutor", "sme": True, "vco": None, "details": None},
                ],
            }
        ],
        value={"amount": 5000.5, "currency": "GBP"},
        enquiryPeriod={"endDate": ""},
    )
    read = ocds.package_read(json.dumps(package_of(release)).encode(), file="f.json")
    assert read.rejections == ()
    notice = read.notices[0]
    assert notice.buyer.name == "L&Q Construction"
    assert notice.value == Decimal("5000.50")
    assert notice.enquiry_end is None
    assert notice.category == "services"
    supplier = notice.awards[0].suppliers[0].party
    assert (supplier.name, supplier.sme, supplier.vcse) == ("Bristow & Sutor", True, None)
    assert notice.awards[0].value is None


def test_the_category_comes_from_the_cpv_division_when_nothing_else_says() -> None:
    works = {"items": [{"classification": {"scheme": "CPV", "id": "45233000"}}]}
    goods = {"items": [{"classification": {"scheme": "CPV", "id": "30200000"}}]}
    services = {
        "xClassifications": {"ojeuContractType": "NotApplicable"},
        "items": [{"classification": {"scheme": "CPV", "id": "79952000"}}],
    }
    assert [ocds.category_of(t) for t in (works, goods, services)] == ["works", "goods", "services"]
    assert (
        ocds.category_of({"mainProcurementCategory": "works", "xClassifications": {"ojeuContractType": "Products"}})
        == "works"
    )
    assert ocds.category_of({}) is None


def test_a_release_with_an_unreadable_value_or_currency_is_rejected_with_its_reason() -> None:
    dollars = tender_release("ocds-x-1", "Council", value={"amount": 10, "currency": "USD"})
    words = tender_release("ocds-x-2", "Council", value={"amount": "lots", "currency": "GBP"})
    pounds = tender_release("ocds-x-3", "Council", value={"amount": 10, "currency": "pounds"})
    read = ocds.package_read(json.dumps(package_of(dollars, words, pounds)).encode(), file="f.json")
    assert [(n.ocid, n.value, n.currency) for n in read.notices] == [("ocds-x-1", Decimal("10.00"), "USD")]
    assert [str(r) for r in read.rejections] == [
        "f.json, release 2 (ocds-x-2-1): tender.value “lots” is not a number",
        "f.json, release 3 (ocds-x-3-1): tender.value has the currency “pounds”, which is not a three-letter "
        "ISO 4217 code",
    ]


def test_a_file_that_is_not_json_is_rejected_whole() -> None:
    read = ocds.package_read(b"{not json", file="broken.json")
    assert [str(r) for r in read.rejections] == [
        "broken.json: is not JSON (line 1: Expecting property name enclosed in double quotes)"
    ]


# --- Importing the real files ------------------------------------------------------------------------


def test_every_real_file_imports_and_importing_again_adds_nothing() -> None:
    paths = real_files()
    files = [(path.name, path.read_bytes()) for path in paths]
    releases = [json.loads(content)["releases"][0] for _, content in files]
    summary = ocds_import_any_buyer(files=files)
    assert summary.rejected == []
    assert (summary.files_read, summary.files_imported, summary.releases_read) == (100, 100, 100)
    assert summary.procurements_created == Procurement.objects.filter(source=ProcurementSource.OCDS).count() == 100
    rows = sum(len(release["awards"][0]["suppliers"]) for release in releases)
    assert summary.awards_created == Award.objects.count() == rows
    assert summary.agreements_created == 0  # the buyers are new: none has a published framework
    assert summary.notes and all("no agreement made" in n or "each carries the whole value" in n for n in summary.notes)

    # A few releases, worked out from the JSON directly.
    names_seen = Counter(
        html.unescape(party["name"]).strip()
        for release in releases
        for party in release["parties"]
        if "supplier" in (party.get("roles") or [])
    )
    for release in releases[:: len(releases) // 5]:
        procurement = Procurement.objects.get(ocid=release["ocid"])
        assert procurement.organisation.name == html.unescape(release["buyer"]["name"]).strip()
        assert procurement.organisation.kind == OrganisationKind.PUBLIC_BODY
        assert procurement.estimated_value == expected_value(release)
        assert procurement.state == ProcurementState.AWARDED
        assert procurement.lots.get().number == 1
        parties = {party["id"]: party for party in release["parties"]}
        expected_suppliers = sorted(html.unescape(s["name"]).strip() for s in release["awards"][0]["suppliers"])
        awards = procurement.awards.select_related("supplier")
        assert sorted(award.supplier.name for award in awards) == expected_suppliers
        for award in awards:
            assert award.supplier.kind == OrganisationKind.SUPPLIER
            party = next(p for p in parties.values() if html.unescape(p["name"]).strip() == award.supplier.name)
            if names_seen[award.supplier.name] == 1:  # a supplier in one file only: its flags are that file's
                assert (award.supplier.is_sme, award.supplier.is_vcse) == (party["sme"], party["vco"])

    counts = (
        Procurement.objects.count(),
        Award.objects.count(),
        Organisation.objects.count(),
        Agreement.objects.count(),
    )
    audit = AuditEvent.objects.count()
    again = ocds_import_any_buyer(files=files)
    assert (again.procurements_created, again.procurements_updated, again.procurements_unchanged) == (0, 0, 100)
    assert (again.awards_created, again.suppliers_created, again.buyers_created, again.rejected) == (0, 0, 0, [])
    assert (
        Procurement.objects.count(),
        Award.objects.count(),
        Organisation.objects.count(),
        Agreement.objects.count(),
    ) == counts
    assert AuditEvent.objects.count() == audit


def test_the_bfi_notice_makes_two_awards_and_agreements_for_a_buyer_with_a_published_framework() -> None:
    release = real(BFI)["releases"][0]
    bfi = factories.OrganisationFactory.create(name="BFI", slug="bfi")
    version = factories.FrameworkVersionFactory.create(organisation=bfi)
    summary = ocds_import(actor=None, member=Member.system(bfi), files=[(BFI, (FOLDER / BFI).read_bytes())])
    assert summary.rejected == []
    assert (summary.procurements_created, summary.awards_created, summary.agreements_created) == (1, 2, 2)
    procurement = Procurement.objects.get(organisation=bfi)
    assert procurement.ocid == release["ocid"] == procurement.reference
    assert procurement.title == "UK Film Presence at Cannes 2020 - AWARD"
    assert procurement.category == "services"
    assert procurement.estimated_value == Decimal("755000.00")
    assert procurement.duration_months == 12
    assert procurement.tender_deadline == datetime(2019, 9, 13, tzinfo=UTC)
    agreements = Agreement.objects.filter(organisation=bfi).select_related("supplier").order_by("supplier__name")
    assert [(a.supplier.name, a.value, a.start_date, a.end_date, a.framework_version_id) for a in agreements] == [
        ("PETER DISPLAYS LTD T/A LIMELIGHT", Decimal("93527.00"), date(2019, 12, 9), date(2020, 12, 8), version.pk),
        ("Premier", Decimal("93527.00"), date(2019, 12, 9), date(2020, 12, 8), version.pk),
    ]
    assert sorted(Award.objects.values_list("ocds_award_id", flat=True)) == [
        "0b4c6bb5-f880-408f-a9bd-7c2bf26d80bd#1",
        "0b4c6bb5-f880-408f-a9bd-7c2bf26d80bd#2",
    ]


def test_one_bad_release_does_not_cost_the_files_good_ones_and_is_named() -> None:
    good = real(BFI)["releases"][0]
    bad = copy.deepcopy(good)
    bad["ocid"], bad["id"] = "ocds-b5fd17raw-bad", "bad-release"
    bad["awards"][0]["date"] = "the eighteenth of February"
    summary = ocds_import_any_buyer(files=[as_file("mixed.json", package_of(good, bad))])
    assert (summary.files_imported, summary.releases_read, summary.releases_imported) == (1, 2, 1)
    assert [str(r) for r in summary.rejected] == [
        "mixed.json, release 2 (bad-release): awards[0].date “the eighteenth of February” is not a date and time"
    ]
    assert list(Procurement.objects.values_list("ocid", flat=True)) == [good["ocid"]]
    assert Award.objects.count() == 2
    assert Organisation.objects.filter(name="BFI").count() == 1


def test_a_refusal_found_while_writing_rolls_back_that_release_only() -> None:
    council = factories.OrganisationFactory.create(name="Northfield Council")
    first = tender_release("ocds-x-1", "Northfield Council")
    clash = tender_release("ocds-x-2", "Northfield Council")
    Procurement.objects.create(
        organisation=council,
        reference="ocds-x-2",
        title="Planned here",
        estimated_value=1,
        category="goods",
        duration_months=1,
    )
    summary = ocds_import(
        actor=None, member=Member.system(council), files=[as_file("clash.json", package_of(first, clash))]
    )
    assert [str(r) for r in summary.rejected] == [
        "clash.json, release 2 (ocds-x-2-1): Northfield Council already has a procurement with the reference ocds-x-2"
    ]
    assert list(Procurement.objects.filter(ocid__startswith="ocds-x").values_list("ocid", flat=True)) == ["ocds-x-1"]
    assert Procurement.objects.get(reference="ocds-x-2").title == "Planned here"


def test_with_an_organisation_a_release_of_another_buyer_is_rejected() -> None:
    real_files()
    council = factories.OrganisationFactory.create(name="Northfield Council", slug="northfield")
    summary = ocds_import(actor=None, member=Member.system(council), files=[(BFI, (FOLDER / BFI).read_bytes())])
    assert [str(r) for r in summary.rejected] == [
        f"{BFI}, release 1 (ocds-b5fd17-0054a4e6-0715-42c6-9109-e219fe9d3289-358876-2019-210---award): "
        "the buyer is BFI, not Northfield Council"
    ]
    assert Procurement.objects.count() == 0


def test_supplier_matching_by_company_number_then_name_and_null_flags_never_clear_known_ones() -> None:
    council = factories.OrganisationFactory.create(name="Northfield Council")
    by_number = factories.SupplierFactory.create(name="Old Name Ltd", companies_house_number="02587564", is_sme=True)
    by_name = factories.SupplierFactory.create(name="Helping Hands CIC", is_sme=True, is_vcse=True)
    release = tender_release(
        "ocds-x-1",
        "Northfield Council",
        awards=[
            {
                "id": "a1",
                "value": {"amount": 1000, "currency": "GBP"},
                "suppliers": [
                    {
                        "id": "1",
                        "name": "New Name Limited",
                        "identifier": {"scheme": "GB-COH", "id": "2587564"},
                        "sme": False,
                        "vco": False,
                    },
                    {"id": "2", "name": "HELPING HANDS C.I.C.", "sme": None, "vco": None},
                    {"id": "3", "name": "Brand New Ltd", "sme": True, "vco": ""},
                ],
            }
        ],
    )
    summary = ocds_import(actor=None, member=Member.system(council), files=[as_file("f.json", package_of(release))])
    assert summary.rejected == [] and summary.suppliers_created == 1  # "HELPING HANDS C.I.C." is Helping Hands CIC
    by_number.refresh_from_db()
    assert (by_number.is_sme, by_number.is_vcse) == (False, False)
    created = Organisation.objects.get(name="Brand New Ltd")
    assert (created.kind, created.is_sme, created.is_vcse, created.slug) == ("supplier", True, None, "brand-new-ltd")
    by_name.refresh_from_db()
    assert (by_name.is_sme, by_name.is_vcse) == (True, True)

    # The same name again, flags null: nothing is cleared and nothing new is made.
    again = tender_release(
        "ocds-x-2",
        "Northfield Council",
        awards=[
            {
                "id": "a2",
                "value": {"amount": 5, "currency": "GBP"},
                "suppliers": [{"id": "1", "name": "Brand New Limited", "sme": None}],
            }
        ],
    )
    summary = ocds_import(actor=None, member=Member.system(council), files=[as_file("g.json", package_of(again))])
    assert summary.suppliers_created == 0
    created.refresh_from_db()
    assert created.is_sme is True


def test_a_later_award_notice_updates_the_tender_and_an_older_tender_does_not_undo_the_award() -> None:
    council = factories.OrganisationFactory.create(name="Northfield Council")
    tender = tender_release("ocds-x-1", "Northfield Council")
    award = tender_release(
        "ocds-x-1",
        "Northfield Council",
        awards=[
            {
                "id": "a1",
                "value": {"amount": 99000, "currency": "GBP"},
                "suppliers": [{"id": "1", "name": "Green Ltd", "sme": True}],
            }
        ],
        description="Now with a description",
    )
    first = ocds_import(actor=None, member=Member.system(council), files=[as_file("t.json", package_of(tender))])
    assert first.procurements_created == 1
    procurement = Procurement.objects.get()
    assert (procurement.state, procurement.description, procurement.awards.count()) == ("published", "", 0)
    second = ocds_import(actor=None, member=Member.system(council), files=[as_file("a.json", package_of(award))])
    assert (second.procurements_updated, second.awards_created, second.agreements_created) == (1, 1, 0)
    assert second.notes == [
        f"ocds-x-1, award a1 (Green Ltd): no agreement made: {council.name} has no published framework."
    ]
    procurement.refresh_from_db()
    assert (procurement.state, procurement.description) == ("awarded", "Now with a description")
    third = ocds_import(actor=None, member=Member.system(council), files=[as_file("t.json", package_of(tender))])
    assert (third.procurements_updated, third.procurements_unchanged) == (0, 1)
    procurement.refresh_from_db()
    assert (procurement.state, procurement.description) == ("awarded", "Now with a description")


# --- The command -------------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("procurement", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_command_prints_json_and_exits_with_an_error_when_a_file_is_rejected(tmp_path: Path) -> None:
    real_files()
    out, _ = run("import-ocds", str(FOLDER / BFI), "--json")
    figures = json.loads(out)
    assert (
        figures["procurements_created"],
        figures["awards_created"],
        figures["suppliers_created"],
        figures["rejected"],
    ) == (1, 2, 2, [])
    council = factories.OrganisationFactory.create(name="Northfield Council", slug="northfield")
    with pytest.raises(CommandError, match=r"^1 release rejected \(listed above\)"):
        run("import-ocds", str(FOLDER / BFI), "--organisation", "northfield")
    with pytest.raises(CommandError, match="No organisation has the short name"):
        run("import-ocds", str(FOLDER / BFI), "--organisation", "nowhere")
    with pytest.raises(CommandError, match="Cannot read"):
        run("import-ocds", str(tmp_path / "missing.json"))
    assert not Procurement.objects.filter(organisation=council).exists()


# --- Export ------------------------------------------------------------------------------------------


def awarded_world(tenant: Tenant) -> tuple[Procurement, Agreement]:
    """A procurement of tenant's buyer with two bids, an award to tenant's supplier, its agreement and
    two social value commitments."""
    world = procurement_published(tenant.buyer, reference="GM-2026", deadline_passed=True)
    other = factories.SupplierFactory.create(name="Runner Up Ltd", is_sme=True, companies_house_number="01234567")
    winning = bid_make(world, tenant.supplier, price="200000")
    bid_make(world, other, price="210000")
    agreement = factories.AgreementFactory.create(
        organisation=tenant.buyer,
        supplier=tenant.supplier,
        reference="GM-2026-C",
        title="Grounds maintenance contract",
        value=Decimal("200000.00"),
        framework_version=world.procurement.framework_version,
        start_date=date(2026, 4, 1),
        end_date=date(2029, 3, 31),
    )
    factories.CommitmentFactory.create(
        agreement=agreement,
        measure=world.measures[0],
        target_quantity=Decimal("4"),
        due_date=date(2028, 3, 31),
        place_code="E08000009",
    )
    factories.CommitmentFactory.create(
        agreement=agreement, measure=world.measures[1], target_quantity=Decimal("52.5"), due_date=date(2029, 3, 31)
    )
    Award.objects.create(
        organisation=tenant.buyer,
        procurement=world.procurement,
        lot=world.lot,
        bid=winning,
        supplier=tenant.supplier,
        value=Decimal("200000.00"),
        agreement=agreement,
        reason="The most advantageous tender.",
        awarded_at=timezone.now(),
    )
    world.procurement.state = ProcurementState.AWARDED
    world.procurement.save()
    return world.procurement, agreement


def test_an_exported_procurement_with_an_award_and_commitments_validates_against_ocds_1_1_5(
    tenant_a: Tenant, settings: Any
) -> None:
    settings.OCDS_OCID_PREFIX = "ocds-test99"
    procurement, agreement = awarded_world(tenant_a)
    lead = factories.member_user(tenant_a.buyer, Role.SOCIAL_VALUE_LEAD)
    declare(procurement, lead)
    member = member_access(user=lead, slug=tenant_a.buyer.slug)
    package = ocds.json_loads(ocds.package_json(ocds_export(procurement=procurement, member=member)))
    assert ocds.package_problems(package) == []
    release = package["releases"][0]
    assert release["ocid"] == procurement_ocid(procurement) == f"ocds-test99-{tenant_a.buyer.slug}-GM-2026"
    assert release["tag"] == ["award", "contract"]
    tender = release["tender"]
    assert (tender["status"], tender["mainProcurementCategory"], tender["value"]) == (
        "complete",
        "services",
        {"amount": Decimal("250000"), "currency": "GBP"},
    )
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["awardCriteriaDetails"] == (
        "Price 50% (lowest price ÷ bid price); Quality 40%: Q1 Delivery approach 20%, Q2 Staffing and resilience 20% "
        "(a score below 2 disqualifies); Social value 10%: SV1 Local employment 10%."
    )
    assert [lot["title"] for lot in tender["lots"]] == ["Whole contract"]
    assert sorted(t["name"] for t in tender["tenderers"]) == ["Runner Up Ltd", tenant_a.supplier.name]
    roles = {party["name"]: party["roles"] for party in release["parties"]}
    assert roles == {
        tenant_a.buyer.name: ["buyer"],
        tenant_a.supplier.name: ["supplier", "tenderer"],
        "Runner Up Ltd": ["tenderer"],
    }
    runner = next(p for p in release["parties"] if p["name"] == "Runner Up Ltd")
    assert runner["identifier"] == {"scheme": "GB-COH", "id": "01234567", "legalName": "Runner Up Ltd"}
    assert runner["details"] == {"scale": "sme"}
    (award,) = release["awards"]
    assert award["value"] == {"amount": Decimal("200000"), "currency": "GBP"}
    assert [s["name"] for s in award["suppliers"]] == [tenant_a.supplier.name]
    (contract,) = release["contracts"]
    assert contract["awardID"] == award["id"]
    assert contract["period"] == {"startDate": "2026-03-31T23:00:00Z", "endDate": "2029-03-31T22:59:59Z"}
    kpis = [milestone["socialValueCommitment"] for milestone in contract["milestones"]]
    assert kpis == [
        {
            "measureCode": "JOBS.1",
            "measureTitle": "Local people employed",
            "targetQuantity": Decimal("4"),
            "unit": "count",
            "dueDate": "2028-03-31",
            "placeCode": "E08000009",
        },
        {
            "measureCode": "SKILLS.1",
            "measureTitle": "Apprenticeship weeks",
            "targetQuantity": Decimal("52.5"),
            "unit": "count",
            "dueDate": "2029-03-31",
        },
    ]
    assert {milestone["type"] for milestone in contract["milestones"]} == {"delivery"}
    assert [milestone["description"] for milestone in contract["milestones"]] == [
        "Social value commitment JOBS.1 Local people employed: 4 in E08000009, by 31 March 2028.",
        "Social value commitment SKILLS.1 Apprenticeship weeks: 52.5, by 31 March 2029.",
    ]


def test_without_a_member_who_may_open_bids_only_the_winner_is_a_tenderer(tenant_a: Tenant) -> None:
    procurement, _ = awarded_world(tenant_a)
    package = ocds_export(procurement=procurement, member=tenant_a.manager_member())  # no declaration
    assert [t["name"] for t in package["releases"][0]["tender"]["tenderers"]] == [tenant_a.supplier.name]


def test_the_validator_refuses_a_broken_package(tenant_a: Tenant) -> None:
    procurement, _ = awarded_world(tenant_a)
    package = ocds_export(procurement=procurement, member=None)
    broken = copy.deepcopy(package)
    del broken["releases"][0]["ocid"]
    broken["releases"][0]["tag"] = ["finished"]
    broken["releases"][0]["awards"][0]["value"]["currency"] = "POUNDS"
    assert ocds.package_problems(broken) == [
        "releases/0: 'ocid' is a required property",
        "releases/0/awards/0/value/currency: 'POUNDS' is not one of "
        + repr(
            ocds._schemas()[1].contents("https://standard.open-contracting.org/schema/1__1__5/release-schema.json")[
                "definitions"
            ]["Value"]["properties"]["currency"]["enum"]
        ),
        "releases/0/tag/0: 'finished' is not one of "
        + repr(
            [
                "planning",
                "planningUpdate",
                "tender",
                "tenderAmendment",
                "tenderUpdate",
                "tenderCancellation",
                "award",
                "awardUpdate",
                "awardCancellation",
                "contract",
                "contractUpdate",
                "contractAmendment",
                "implementation",
                "implementationUpdate",
                "contractTermination",
                "compiled",
            ]
        ),
    ]


def test_an_imported_real_notice_exports_valid_ocds_with_its_own_ocid() -> None:
    real_files()
    ocds_import_any_buyer(files=[(BFI, (FOLDER / BFI).read_bytes())])
    procurement = Procurement.objects.get()
    package = ocds_export(procurement=procurement, member=None)
    assert ocds.package_problems(package) == []
    assert package["releases"][0]["ocid"] == "ocds-b5fd17raw-0054a4e6-0715-42c6-9109-e219fe9d3289"
    assert len(package["releases"][0]["awards"]) == 2


def test_export_command_writes_a_valid_file_and_fails_for_an_unknown_reference(
    tenant_a: Tenant, tmp_path: Path
) -> None:
    awarded_world(tenant_a)
    target = tmp_path / "out.json"
    out, _ = run("export-ocds", "GM-2026", "--organisation", tenant_a.buyer.slug, "--output", str(target))
    assert "valid OCDS 1.1.5 release package of GM-2026" in out
    assert ocds.package_problems(ocds.json_loads(target.read_text(encoding="utf-8"))) == []
    printed, _ = run("export-ocds", "GM-2026", "--organisation", tenant_a.buyer.slug)
    assert json.loads(printed)["releases"][0]["tender"]["id"] == "GM-2026"
    with pytest.raises(CommandError, match="has no procurement with the reference “NOPE”"):
        run("export-ocds", "NOPE", "--organisation", tenant_a.buyer.slug)
    with pytest.raises(CommandError, match="is not a public body"):
        run("export-ocds", "GM-2026", "--organisation", tenant_a.supplier.slug)


# --- Pages -------------------------------------------------------------------------------------------


def test_the_import_page_imports_files_of_the_members_organisation_and_shows_rejections(client: Client) -> None:
    real_files()
    bfi = factories.OrganisationFactory.create(name="BFI", slug="bfi")
    officer = factories.member_user(bfi, Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    url = reverse("procurement:ocds-import", kwargs={"org": "bfi"})
    page = client.get(url)
    assert page.status_code == 200 and "Import notices from Contracts Finder" in page.content.decode()
    other = tender_release("ocds-x-1", "Northfield Council")
    response = client.post(
        url,
        {
            "ocds_files": [
                SimpleUploadedFile(BFI, (FOLDER / BFI).read_bytes(), content_type="application/json"),
                SimpleUploadedFile(
                    "other.json", json.dumps(package_of(other)).encode(), content_type="application/json"
                ),
            ]
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Import notices" in text
    assert "1 release rejected: see the reasons below (the other releases were imported)" in text
    assert "The buyer is Northfield Council, not BFI" in html.unescape(text)
    assert Procurement.objects.filter(organisation=bfi).count() == 1
    assert Award.objects.count() == 2


def test_the_import_page_refuses_a_file_that_is_not_json(client: Client) -> None:
    bfi = factories.OrganisationFactory.create(name="BFI", slug="bfi")
    client.force_login(factories.member_user(bfi, Role.SOCIAL_VALUE_LEAD))
    response = client.post(
        reverse("procurement:ocds-import", kwargs={"org": "bfi"}),
        {"ocds_files": [SimpleUploadedFile("notes.txt", b"hello")]},
    )
    assert response.status_code == 200
    assert "notes.txt: The selected file must be a JSON" in html.unescape(response.content.decode())
    assert (
        client.post(reverse("procurement:ocds-import", kwargs={"org": "bfi"}), {})
        .content.decode()
        .count("Select at least one OCDS file")
        == 2
    )


def test_the_import_page_is_a_404_without_the_planning_role_and_for_another_organisation(
    client: Client, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    client.force_login(tenant_a.manager)  # a contract manager only
    assert client.get(reverse("procurement:ocds-import", kwargs={"org": tenant_a.buyer.slug})).status_code == 404
    client.force_login(factories.member_user(tenant_b.buyer, Role.PROCUREMENT_OFFICER))
    assert client.get(reverse("procurement:ocds-import", kwargs={"org": tenant_a.buyer.slug})).status_code == 404
    client.force_login(tenant_a.supplier_user)
    assert client.get(reverse("procurement:ocds-import", kwargs={"org": tenant_a.supplier.slug})).status_code == 404


def test_the_export_download_is_for_the_buyer_only(client: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    procurement, _ = awarded_world(tenant_a)
    url = reverse("procurement:ocds-export", kwargs={"org": tenant_a.buyer.slug, "pk": procurement.pk})
    client.force_login(tenant_a.manager)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="GM-2026-ocds.json"'
    assert ocds.package_problems(ocds.json_loads(response.content.decode())) == []
    client.force_login(tenant_b.manager)
    assert client.get(url).status_code == 404
    own_slug = reverse("procurement:ocds-export", kwargs={"org": tenant_b.buyer.slug, "pk": procurement.pk})
    assert client.get(own_slug).status_code == 404
    client.force_login(tenant_a.supplier_user)
    supplier_url = reverse("procurement:ocds-export", kwargs={"org": tenant_a.supplier.slug, "pk": procurement.pk})
    assert client.get(supplier_url).status_code == 404
