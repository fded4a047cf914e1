"""The supplier pages through the Django test client: list, detail with overrides, the spend policy, the
Living Wage list and flags uploads; who may see and change what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commonweal.core.models import AuditEvent
from commonweal.spend import services_suppliers as services
from commonweal.spend.models import Label, LivingWageEmployer, SpendPolicy, Supplier, SupplierLabel
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import Member

from .conftest import Tenant
from .factories import MembershipFactory, member_user
from .spend_suppliers_support import import_with_payments, payment


@pytest.fixture
def lead(tenant_a: Tenant) -> Client:
    """Tenant A's manager as social value lead too: may manage spend."""
    MembershipFactory.create(user=tenant_a.manager, organisation=tenant_a.buyer, role=Role.SOCIAL_VALUE_LEAD)
    client = Client()
    client.force_login(tenant_a.manager)
    return client


@pytest.fixture
def suppliers(tenant_a: Tenant) -> dict[str, Supplier]:
    services.spend_policy_update(
        actor=tenant_a.manager, member=Member.system(tenant_a.buyer), local_district_codes=["E08000009"], rules=[]
    )
    spend_import = import_with_payments(
        tenant_a.buyer,
        [
            payment("Stretford Cafe", supplier_postcode="M32 0TH"),
            payment("Oxford Books Ltd", supplier_postcode="OX1 1BX"),
            payment("Oxford Books Limited"),
            payment("Oxford Book Ltd"),
            payment("Helping Hands", charity_number="1146179"),
            *(payment(f"Firm {number:03} Ltd") for number in range(60)),
        ],
    )
    services.supplier_registry_update(
        actor=tenant_a.manager, member=Member.system(tenant_a.buyer), spend_import=spend_import
    )
    return {supplier.normalised_name: supplier for supplier in Supplier.objects.filter(organisation=tenant_a.buyer)}


def url(name: str, tenant: Tenant, **kwargs: object) -> str:
    return reverse(f"spend:{name}", kwargs={"org": tenant.buyer.slug, **kwargs})


