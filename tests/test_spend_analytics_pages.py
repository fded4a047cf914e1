"""The spend dashboard, its downloads (CSV and XLSX), `commonweal spend summary` and the summary API,
over the hand-checked world of tests/spend_analysis_data.py."""

import csv
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from commonweal.spend import charts
from commonweal.tenancy.models import Role
from tests.conftest import Tenant

from .factories import MembershipFactory, api_token, member_user
from .spend_analysis_data import spend_world
from .spend_suppliers_support import import_with_payments, payment

D = Decimal


@pytest.fixture
def council(tenant_a: Tenant) -> Tenant:
    spend_world(tenant_a.buyer)
    return tenant_a


def dashboard_url(tenant: Tenant) -> str:
    return reverse("spend:dashboard", kwargs={"org": tenant.buyer.slug})


def download_url(tenant: Tenant) -> str:
    return reverse("spend:dashboard-download", kwargs={"org": tenant.buyer.slug})


# --- The dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_opens_on_the_latest_financial_year(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    response = client.get(dashboard_url(council))
    assert response.status_code == 200
    page = response.content.decode()
    assert "£300.00" in page and "in 1 payment" in page  # only the payment of 1 April 2025
    assert "Showing: Paid from 1 April 2025 to 31 March 2026." in page
    assert f'href="{dashboard_url(council)}?date_from="' in page  # every year, one click away


def test_the_dashboard_shows_the_headline_figures_charts_and_tables(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    response = client.get(dashboard_url(council), {"date_from": ""})  # every year
    assert response.status_code == 200
    page = response.content.decode()
    assert "£12,900.00" in page and "in 10 payments" in page and "totalling −£100.00" in page
    assert "<strong>26.36%</strong> of all spend; 34.34% of classified spend" in page
    assert "Not known: £3,000.00 (23.26%)" in page
    assert "£700.00 (5.43% of spend) in 1 payment: counted, never classified" in page
    assert "£11,700.00 (90.7% of spend)" in page
    for heading in ["Who the money goes to", "Top suppliers", "Leakage: spend outside the area", "Influenceable spend"]:
        assert heading in page
    # Every chart is one image with a title and description, and a table follows it.
    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert len(svgs) == 9
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert page.count("<table") == 9
    assert "style=" not in "".join(re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL))
    assert "<script" not in "".join(re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL))
    assert '<td class="govuk-table__cell app-table-numeric">£5,000.00</td>' in page  # Megacorp, right-aligned


