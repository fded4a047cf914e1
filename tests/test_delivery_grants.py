"""360Giving grants: the real Trafford files (JSON and CSV) and two funders' XLSX files import with their
checked totals; grants become agreements of kind grant with matched or created recipients; the import is
all or nothing and idempotent; the export validates against the 360Giving 1.4.3 schema."""

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonweal.core.errors import ApplicationError
from commonweal.delivery import grants360
from commonweal.delivery.models import Agreement, AgreementKind, Grant
from commonweal.delivery.services_grants import grant_dates, grants_export, grants_import
from commonweal.tenancy.models import Organisation, OrganisationKind
from commonweal.tenancy.selectors import Member
from tests import factories

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
TRAFFORD = DATA / "trafford-360giving-grants"
FUNDERS = DATA / "360giving-funders-xlsx"

pytestmark = pytest.mark.django_db


def real(path: Path) -> tuple[str, bytes]:
    if not path.is_file():
        pytest.skip(f"{path} is not here: see ../shared/data/README.md.")
    return path.name, path.read_bytes()


def funder(name: str = "Trafford Council", slug: str = "trafford") -> Organisation:
    organisation = factories.OrganisationFactory.create(name=name, slug=slug)
    factories.FrameworkVersionFactory.create(organisation=organisation)
    return organisation


GRANT = {
    "id": "360G-test-1",
    "title": "Grant to Sale Community Pantry",
    "description": "Food for families",
    "currency": "GBP",
    "amountAwarded": 1500.5,
    "awardDate": "2025-05-01",
    "plannedDates": [{"startDate": "2025-06-01", "endDate": "2026-05-31"}],
    "recipientOrganization": [{"id": "GB-CHC-1234567", "name": "Sale Community Pantry"}],
    "beneficiaryLocation": [{"name": "Trafford", "geoCode": "E08000009"}, {"name": "Sale", "geoCode": "E05000829"}],
    "fundingOrganization": [{"id": "GB-LAE-TRF", "name": "Trafford Council"}],
    "grantProgramme": [{"code": "VSG", "title": "Voluntary Sector Grants"}],
}


def package(*grants: dict[str, object]) -> bytes:
    return json.dumps({"grants": list(grants)}).encode()


# --- Reading ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "count", "total"),
    [
        (TRAFFORD / "trafford_council_voluntary_sector_grants.json", 555, Decimal("1291436.54")),
        (TRAFFORD / "trafford_council_voluntary_sector_grants.csv", 555, Decimal("1291436.54")),
        (FUNDERS / "a001p00000zgyHZAAY.xlsx", 783, Decimal("12785625.00")),
        (FUNDERS / "a003W000001B7PzQAK.xlsx", 475, Decimal("21757793.27")),
    ],
)
def test_the_real_files_read_whole_with_their_checked_totals(path: Path, count: int, total: Decimal) -> None:
    name, content = real(path)
    read = grants360.grants_read(content, file=name)
    assert read.rejections == ()
    assert (len(read.grants), sum(grant.amount for grant in read.grants)) == (count, total)


def test_a_csv_with_bad_rows_names_each_line_and_reason() -> None:
    csv = (
        b"Identifier,Title,Description,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,"
        b"Recipient Org:Name,Funding Org:Identifier,Funding Org:Name, Grant Programme: Title ,Own column\n"
        b"360G-x-1,Grant one,Desc,GBP,100,2025-01-02,GB-COH-01234567,Org One,GB-LAE-TRF,Trafford,Small grants,x\n"
        b"360G-x-2,Grant two,Desc,GBP,lots,2025-01-02,GB-COH-01234567,Org One,GB-LAE-TRF,Trafford,,\n"
        b"360G-x-3,Grant three,Desc,GBP,100,02/01/2025,360G-x-org,Org Two,GB-LAE-TRF,Trafford,,\n"
        b"360G-x-1,Grant again,Desc,GBP,100,2025-01-02,360G-x-org,Org Two,GB-LAE-TRF,Trafford,,\n"
        b",,Desc,GBP,100,2025-01-02,360G-x-org,Org Two,GB-LAE-TRF,Trafford,,\n"
    )
    read = grants360.grants_read(csv, file="grants.csv")
    assert [grant.identifier for grant in read.grants] == ["360G-x-1"]
    assert read.grants[0].programme_title == "Small grants"  # "Grant Programme: Title", spaces and all
    assert read.grants[0].company_number == "01234567"
    assert [str(r) for r in read.rejections] == [
        "grants.csv, line 3 (360G-x-2): amountAwarded: 'lots' is not of type 'number'",
        "grants.csv, line 4 (360G-x-3): awardDate: “02/01/2025” is not a date (YYYY-MM-DD) or a date and time",
        "grants.csv, line 5 (360G-x-1): repeats the identifier of line 2",
        "grants.csv, line 6: is missing id, title",
    ]
    assert read.notes == ("grants.csv: columns not in the 360Giving standard were ignored: Own column.",)


