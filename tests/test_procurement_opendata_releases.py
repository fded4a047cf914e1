"""OCDS import, release by release: CPV codes wherever OCDS puts them, VCSE flags in party `details`,
releases applied in `date` order whatever order the files come in, each release whole or not at all,
and the Sell2Wales and Public Contracts Scotland habits (no release `id`, values in euros). Each test
builds a file made to show one class of problem; the Find a Tender files in ../shared/data are read too."""

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from commonweal.core.models import AuditEvent
from commonweal.delivery.models import Agreement
from commonweal.procurement import ocds
from commonweal.procurement.models import Award, Procurement
from commonweal.procurement.services_opendata import ocds_export, ocds_import, ocds_import_any_buyer
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.selectors import Member
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
FIND_A_TENDER = ROOT.parent / "shared" / "data" / "find-a-tender-ocds-2026"

pytestmark = pytest.mark.django_db


def package_of(*releases: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "uri": "https://example.org/package.json",
            "version": "1.1",
            "publishedDate": "2026-01-01T00:00:00Z",
            "publisher": {"name": "Test"},
            "releases": list(releases),
        }
    ).encode()


def release(
    ocid: str,
    date: str,
    *,
    title: str = "Community transport",
    release_id: str | None = "auto",
    value: dict[str, Any] | None = None,
    awards: list[dict[str, Any]] | None = None,
    parties: list[dict[str, Any]] | None = None,
    **tender: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ocid": ocid,
        "date": date,
        "tag": ["tender"],
        "initiationType": "tender",
        "parties": [{"id": "b1", "name": "Cyngor Sir Ceredigion", "roles": ["buyer"]}, *(parties or [])],
        "buyer": {"id": "b1", "name": "Cyngor Sir Ceredigion"},
        "tender": {
            "id": ocid,
            "title": title,
            "status": "active",
            "value": value or {"amount": 120000, "currency": "GBP"},
            "mainProcurementCategory": "services",
            **tender,
        },
    }
    if release_id is not None:
        out["id"] = f"{ocid}-{date[:10]}" if release_id == "auto" else release_id
    if awards is not None:
        out["awards"] = awards
    return out