def test_the_dashboard_filters_by_date_service_area_and_label(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    page = client.get(
        dashboard_url(council), {"date_from": "1/5/2024", "date_to": "30 June 2024", "local": "no"}
    ).content.decode()
    assert "Showing: Paid from 1 May 2024 to 30 June 2024; Suppliers that are not local." in page
    assert "£5,000.00" in page and "in 1 payment," in page
    # Downloads carry the filter.
    assert "table=suppliers&amp;format=csv&amp;date_from=01%2F05%2F2024&amp;date_to=30%2F06%2F2024&amp;local=no" in page
    page = client.get(dashboard_url(council), {"service_area": "Corporate"}).content.decode()
    assert "£1,200.00" in page


def test_a_filter_that_matches_nothing_says_so(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    page = client.get(dashboard_url(council), {"date_from": "1/1/2030"}).content.decode()
    assert "No payments match these filters." in page
    assert "<svg" not in page


def test_a_wrong_filter_shows_its_errors(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    response = client.get(dashboard_url(council), {"date_from": "31/13/2024", "date_to": "", "service_area": "Nowhere"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Spend analysis" in page
    assert "Paid from must be a real date, like 1/4/2024" in page
    assert "Select a valid choice. Nowhere is not one of the available choices." in page
    assert "Headline figures" not in page
    page = client.get(dashboard_url(council), {"date_from": "1/5/2024", "date_to": "1/4/2024"}).content.decode()
    assert "Paid to must be the same as or after paid from" in page


def test_with_no_imports_the_dashboard_points_to_the_import_page(tenant_a: Tenant, client: Client) -> None:
    lead = member_user(tenant_a.buyer, Role.SOCIAL_VALUE_LEAD)
    client.force_login(lead)
    page = client.get(dashboard_url(tenant_a)).content.decode()
    assert "has not imported any spend yet" in page
    assert f'href="{reverse("spend:import-upload", kwargs={"org": tenant_a.buyer.slug})}"' in page
    client.force_login(member_user(tenant_a.buyer, Role.VIEWER))  # may read spend, not import it
    page = client.get(dashboard_url(tenant_a)).content.decode()
    assert "A social value lead or procurement officer can import spend files." in page


def test_a_supplier_organisation_has_no_spend_pages(council: Tenant, client: Client) -> None:
    client.force_login(council.supplier_user)
    assert client.get(reverse("spend:dashboard", kwargs={"org": council.supplier.slug})).status_code == 404
    assert client.get(reverse("spend:dashboard", kwargs={"org": council.buyer.slug})).status_code == 404


# --- Downloads -------------------------------------------------------------------------------------


def test_a_table_downloads_as_csv_with_the_filter(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    response = client.get(download_url(council), {"table": "suppliers", "format": "csv", "local": "yes"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="council-a-spend-suppliers-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Rank", "Supplier", "Spend", "Payments", "Local", "SME", "VCSE", "Real Living Wage", "District"],
        ["1", "Riverside Trust", "2000.00", "1", "yes", "yes", "yes", "", "E06000002 (Middlesbrough)"],
        ["2", "Northgate Bakery Ltd", "1400.00", "3", "yes", "yes", "no", "yes", "E08000009 (Trafford)"],
    ]


def test_the_classification_csv_has_exact_figures(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    response = client.get(download_url(council), {"table": "classification", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0] == {
        "Classification": "Local",
        "Spend with suppliers that are": "3400.00",
        "Spend with suppliers that are not": "6500.00",
        "Spend not known": "3000.00",
        "Of which redacted": "700.00",
        "Share of classified spend": "34.34",
        "Share of all spend": "26.36",
        "Share not known": "23.26",
    }


def test_every_table_downloads_as_one_workbook(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    response = client.get(download_url(council))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "About",
        "headline",
        "classification",
        "months",
        "financial-years",
        "service-areas",
        "expense-types",
        "suppliers",
        "leakage",
        "deprivation",
        "influenceable",
    ]
    assert workbook["About"]["B3"].value == "All payments"
    headline = {row[0]: row[1] for row in workbook["headline"].iter_rows(min_row=2, values_only=True)}
    assert headline["Total spend (net, £)"] == 12900
    assert headline["Credits (negative amounts, £)"] == -100
    months = list(workbook["months"].iter_rows(values_only=True))
    assert months[0][:3] == ("Month", "Spend", "Payments")
    assert months[3][:5] == ("2024-06", 7000, 2, 2000, 5000)
    assert workbook["suppliers"]["C2"].number_format == "#,##0.00"


def test_download_cells_cannot_run_as_formulas(tenant_a: Tenant, client: Client) -> None:
    import_with_payments(tenant_a.buyer, [payment("Acme Ltd", "10.00", service_area='=HYPERLINK("x")')])
    client.force_login(tenant_a.manager)
    query = {"table": "service-areas", "format": "csv"}
    rows = list(csv.reader(io.StringIO(client.get(download_url(tenant_a), query).content.decode())))
    assert rows[1][0] == '\'=HYPERLINK("x")'
    query["format"] = "xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(download_url(tenant_a), query).content))
    cell = workbook["service-areas"]["A2"]
    assert (cell.data_type, cell.value) == ("s", '\'=HYPERLINK("x")')


@pytest.mark.parametrize("query", [{"table": "nonsense"}, {"format": "pdf"}, {"table": "all", "format": "csv"}])
def test_unknown_downloads_are_not_found(council: Tenant, client: Client, query: dict[str, str]) -> None:
    client.force_login(council.manager)
    assert client.get(download_url(council), query).status_code == 404


def test_a_download_with_a_wrong_filter_is_refused(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    response = client.get(download_url(council), {"table": "months", "format": "csv", "date_from": "yesterday"})
    assert response.status_code == 400
    assert "Paid from must be a real date" in response.content.decode()


# --- Charts ----------------------------------------------------------------------------------------


def test_a_chart_is_one_named_image_without_styles_or_scripts() -> None:
    svg = charts.bar_chart(
        chart_id="chart-test",
        title="Spend <by> area",
        description="A: £1.00",
        categories=["A", "B"],
        values=[D("1.00"), D("-2.50")],
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="')
    assert 'role="img"' in svg and 'aria-labelledby="chart-test-title chart-test-desc"' in svg
    assert '<title id="chart-test-title">Spend &lt;by&gt; area</title>' in svg
    assert "style=" not in svg and "<script" not in svg and "aria-roledescription" not in svg
    assert "£" in svg


def test_svg_clean_turns_style_attributes_into_presentation_attributes() -> None:
    cleaned = charts.svg_clean('<g role="graphics-object" style="fill: red; opacity: 0.5"><script>x()</script></g>')
    assert cleaned == '<g fill="red" opacity="0.5"></g>'


# --- The command line ------------------------------------------------------------------------------


def test_spend_summary_json_gives_the_api_s_figures(council: Tenant, client: Client) -> None:
    out = io.StringIO()
    call_command("spend", "summary", "--organisation", council.buyer.slug, "--to", "2025-03-31", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["totals"]["total"] == "12600.00"
    assert printed["classification"][0]["percent_of_all"] == "26.98"  # 3400 / 12600
    token = api_token(council.manager)
    api = client.get(
        reverse("api:spend-summary", kwargs={"org": council.buyer.slug}),
        {"date_to": "2025-03-31"},
        headers={"Authorization": f"Token {token.key}"},
    )
    assert api.json() == printed


def test_spend_summary_prints_a_readable_table(council: Tenant) -> None:
    out = io.StringIO()
    call_command("spend", "summary", "--organisation", council.buyer.slug, "--from", "1/4/2024", stdout=out)
    text = out.getvalue()
    assert "Total spend £12,900.00 in 10 payments (credits −£100.00)" in text
    assert "Influenceable £11,700.00 (90.7%)" in text
    assert "Megacorp PLC" in text and "2024-25" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--organisation", "nowhere"], "No organisation has the short name “nowhere”."),
        (["--organisation", "council-a", "--from", "soon"], "--from: “soon” is not a date."),
        (["--organisation", "council-a", "--from", "2025-01-01", "--to", "2024-01-01"], "--to must be"),
        (["--organisation", "supplier-a"], "is not a public body"),
    ],
)
def test_spend_summary_refuses_bad_options(council: Tenant, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("spend", "summary", *arguments)


def test_spend_summary_for_an_organisation_without_imports(tenant_b: Tenant) -> None:
    out = io.StringIO()
    call_command("spend", "summary", "--organisation", tenant_b.buyer.slug, stdout=out)
    assert "has not imported any spend yet" in out.getvalue()


# --- The API ---------------------------------------------------------------------------------------


def test_the_summary_api_filters_and_reports_bad_parameters_in_the_error_shape(council: Tenant, client: Client) -> None:
    token = api_token(council.manager)
    url = reverse("api:spend-summary", kwargs={"org": council.buyer.slug})
    headers = {"Authorization": f"Token {token.key}"}
    data = client.get(url, {"local": "unknown", "include_not_influenceable": "false"}, headers=headers).json()
    assert data["totals"]["total"] == "1800.00"  # unknown 3000 less the precept 1200
    assert data["filter"]["local"] == "unknown"
    response = client.get(
        url, {"local": "perhaps", "date_from": "2025-01-01", "date_to": "2024-01-01"}, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "There is a problem with the request."
    assert set(response.json()["errors"]) == {"local"}
    response = client.get(url, {"date_from": "2025-01-01", "date_to": "2024-01-01"}, headers=headers)
    assert response.json()["errors"] == {"date_to": "date_to must be the same as or after date_from."}


def test_the_summary_api_is_404_for_a_supplier_and_for_another_organisation(
    council: Tenant, tenant_b: Tenant, client: Client
) -> None:
    MembershipFactory.create(user=tenant_b.manager, organisation=tenant_b.buyer, role=Role.SOCIAL_VALUE_LEAD)
    for user, org in [(council.supplier_user, council.supplier.slug), (tenant_b.manager, council.buyer.slug)]:
        token = api_token(user)
        response = client.get(
            reverse("api:spend-summary", kwargs={"org": org}), headers={"Authorization": f"Token {token.key}"}
        )
        assert response.status_code == 404
        assert "Megacorp" not in response.content.decode()


# --- Demo data -------------------------------------------------------------------------------------


def test_the_demo_spend_imports_once_and_is_classified(tenant_a: Tenant) -> None:
    from commonweal.spend import analytics
    from commonweal.spend.demo import spend_demo_load

    lead = member_user(tenant_a.buyer, Role.SOCIAL_VALUE_LEAD)
    assert spend_demo_load(actor=lead, organisation=tenant_a.buyer) == 310
    assert spend_demo_load(actor=lead, organisation=tenant_a.buyer) == 0
    headline = analytics.spend_headline(organisation=tenant_a.buyer)
    # The file's amounts add up to £2,465,244.32: its Amount column summed apart from the import (csv module).
    assert (headline.total, headline.payments) == (D("2465244.32"), 310)
    assert headline.redacted_payments == 12 and headline.credit_payments == 10
    assert headline.not_influenceable == D("386000.00")  # eight precept payments of £48,250.00
    local = analytics.spend_shares(organisation=tenant_a.buyer)[0]
    assert local.amount > 0 and local.not_amount > 0 and local.unknown > 0