def test_files_that_are_not_360giving_are_rejected_whole() -> None:
    assert [str(r) for r in grants360.grants_read(b"{nope", file="a.json").rejections] == [
        "a.json: is not JSON (line 1: Expecting property name enclosed in double quotes)"
    ]
    assert [str(r) for r in grants360.grants_read(b"Date,Amount\n1,2\n", file="spend.csv").rejections] == [
        "spend.csv: has no “Identifier” column in its first row, so it is not 360Giving data"
    ]


def test_the_agreement_dates_come_from_the_planned_dates_else_the_duration_else_the_award_date() -> None:
    base = grants360.grant_of(GRANT, "grant 1")
    assert grant_dates(base) == (date(2025, 6, 1), date(2026, 5, 31))
    by_duration = grants360.grant_of({**GRANT, "plannedDates": [{"duration": 12}]}, "grant 1")
    assert grant_dates(by_duration) == (date(2025, 5, 1), date(2026, 4, 30))
    bare = grants360.grant_of({**GRANT, "plannedDates": []}, "grant 1")
    assert grant_dates(bare) == (date(2025, 5, 1), date(2025, 5, 1))


# --- Importing ----------------------------------------------------------------------------------------


def test_the_trafford_json_imports_as_grant_agreements_and_again_changes_nothing() -> None:
    trafford = funder()
    files = [real(TRAFFORD / "trafford_council_voluntary_sector_grants.json")]
    summary = grants_import(actor=None, member=Member.system(trafford), files=files)
    assert summary.rejected == []
    assert (summary.grants_read, summary.grants_created, summary.amount) == (555, 555, Decimal("1291436.54"))
    agreements = Agreement.objects.filter(organisation=trafford, kind=AgreementKind.GRANT)
    assert agreements.count() == 555
    assert sum(agreements.values_list("value", flat=True)) == Decimal("1291436.54")
    first = Grant.objects.select_related("agreement__supplier").get(identifier="360G-traffordmbc-VSG1342")
    assert (first.agreement.value, first.agreement.start_date, first.agreement.end_date) == (
        Decimal("2266.00"),
        date(2013, 1, 18),
        date(2014, 1, 17),
    )
    assert (first.programme_code, first.programme_title, first.location_codes) == (
        "VSG",
        "Voluntary Sector Grants",
        ["E08000009"],
    )
    recipient = first.agreement.supplier
    assert (recipient.name, recipient.kind, recipient.is_vcse) == (
        "Altrincham Children's Choir",
        OrganisationKind.COMMUNITY,
        True,
    )
    assert recipient.org_identifier == "360G-trafford-altrincham_childrens_choir"
    # The CSV holds the same grants: importing it too changes nothing.
    again = grants_import(
        actor=None,
        member=Member.system(trafford),
        files=[real(TRAFFORD / "trafford_council_voluntary_sector_grants.csv")],
    )
    assert (again.grants_created, again.grants_updated, again.grants_unchanged, again.changed) == (0, 0, 555, False)