def supplier(party_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": party_id, "name": name, "roles": ["supplier"], **extra}


def award(award_id: str, party_id: str, name: str, amount: int, currency: str = "GBP") -> dict[str, Any]:
    return {
        "id": award_id,
        "status": "active",
        "date": "2026-03-01T00:00:00Z",
        "value": {"amount": amount, "currency": currency},
        "suppliers": [{"id": party_id, "name": name}],
        "contractPeriod": {"startDate": "2026-04-01T00:00:00Z", "endDate": "2027-03-31T00:00:00Z"},
    }


# --- CPV codes and VCSE flags --------------------------------------------------------------------


def test_cpv_codes_are_read_from_the_tender_its_additional_classifications_and_its_items() -> None:
    notice = release(
        "ocds-s2w-1",
        "2026-01-10T09:00:00Z",
        classification={"scheme": "CPV", "id": "60130000-8", "description": "Special-purpose road passenger"},
        additionalClassifications=[{"scheme": "CPV", "id": "60140000"}, {"scheme": "CPVS", "id": "TA02"}],
        items=[
            {
                "id": "1",
                "classification": {"scheme": "cpv", "id": "60140000-1"},
                "additionalClassifications": [{"scheme": "CPV", "id": "85300000"}, {"scheme": "UNSPSC", "id": "78"}],
            }
        ],
    )
    del notice["tender"]["mainProcurementCategory"]
    read = ocds.package_read(package_of(notice), file="s2w.json")
    assert read.rejections == ()
    (only,) = read.notices
    assert only.cpv_codes == ("60130000", "60140000", "85300000")
    assert only.category == "services"  # division 60 of the main code
    council = factories.OrganisationFactory.create(name="Cyngor Sir Ceredigion")
    ocds_import(actor=None, member=Member.system(council), files=[("s2w.json", package_of(notice))])
    procurement = Procurement.objects.get(ocid="ocds-s2w-1")
    assert procurement.cpv_codes == ["60130000", "60140000", "85300000"]
    package = ocds_export(procurement=procurement, member=None)
    assert package["releases"][0]["tender"]["items"] == [
        {
            "id": "1",
            "classification": {"scheme": "CPV", "id": "60130000"},
            "additionalClassifications": [{"scheme": "CPV", "id": "60140000"}, {"scheme": "CPV", "id": "85300000"}],
        }
    ]
    assert ocds.package_problems(package) == []


def test_a_find_a_tender_notice_gives_the_cpv_codes_of_its_items() -> None:
    path = FIND_A_TENDER / "032703-2026_ocds.json"
    if not path.is_file():
        pytest.skip(f"{path} is not here: see ../shared/data/README.md.")
    summary = ocds_import_any_buyer(files=[(path.name, path.read_bytes())])
    assert summary.rejected == []
    procurement = Procurement.objects.get(organisation__name="Harrogate Town Council")
    assert procurement.cpv_codes == ["09323000", "79314000"]
    assert (procurement.estimated_value, procurement.currency) == (Decimal("33721.00"), "GBP")
    assert ocds.package_problems(ocds_export(procurement=procurement, member=None)) == []


def test_vcse_flags_in_party_details_are_recorded() -> None:
    parties = [
        supplier("s1", "Cardigan Community Transport", details={"vcse": True, "scale": "micro"}),
        supplier("s2", "Big Buses Ltd", details={"vcse": False, "scale": "large"}),
        supplier("s3", "Dial A Ride Ceredigion", details={"vcse": "true"}),
    ]
    awards = [award("a1", "s1", "Cardigan Community Transport", 60000), award("a2", "s2", "Big Buses Ltd", 40000)]
    awards += [award("a3", "s3", "Dial A Ride Ceredigion", 20000)]
    ocds_import_any_buyer(
        files=[("f.json", package_of(release("ocds-x-1", "2026-03-02T00:00:00Z", awards=awards, parties=parties)))]
    )
    flags = dict(
        Organisation.objects.filter(
            name__in=["Cardigan Community Transport", "Big Buses Ltd", "Dial A Ride Ceredigion"]
        ).values_list("name", "is_vcse")
    )
    assert flags == {"Cardigan Community Transport": True, "Big Buses Ltd": False, "Dial A Ride Ceredigion": True}
    assert Organisation.objects.get(name="Cardigan Community Transport").is_sme is True


# --- Date order and idempotence -------------------------------------------------------------------


def _three_releases() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    tender = release("ocds-x-9", "2026-01-05T00:00:00Z", title="Transport (tender)", description="First words")
    amended = release("ocds-x-9", "2026-02-05T00:00:00Z", title="Transport (amended)", value={"amount": 150000})
    awarded = release(
        "ocds-x-9",
        "2026-03-05T00:00:00Z",
        title="Transport (awarded)",
        value={"amount": "", "currency": "GBP"},  # not given: the award says what it is worth
        awards=[award("a1", "s1", "Cardigan Community Transport", 140000)],
        parties=[supplier("s1", "Cardigan Community Transport")],
    )
    return tender, amended, awarded


def _state() -> tuple[Any, ...]:
    procurement = Procurement.objects.get(ocid="ocds-x-9")
    return (
        procurement.title,
        procurement.description,
        procurement.estimated_value,
        procurement.state,
        procurement.ocds_released_at,
        list(Award.objects.values_list("ocds_award_id", "value")),
    )


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_releases_of_one_procurement_are_applied_in_date_order_whatever_order_the_files_come_in(
    order: tuple[int, int, int],
) -> None:
    releases = _three_releases()
    files = [(f"file-{number}.json", package_of(releases[number])) for number in order]
    summary = ocds_import_any_buyer(files=files)
    assert summary.rejected == []
    assert _state() == (
        "Transport (awarded)",
        "First words",  # the later releases say nothing about it: the tender's stays
        Decimal("140000.00"),  # the award's, the latest (the amendment said 150000)
        "awarded",
        datetime(2026, 3, 5, tzinfo=UTC),
        [("a1", Decimal("140000.00"))],
    )


def test_an_older_release_arriving_in_a_later_import_changes_only_what_is_not_known() -> None:
    tender, amended, awarded = _three_releases()
    ocds_import_any_buyer(files=[("awarded.json", package_of(awarded))])
    summary = ocds_import_any_buyer(files=[("old.json", package_of(tender, amended))])
    assert (summary.procurements_updated, summary.procurements_unchanged) == (1, 1)
    # The tender's description was not known; its title and the amendment's are older than the award's.
    assert _state()[:4] == ("Transport (awarded)", "First words", Decimal("140000.00"), "awarded")


def test_a_reimport_that_changes_nothing_reports_nothing_changed() -> None:
    releases = _three_releases()
    files = [("all.json", package_of(*releases))]
    first = ocds_import_any_buyer(files=files)
    assert first.changed
    audit = AuditEvent.objects.count()
    again = ocds_import_any_buyer(files=list(reversed(files)))
    assert again.changed is False
    assert (again.releases_imported, again.procurements_unchanged, again.procurements_updated) == (3, 3, 0)
    assert (again.awards_created, again.suppliers_created, again.suppliers_updated) == (0, 0, 0)
    assert again.as_dict()["changed"] is False
    assert AuditEvent.objects.count() == audit


def test_the_command_says_when_nothing_changed(tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    path.write_bytes(package_of(*_three_releases()))
    call_command("procurement", "import-ocds", str(path), stdout=(first := _Out()), stderr=_Out())
    assert "Nothing changed" not in first.text
    call_command("procurement", "import-ocds", str(path), stdout=(again := _Out()), stderr=_Out())
    assert "Nothing changed: everything in these files was known already." in again.text


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


# --- Each release whole or not at all ----------------------------------------------------------------


def test_a_release_refused_while_writing_leaves_nothing_behind_and_its_file_neighbours_land() -> None:
    good = release("ocds-x-1", "2026-01-01T00:00:00Z")
    # Its supplier and buyer would be created before its undated award is found: all rolled back.
    bad = release(
        "ocds-x-2",
        "",
        release_id="broken",
        awards=[{**award("a1", "s9", "Only In The Bad Release Ltd", 5000), "date": None}],
        parties=[supplier("s9", "Only In The Bad Release Ltd")],
    )
    bad["buyer"] = {"id": "b2", "name": "A Buyer Only The Bad Release Names"}
    bad["parties"][0] = {"id": "b2", "name": "A Buyer Only The Bad Release Names", "roles": ["buyer"]}
    late = release("ocds-x-3", "2026-02-01T00:00:00Z")
    summary = ocds_import_any_buyer(files=[("mixed.json", package_of(good, bad, late))])
    assert [str(r) for r in summary.rejected] == [
        "mixed.json, release 2 (broken): award a1 has no date, and neither has the release"
    ]
    assert (summary.files_imported, summary.releases_read, summary.releases_imported) == (1, 3, 2)
    assert sorted(Procurement.objects.values_list("ocid", flat=True)) == ["ocds-x-1", "ocds-x-3"]
    assert not Organisation.objects.filter(name__startswith="Only In The Bad").exists()
    assert not Organisation.objects.filter(name__startswith="A Buyer Only").exists()
    assert Award.objects.count() == 0


def test_unreadable_releases_are_listed_with_reasons_and_the_rest_of_the_file_lands() -> None:
    good = release("ocds-x-1", "2026-01-01T00:00:00Z")
    no_title = release("ocds-x-2", "2026-01-02T00:00:00Z", title="")
    not_an_object = "a string where a release should be"
    summary = ocds_import_any_buyer(
        files=[("f.json", json.dumps({"releases": [good, no_title, not_an_object]}).encode())]
    )
    assert [str(r) for r in summary.rejected] == [
        "f.json, release 2 (ocds-x-2-2026-01-02): has no tender title",
        "f.json, release 3: is not a JSON object",
    ]
    assert summary.rejected_text() == "2 releases rejected"
    assert list(Procurement.objects.values_list("ocid", flat=True)) == ["ocds-x-1"]


# --- Sell2Wales and Public Contracts Scotland habits -------------------------------------------------


def test_sell2wales_and_pcs_releases_without_id_and_in_euros_are_kept_with_their_currency() -> None:
    council = factories.OrganisationFactory.create(name="Cyngor Sir Ceredigion")
    factories.FrameworkVersionFactory.create(organisation=council)
    euros = release(
        "ocds-kuma6s-012345",
        "2026-03-02T10:00:00Z",
        release_id=None,  # Sell2Wales and PCS publish releases without an id
        value={"amount": "250000.00", "currency": "EUR"},
        awards=[award("a1", "s1", "Cardigan Community Transport", 240000, currency="EUR")],
        parties=[supplier("s1", "Cardigan Community Transport")],
        classification={"scheme": "CPV", "id": "60130000"},
    )
    pounds = release("ocds-r6ebe6-0000123456", "2026-03-03T10:00:00Z", release_id="", title="Grass cutting")
    summary = ocds_import(
        actor=None,
        member=Member.system(council),
        files=[("s2w.json", package_of(euros)), ("pcs.json", package_of(pounds))],
    )
    assert summary.rejected == []
    assert summary.releases_imported == 2
    procurement = Procurement.objects.get(ocid="ocds-kuma6s-012345")
    assert (procurement.estimated_value, procurement.currency) == (Decimal("250000.00"), "EUR")
    row = Award.objects.get(procurement=procurement)
    assert (row.value, row.currency) == (Decimal("240000.00"), "EUR")
    # Agreements are in pounds: the euro award is kept without one, and a note says why.
    assert not Agreement.objects.exists()
    assert summary.notes == [
        "ocds-kuma6s-012345, award a1 (Cardigan Community Transport): no agreement made: the award is in EUR, "
        "and agreements are in pounds."
    ]
    package = ocds_export(procurement=procurement, member=None)
    exported = package["releases"][0]
    assert exported["tender"]["value"] == {"amount": Decimal("250000.00"), "currency": "EUR"}
    assert exported["awards"][0]["value"] == {"amount": Decimal("240000.00"), "currency": "EUR"}
    assert ocds.package_problems(package) == []
    # The pages show the euro figures as euros, never with a pound sign.
    client = Client()
    client.force_login(factories.member_user(council, Role.PROCUREMENT_OFFICER))
    listing = client.get(reverse("procurement:procurement-list", kwargs={"org": council.slug})).content.decode()
    assert "EUR 250,000.00" in listing and "£250,000.00" not in listing
    # Again: a release without an id is matched by its ocid like any other, and nothing changes.
    again = ocds_import(actor=None, member=Member.system(council), files=[("s2w.json", package_of(euros))])
    assert again.changed is False and Award.objects.count() == 1


def test_a_release_without_id_is_named_by_its_position_when_rejected() -> None:
    nameless = release("ocds-r6ebe6-1", "2026-01-01T00:00:00Z", release_id=None, title="")
    summary = ocds_import_any_buyer(files=[("pcs.json", package_of(copy.deepcopy(nameless)))])
    assert [str(r) for r in summary.rejected] == ["pcs.json, release 1: has no tender title"]
