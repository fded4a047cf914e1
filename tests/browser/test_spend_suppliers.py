"""The supplier pages in a real browser, each checked with axe: the list, a supplier with its
provenance and the override form (with an error, then saved), the spend policy, the Living Wage list
and flags uploads."""

import pytest
from playwright.sync_api import FilePayload, Page, expect

from commonweal.accounts.models import User
from commonweal.demo.services import DemoLoadResult
from commonweal.spend import services_suppliers as services
from commonweal.spend.models import Supplier
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member
from tests.spend_suppliers_support import import_with_payments, payment

from .support import assert_accessible, error_summary_items, follow, sign_in, submit

LEAD = "lead@northfield.example"


def northfield_suppliers() -> Supplier:
    northfield = Organisation.objects.get(slug="northfield")
    lead = User.objects.get(email=LEAD)
    services.spend_policy_update(
        actor=lead, member=Member.system(northfield), local_district_codes=["E08000009"], rules=[]
    )
    spend_import = import_with_payments(
        northfield,
        [
            payment("Stretford Cafe", supplier_postcode="M32 0TH"),
            payment("Oxford Books Ltd", supplier_postcode="OX1 1BX"),
            payment("Oxford Book Ltd"),
            payment("Helping Hands", charity_number="1146179"),
            payment("Northfield Food Bank CIC"),
        ],
    )
    services.supplier_registry_update(actor=lead, member=Member.system(northfield), spend_import=spend_import)
    return Supplier.objects.get(organisation=northfield, normalised_name="STRETFORD CAFE")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_supplier_pages_pass_axe_and_an_override_is_saved(page: Page, demo: DemoLoadResult) -> None:
    cafe = northfield_suppliers()
    sign_in(page, LEAD)
    page.goto("/o/northfield/spend/suppliers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suppliers")
    expect(page.get_by_role("row", name="Stretford Cafe")).to_contain_text("Postcode")
    assert_accessible(page)

    page.get_by_label("Classification").select_option("vcse")
    page.get_by_label("Is", exact=True).select_option("yes")
    submit(page, "Find")
    expect(page.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)

    page.goto("/o/northfield/spend/suppliers/")
    follow(page, page.get_by_role("link", name="Stretford Cafe"))
    expect(page.get_by_text("M32 0TH is in E08000009 (Trafford), one of the local districts")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("No").check()
    submit(page, "Save the override")
    assert error_summary_items(page) == [("Say why you are overriding the classification", "#id_override_reason")]
    assert_accessible(page)
    page.get_by_label("No").check()
    page.get_by_label("Why").fill("The cafe is run from Leeds")
    submit(page, "Save the override")
    expect(page.get_by_role("table", name="Local: No")).to_contain_text("The cafe is run from Leeds")
    assert_accessible(page)
    assert cafe.labels.filter(is_override=True).count() == 1

    page.goto("/o/northfield/spend/suppliers/policy/")
    expect(page.get_by_role("row", name="Trafford")).to_contain_text("E08000009")
    page.get_by_label("Local districts").fill("Trafford\nNarnia")
    submit(page, "Save the spend policy")
    assert error_summary_items(page)[0][1] == "#id_local_districts"
    assert_accessible(page)
    page.get_by_label("Local districts").fill("Trafford\nOxford")
    page.get_by_label("Rule 1: field").select_option("expense_type")
    page.get_by_label("Rule 1: contains").fill("Precept")
    submit(page, "Save the spend policy")
    expect(page.get_by_role("row", name="Oxford")).to_contain_text("E07000178")
    assert_accessible(page)

    page.goto("/o/northfield/spend/suppliers/living-wage/")
    submit(page, "Load the list")
    assert error_summary_items(page) == [("Select a CSV file of employer names", "#id_living_wage_file")]
    assert_accessible(page)
    page.get_by_label("Upload the employer list").set_input_files(
        files=FilePayload(name="rlw.csv", mimeType="text/csv", buffer=b"Employer\nHelping Hands Ltd\n")
    )
    submit(page, "Load the list")
    expect(page.get_by_text("The list has 1 employer; 1 of your suppliers are on it.")).to_be_visible()
    assert_accessible(page)

    page.goto("/o/northfield/spend/suppliers/flags/")
    assert_accessible(page)
    page.get_by_label("Upload a file of supplier flags").set_input_files(
        files=FilePayload(name="sizes.csv", mimeType="text/csv", buffer=b"name,size\nStretford Cafe,micro\n")
    )
    submit(page, "Apply the flags")
    expect(page.get_by_role("row", name="Size list")).to_contain_text("1")
    assert_accessible(page)