def test_recipients_are_matched_by_charity_then_company_number() -> None:
    trafford = funder()
    charity = factories.SupplierFactory.create(name="Pantry Trading Name", charity_number="1234567")
    company = factories.SupplierFactory.create(name="Helping Ltd", companies_house_number="00012345")
    by_company = {
        **GRANT,
        "id": "360G-test-2",
        "recipientOrganization": [{"id": "360G-x-helping", "name": "Helping", "companyNumber": "12345"}],
    }
    summary = grants_import(actor=None, member=Member.system(trafford), files=[("g.json", package(GRANT, by_company))])
    assert summary.rejected == [] and summary.recipients_created == 0
    suppliers = dict(Grant.objects.values_list("identifier", "agreement__supplier"))
    assert suppliers == {"360G-test-1": charity.pk, "360G-test-2": company.pk}


def test_one_bad_grant_means_nothing_is_imported_and_a_change_updates_the_agreement() -> None:
    trafford = funder()
    bad = {**GRANT, "id": "360G-test-9", "currency": "pounds"}
    summary = grants_import(actor=None, member=Member.system(trafford), files=[("g.json", package(GRANT, bad))])
    assert len(summary.rejected) == 1
    assert str(summary.rejected[0]).startswith("g.json, grant 2 (360G-test-9): currency: 'pounds' is not one of")
    assert not Agreement.objects.exists() and not Organisation.objects.filter(kind=OrganisationKind.COMMUNITY).exists()
    grants_import(actor=None, member=Member.system(trafford), files=[("g.json", package(GRANT))])
    changed = grants_import(
        actor=None, member=Member.system(trafford), files=[("g.json", package({**GRANT, "amountAwarded": 2000}))]
    )
    assert (changed.grants_updated, changed.grants_unchanged) == (1, 0)
    assert Agreement.objects.get().value == Decimal("2000.00")


def test_without_a_published_framework_the_import_is_refused_with_a_clear_message() -> None:
    council = factories.OrganisationFactory.create(name="Northfield Council")
    with pytest.raises(ApplicationError, match="has no published framework"):
        grants_import(actor=None, member=Member.system(council), files=[("g.json", package(GRANT))])
    assert not Agreement.objects.exists()


# --- Export -------------------------------------------------------------------------------------------


def test_grant_agreements_export_as_valid_360giving_and_read_back_the_same() -> None:
    trafford = funder()
    grants_import(actor=None, member=Member.system(trafford), files=[("g.json", package(GRANT))])
    factories.AgreementFactory.create(
        organisation=trafford,
        reference="MADE-HERE",
        title="A grant made on the page",
        kind=AgreementKind.GRANT,
        value=Decimal("300.00"),
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )
    exported = grants_export(member=Member.system(trafford))
    assert grants360.package_problems(exported) == []
    read = grants360.grants_read(grants360.package_json(exported).encode(), file="out.json")
    assert read.rejections == ()
    first = read.grants[0]
    assert (first.identifier, first.amount, first.location_codes, first.programme_code) == (
        "360G-test-1",
        Decimal("1500.50"),
        ("E08000009", "E05000829"),
        "VSG",
    )
    assert read.grants[1].identifier == "360G-commonweal-trafford-MADE-HERE"


def test_the_commands_import_and_export(tmp_path: Path) -> None:
    funder(slug="trafford")
    source = tmp_path / "g.json"
    source.write_bytes(package(GRANT))
    out = io.StringIO()
    call_command("delivery", "import-360giving", str(source), "--organisation", "trafford", "--json", stdout=out)
    assert json.loads(out.getvalue())["grants_created"] == 1
    again = io.StringIO()
    call_command("delivery", "import-360giving", str(source), "--organisation", "trafford", stdout=again)
    assert "Nothing changed" in again.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_bytes(package({**GRANT, "awardDate": "soon"}))
    with pytest.raises(CommandError, match="1 grant or file rejected"):
        call_command("delivery", "import-360giving", str(bad), "--organisation", "trafford", stderr=io.StringIO())
    target = tmp_path / "out.json"
    call_command(
        "delivery", "export-360giving", "--organisation", "trafford", "--output", str(target), stdout=io.StringIO()
    )
    assert grants360.package_problems(json.loads(target.read_text())) == []