@pytest.mark.django_db
def test_the_list_searches_filters_pages_and_shows_each_label_with_its_source(
    lead: Client, tenant_a: Tenant, suppliers: dict[str, Supplier]
) -> None:
    page = lead.get(url("supplier-list", tenant_a), {"sort": "name"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "63 suppliers, with 1 other spelling" in text
    assert "Suppliers 1 to 50 of 63" in text
    assert "Firm 049 Ltd" in text and "Firm 050 Ltd" not in text
    second = lead.get(url("supplier-list", tenant_a), {"page": "2", "sort": "name"})
    assert "Suppliers 51 to 63 of 63" in second.content.decode()

    found = lead.get(url("supplier-list", tenant_a), {"q": "oxford book ltd"}).content.decode()
    assert "Oxford Books Limited" in found and "Stretford Cafe" not in found  # found by its alias
    local = lead.get(url("supplier-list", tenant_a), {"label": "local", "value": "yes"}).content.decode()
    assert "Stretford Cafe" in local and "Oxford Books" not in local
    assert "Postcode" in local
    unknown = lead.get(url("supplier-list", tenant_a), {"label": "vcse", "value": "unknown"}).content.decode()
    assert "Helping Hands" not in unknown and "Firm 000 Ltd" in unknown
    vcse = lead.get(url("supplier-list", tenant_a), {"label": "vcse", "value": "yes"}).content.decode()
    assert "Helping Hands" in vcse and "Charity number" in vcse


@pytest.mark.django_db
def test_the_detail_shows_provenance_and_an_override_with_its_reason_beats_it(
    lead: Client, tenant_a: Tenant, suppliers: dict[str, Supplier]
) -> None:
    cafe = suppliers["STRETFORD CAFE"]
    page = lead.get(url("supplier-detail", tenant_a, pk=cafe.pk)).content.decode()
    assert "M32 0TH is in E08000009 (Trafford), one of the local districts" in page
    assert "E08000009 (Trafford)" in page
    assert "Local: Yes" in page

    refused = lead.post(
        url("supplier-override", tenant_a, pk=cafe.pk),
        {"override_label": "local", "override_value": "no", "override_reason": ""},
    )
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    assert "Say why you are overriding the classification" in refused.content.decode()
    assert not SupplierLabel.objects.filter(is_override=True).exists()

    done = lead.post(
        url("supplier-override", tenant_a, pk=cafe.pk),
        {"override_label": "local", "override_value": "no", "override_reason": "Run from Leeds"},
    )
    assert done.status_code == 302
    page = lead.get(url("supplier-detail", tenant_a, pk=cafe.pk)).content.decode()
    assert "Local: No" in page and "Run from Leeds" in page and "Override set" in page

    removed = lead.post(url("supplier-override-remove", tenant_a, pk=cafe.pk), {"remove_label": "local"})
    assert removed.status_code == 302
    assert "Local: Yes" in lead.get(url("supplier-detail", tenant_a, pk=cafe.pk)).content.decode()
    # Nothing left to remove: a 404, and nothing written.
    events = AuditEvent.objects.count()
    assert (
        lead.post(url("supplier-override-remove", tenant_a, pk=cafe.pk), {"remove_label": "local"}).status_code == 404
    )
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_reader_sees_but_cannot_change_and_a_supplier_sees_nothing(
    client: Client, tenant_a: Tenant, suppliers: dict[str, Supplier]
) -> None:
    viewer = member_user(tenant_a.buyer, Role.VIEWER)
    client.force_login(viewer)
    cafe = suppliers["STRETFORD CAFE"]
    detail = client.get(url("supplier-detail", tenant_a, pk=cafe.pk))
    assert detail.status_code == 200
    assert "Override a classification" not in detail.content.decode()
    assert "Classify all suppliers again" not in client.get(url("supplier-list", tenant_a)).content.decode()
    before = (AuditEvent.objects.count(), SupplierLabel.objects.count())
    for name, kwargs, data in [
        (
            "supplier-override",
            {"pk": cafe.pk},
            {"override_label": "sme", "override_value": "yes", "override_reason": "x"},
        ),
        ("supplier-classify", {}, {}),
        ("policy", {}, {"local_districts": "E07000178"}),
    ]:
        assert client.post(url(name, tenant_a, **kwargs), data).status_code == 404
    assert (AuditEvent.objects.count(), SupplierLabel.objects.count()) == before

    client.force_login(tenant_a.supplier_user)
    slug = tenant_a.supplier.slug
    assert client.get(reverse("spend:supplier-list", kwargs={"org": slug})).status_code == 404


@pytest.mark.django_db
def test_the_policy_page_takes_codes_or_names_and_refuses_unknown_ones(
    lead: Client, tenant_a: Tenant, suppliers: dict[str, Supplier]
) -> None:
    page = lead.get(url("policy", tenant_a)).content.decode()
    assert "Trafford" in page and "E08000009" in page
    refused = lead.post(url("policy", tenant_a), {"local_districts": "Trafford\nNarnia", "rule_field_0": ""})
    assert refused.status_code == 200
    assert "Narnia is not a district code" in refused.content.decode()
    assert SpendPolicy.objects.get().local_district_codes == ["E08000009"]
    saved = lead.post(
        url("policy", tenant_a),
        {
            "local_districts": "Trafford, Oxford",
            "rule_field_0": "expense_type",
            "rule_contains_0": "Precept",
            "rule_field_1": "",
            "rule_contains_1": "",
        },
    )
    assert saved.status_code == 302
    policy = SpendPolicy.objects.get()
    assert policy.local_district_codes == ["E08000009", "E07000178"]
    assert policy.not_influenceable_rules == [{"field": "expense_type", "contains": "Precept"}]
    oxford = suppliers["OXFORD BOOKS LTD"]
    assert SupplierLabel.objects.get(supplier=oxford, label=Label.LOCAL).value is True
    page = lead.get(url("policy", tenant_a)).content.decode()
    assert "Oxford" in page and "Precept" in page
    missing_text = lead.post(
        url("policy", tenant_a),
        {"local_districts": "Trafford", "rule_field_0": "supplier_name", "rule_contains_0": " "},
    )
    assert "Enter the text the field contains" in missing_text.content.decode()


@pytest.mark.django_db
def test_the_living_wage_and_flags_uploads(lead: Client, tenant_a: Tenant, suppliers: dict[str, Supplier]) -> None:
    csv_file = SimpleUploadedFile("rlw.csv", b"Organisation name\nStretford Cafe Ltd\n")
    assert lead.post(url("living-wage", tenant_a), {"living_wage_file": csv_file}).status_code == 302
    page = lead.get(url("living-wage", tenant_a)).content.decode()
    assert "The list has 1 employer; 1 of your suppliers are on it." in page
    wrong = lead.post(url("living-wage", tenant_a), {"living_wage_file": SimpleUploadedFile("rlw.pdf", b"%PDF-1.4")})
    assert "The selected file must be a CSV or TXT" in wrong.content.decode()
    assert LivingWageEmployer.objects.count() == 1

    grants = SimpleUploadedFile(
        "grants.csv", b"Identifier,Recipient Org:Name,Recipient Org:Charity Number\n360G-1,Helping Hands,1146179\n"
    )
    response = lead.post(url("flags", tenant_a), {"flags_file": grants})
    assert response.status_code == 302
    assert SupplierLabel.objects.get(source="360giving").supplier == suppliers["HELPING HANDS"]
    bad = lead.post(url("flags", tenant_a), {"flags_file": SimpleUploadedFile("x.json", b"{oops")})
    assert "x.json is not valid JSON" in bad.content.decode()
    empty = lead.post(url("flags", tenant_a), {})
    assert "Select an OCDS, 360Giving or size list file" in empty.content.decode()


@pytest.mark.django_db
def test_classify_again_from_the_list(lead: Client, tenant_a: Tenant, suppliers: dict[str, Supplier]) -> None:
    response = lead.post(url("supplier-classify", tenant_a), follow=True)
    assert "63 suppliers classified again: 0 labels added, 0 changed, 0 removed." in response.content.decode()
    assert AuditEvent.objects.filter(action="spend_suppliers.classified").count() == 1


@pytest.mark.django_db
def test_the_register_opens_sorted_by_spend_with_the_biggest_unknowns_a_click_away(
    lead: Client, tenant_a: Tenant, suppliers: dict[str, Supplier]
) -> None:
    import_with_payments(tenant_a.buyer, [payment("Firm 042 Ltd", "5000.00"), payment("Helping Hands", "900.00")])
    text = lead.get(url("supplier-list", tenant_a)).content.decode()
    names = ["Firm 042 Ltd", "Helping Hands", "Oxford Books Limited", "Firm 000 Ltd"]  # £5,100, £1,000, £300, £100
    assert sorted(names, key=text.index) == names
    assert "£5,100.00" in text and "£1,000.00" in text and "£300.00" in text
    assert "?label=local&amp;value=unknown&amp;sort=spend" in text
    worklist = lead.get(url("supplier-list", tenant_a), {"label": "local", "value": "unknown", "sort": "spend"})
    listed = worklist.content.decode()
    assert "Stretford Cafe" not in listed  # known: its postcode is in the local district
    assert listed.index("Firm 042 Ltd") < listed.index("Helping Hands") < listed.index("Firm 001 Ltd")


def _sheet(lead: Client, tenant: Tenant, text: str) -> str:
    upload = SimpleUploadedFile("sheet.csv", text.encode(), content_type="text/csv")
    response = lead.post(url("supplier-classify-file", tenant), {"sheet_file": upload}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_classification_sheet_sets_postcodes_and_answers_all_or_nothing(
    lead: Client, tenant_a: Tenant, suppliers: dict[str, Supplier]
) -> None:
    template = lead.get(url("supplier-classify-template", tenant_a))
    assert template.content.decode().splitlines()[0] == (
        "supplier,postcode,companies house number,sme,vcse,real living wage"
    )
    bad = _sheet(
        lead,
        tenant_a,
        "supplier,postcode,sme,vcse\n"
        "Firm 001 Ltd,M32 0TH,yes,no\n"
        "Firm 002 Ltd,not a postcode,maybe,\n"
        "Nobody Ltd,M32 0TH,yes,\n",
    )
    assert "sheet.csv was not loaded: nothing has changed." in bad
    assert "Line 3: postcode “not a postcode” is not a full UK postcode; sme “maybe” is not yes or no" in bad
    assert "Line 4: “Nobody Ltd”: no supplier of that name is in your register" in bad
    firm = suppliers["firm 001"] if "firm 001" in suppliers else Supplier.objects.get(name="Firm 001 Ltd")
    firm.refresh_from_db()
    assert firm.postcode == "" and not SupplierLabel.objects.filter(supplier=firm, is_override=True).exists()

    sheet = "supplier,postcode,companies house number,sme,vcse,real living wage\nfirm 001 limited,m32 0th,123,yes,no,\n"
    done = _sheet(lead, tenant_a, sheet)
    assert "sheet.csv: 1 suppliers read; 1 postcodes or company numbers changed and 2 classifications set." in done
    firm.refresh_from_db()
    assert (firm.postcode, firm.companies_house_number, firm.district_code) == ("M32 0TH", "00000123", "E08000009")
    labels = {item.label: item for item in SupplierLabel.objects.filter(supplier=firm)}
    assert labels[Label.LOCAL].value is True and labels[Label.LOCAL].is_override is False  # derived from the postcode
    assert labels[Label.SME].value is True and labels[Label.SME].reason == "Classification sheet sheet.csv, line 2"
    assert labels[Label.VCSE].value is False and Label.LIVING_WAGE not in labels
    [event] = AuditEvent.objects.filter(organisation=tenant_a.buyer, action="spend_suppliers.sheet_loaded")
    assert event.after["changes"] == [
        "Firm 001 Ltd (line 2): postcode M32 0TH, company number 00000123; SME yes; "
        "Voluntary, community or social enterprise no"
    ]
    again = _sheet(lead, tenant_a, sheet)  # the same sheet again changes nothing more
    assert "0 postcodes or company numbers changed and 0 classifications set." in again
    latest = AuditEvent.objects.filter(action="spend_suppliers.sheet_loaded").order_by("-pk").first()
    assert latest is not None and latest.after["changes"] == []


@pytest.mark.django_db
def test_only_spend_managers_load_a_classification_sheet(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.manager)  # a contract manager reads spend but does not manage it
    assert client.get(url("supplier-classify-file", tenant_a)).status_code == 404
    assert client.get(url("supplier-classify-template", tenant_a)).status_code == 404
