"""The supplier registry: normalised names clustered into suppliers, numbers attached, and every label
classified with its provenance; overrides beat derived labels and survive reclassification."""

import importlib

import pytest
from django.apps import apps as django_apps

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.spend import analytics
from commonweal.spend import services_suppliers as services
from commonweal.spend.classification import (
    NameEntry,
    charity_number_clean,
    cluster_names,
    company_number_clean,
    effective_value,
    match_reason,
    vat_number_clean,
    vcse_name_form,
)
from commonweal.spend.models import Label, LivingWageEmployer, SpendPolicy, Supplier, SupplierAlias, SupplierLabel
from commonweal.spend.rules import RULE_FIELDS, PolicyRule
from commonweal.spend.selectors_suppliers import ClassRow, classification_rows
from commonweal.tenancy.selectors import Member

from .conftest import Tenant
from .spend_suppliers_support import import_with_payments, payment


def registry(tenant: Tenant, payments: list[dict[str, object]]) -> dict[str, Supplier]:
    """Import `payments` into the tenant's registry; its suppliers by normalised name."""
    spend_import = import_with_payments(tenant.buyer, payments)
    services.supplier_registry_update(
        actor=tenant.manager, member=Member.system(tenant.buyer), spend_import=spend_import
    )
    return {supplier.normalised_name: supplier for supplier in Supplier.objects.filter(organisation=tenant.buyer)}


def aliases(supplier: Supplier) -> dict[str, str]:
    return dict(supplier.aliases.values_list("normalised_name", "how"))


def labels(supplier: Supplier, label: str) -> list[tuple[str, bool, str]]:
    return list(
        SupplierLabel.objects.filter(supplier=supplier, label=label)
        .order_by("-is_override", "source")
        .values_list("source", "value", "detail")
    )


def local_policy(tenant: Tenant, *codes: str) -> None:
    services.spend_policy_update(
        actor=tenant.manager, member=Member.system(tenant.buyer), local_district_codes=codes, rules=[]
    )


# --- Names and numbers -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_acme_ltd_acme_limited_and_acme_ltd_dot_are_one_supplier(tenant_a: Tenant) -> None:
    suppliers = registry(tenant_a, [payment("ACME LTD"), payment("Acme Limited"), payment("ACME LTD.")])
    assert list(suppliers) == ["ACME LTD"]
    assert suppliers["ACME LTD"].name == "ACME LTD"  # the most common spelling; a tie goes to the first in order
    assert SupplierAlias.objects.count() == 0  # one normalised name: no alias needed


@pytest.mark.django_db
def test_ampersand_and_the_word_and_are_one_supplier(tenant_a: Tenant) -> None:
    suppliers = registry(
        tenant_a,
        [
            payment("A & B SERVICES"),
            payment("A AND B SERVICES"),
            payment("A and B Services"),
            payment("A & B SERVICES"),
        ],
    )
    assert list(suppliers) == ["A AND B SERVICES"]
    assert suppliers["A AND B SERVICES"].name == "A & B SERVICES"  # two of the four payments spell it so


@pytest.mark.django_db
def test_similar_names_with_different_company_numbers_stay_apart(tenant_a: Tenant) -> None:
    suppliers = registry(
        tenant_a,
        [
            payment("ACME SERVICE LTD", companies_house_number="1234567"),
            payment("ACME SERVICES LTD", companies_house_number="07654321"),
        ],
    )
    assert sorted(suppliers) == ["ACME SERVICE LTD", "ACME SERVICES LTD"]
    assert suppliers["ACME SERVICE LTD"].companies_house_number == "01234567"
    assert suppliers["ACME SERVICES LTD"].companies_house_number == "07654321"
    assert SupplierAlias.objects.count() == 0


@pytest.mark.django_db
def test_near_duplicates_become_aliases_saying_why(tenant_a: Tenant) -> None:
    suppliers = registry(
        tenant_a,
        [
            payment("Acme Service Ltd"),
            payment("Acme Services Ltd"),
            payment("Acme Services Ltd"),
            payment("Full Circle Care"),
            payment("Full Circle Care Limited"),
            payment("Full Circle Care Limited"),
            payment("Little Petals Day Nursery Ltd"),
            payment("Little Petals Day Nursey Ltd"),
            payment("Trafford Health Watch"),
            payment("Trafford Healthwatch"),
            payment("Trafford Healthwatch"),
        ],
    )
    assert sorted(suppliers) == [
        "ACME SERVICES LTD",
        "FULL CIRCLE CARE LTD",
        "LITTLE PETALS DAY NURSERY LTD",
        "TRAFFORD HEALTHWATCH",
    ]
    assert aliases(suppliers["ACME SERVICES LTD"]) == {"ACME SERVICE LTD": "similar name 96%"}
    assert aliases(suppliers["FULL CIRCLE CARE LTD"]) == {"FULL CIRCLE CARE": "same name but for its legal form"}
    assert aliases(suppliers["TRAFFORD HEALTHWATCH"]) == {"TRAFFORD HEALTH WATCH": "same name but for its spacing"}
    # A tie in payments: the spelling first in order names the supplier.
    assert aliases(suppliers["LITTLE PETALS DAY NURSERY LTD"]) == {"LITTLE PETALS DAY NURSEY LTD": "similar name 97%"}


def test_names_that_differ_by_a_whole_word_a_short_word_or_a_number_stay_apart() -> None:
    assert match_reason("UNIVERSITY OF MANCHESTER", "UNIVERSITY OF CHESTER") is None
    assert match_reason("ST MARYS PRIMARY SCHOOL", "ST MARKS PRIMARY SCHOOL") is None
    assert match_reason("NORTHGATE PHASE 1 LTD", "NORTHGATE PHASE 2 LTD") is None
    assert match_reason("MAXWELL BOND TEMP PLACEMENTS", "MAXWELL BOND PERM PLACEMENTS") is None
    assert match_reason("NORTH TRAFFORD COLLEGE", "SOUTH TRAFFORD COLLEGE") is None  # another first word
    assert match_reason("ST JOSEPHS CATHOLIC PRIMARY", "ST JOSEPH CATHOLIC PRIMARY") == "similar name 98%"


def test_clustering_keeps_existing_suppliers_apart_and_adds_new_names_to_them() -> None:
    entries = [
        NameEntry("ACME SERVICE LTD", supplier_id=1),
        NameEntry("ACME SERVICES LTD", supplier_id=2),
        NameEntry("ACME SERVICES", payments=3),
        NameEntry("BRIGHT BUILDERS LTD", payments=1),
        NameEntry("BRIGHT BUILDER LTD", payments=5),
    ]
    clusters = {cluster.key: cluster for cluster in cluster_names(entries)}
    assert set(clusters) == {"ACME SERVICE LTD", "ACME SERVICES LTD", "BRIGHT BUILDER LTD"}
    assert clusters["ACME SERVICES LTD"].aliases == {"ACME SERVICES": "same name but for its legal form"}
    assert clusters["ACME SERVICE LTD"].aliases == {}
    assert clusters["BRIGHT BUILDER LTD"].supplier_id is None
    assert clusters["BRIGHT BUILDER LTD"].aliases == {"BRIGHT BUILDERS LTD": "similar name 96%"}


def test_numbers_are_cleaned_or_dropped() -> None:
    assert company_number_clean(" 1234567 ") == "01234567"
    assert company_number_clean("sc123456") == "SC123456"
    assert company_number_clean("NA") == company_number_clean("N/A") == company_number_clean("0") == ""
    assert vat_number_clean("GB 812 3112 85") == "GB812311285"
    assert vat_number_clean("812311285") == "GB812311285"
    assert vat_number_clean("NA") == ""
    assert charity_number_clean("1146179") == "1146179"
    assert charity_number_clean("SC012345") == "SC012345"
    assert charity_number_clean("n/a") == charity_number_clean("000000") == ""


@pytest.mark.django_db
def test_redacted_and_blank_payees_never_become_suppliers(tenant_a: Tenant) -> None:
    suppliers = registry(
        tenant_a,
        [
            payment("Redacted personal data"),
            payment("REDACTED"),
            payment(""),
            payment("   "),
            payment("REDACTIVE MEDIA SALES LIMITED"),
        ],
    )
    assert list(suppliers) == ["REDACTIVE MEDIA SALES LTD"]


@pytest.mark.django_db
def test_numbers_and_postcode_are_attached_from_the_most_common_valid_value(tenant_a: Tenant) -> None:
    suppliers = registry(
        tenant_a,
        [
            payment("Mobile Fresh Ltd", vat_number="GB 812 3112 85", supplier_postcode="m32 0th"),
            payment("Mobile Fresh Ltd", vat_number="NA", supplier_postcode="M32 0TH"),
            payment("Mobile Fresh Ltd", vat_number="GB812311285", companies_house_number="NA"),
            payment("Helping Hands", charity_number="1146179"),
        ],
    )
    fresh = suppliers["MOBILE FRESH LTD"]
    assert (fresh.vat_number, fresh.postcode, fresh.district_code, fresh.companies_house_number) == (
        "GB812311285",
        "M32 0TH",
        "E08000009",
        "",
    )
    assert suppliers["HELPING HANDS"].charity_number == "1146179"


@pytest.mark.django_db
def test_a_second_import_adds_new_spellings_to_the_existing_supplier_and_nothing_twice(tenant_a: Tenant) -> None:
    first = registry(tenant_a, [payment("Bright Builders Ltd"), payment("Bright Builders Ltd")])
    supplier = first["BRIGHT BUILDERS LTD"]
    again = registry(
        tenant_a, [payment("Bright Builders Ltd"), payment("Bright Builder Ltd", companies_house_number="01234567")]
    )
    assert list(again) == ["BRIGHT BUILDERS LTD"]
    assert aliases(supplier) == {"BRIGHT BUILDER LTD": "similar name 96%"}
    supplier.refresh_from_db()
    assert supplier.companies_house_number == "01234567"  # the new spelling's number fills the gap
    registry(tenant_a, [payment("Bright Builders Ltd"), payment("Bright Builder Ltd")])
    assert Supplier.objects.count() == 1 and SupplierAlias.objects.count() == 1


@pytest.mark.django_db
def test_registries_are_per_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    registry(tenant_a, [payment("Acme Ltd")])
    registry(tenant_b, [payment("Acme Ltd"), payment("Other Ltd")])
    assert Supplier.objects.filter(organisation=tenant_a.buyer).count() == 1
    assert Supplier.objects.filter(organisation=tenant_b.buyer).count() == 2
    assert [row.supplier_key for row in classification_rows(organisation=tenant_a.buyer)] == ["ACME LTD"]


# --- Classification with provenance ------------------------------------------------------------------


@pytest.mark.django_db
def test_local_comes_from_the_postcode_with_the_district_named(tenant_a: Tenant) -> None:
    local_policy(tenant_a, "E08000009")
    suppliers = registry(
        tenant_a,
        [
            payment("Stretford Cafe", supplier_postcode="M32 0TH"),
            payment("Oxford Books", supplier_postcode="OX1 1BX"),
            payment("Nowhere Ltd", supplier_postcode="ZZ99 9ZZ"),
            payment("No Postcode Ltd"),
        ],
    )
    assert labels(suppliers["STRETFORD CAFE"], Label.LOCAL) == [
        ("postcode", True, "M32 0TH is in E08000009 (Trafford), one of the local districts")
    ]
    assert labels(suppliers["OXFORD BOOKS"], Label.LOCAL) == [
        ("postcode", False, "OX1 1BX is in E07000178 (Oxford), not one of the local districts")
    ]
    # A postcode not in the directory, or none, is unknown: no label at all.
    assert labels(suppliers["NOWHERE LTD"], Label.LOCAL) == []
    assert labels(suppliers["NO POSTCODE LTD"], Label.LOCAL) == []
    rows = {row.supplier_key: row for row in classification_rows(organisation=tenant_a.buyer)}
    assert rows["STRETFORD CAFE"].local is True
    assert rows["STRETFORD CAFE"].district_code == "E08000009"
    assert rows["STRETFORD CAFE"].imd_decile == 7
    assert rows["OXFORD BOOKS"].local is False
    assert rows["NOWHERE LTD"].local is None and rows["NOWHERE LTD"].district_code == ""
    assert rows["NO POSTCODE LTD"].local is None


@pytest.mark.django_db
def test_without_local_districts_no_supplier_is_local_or_not(tenant_a: Tenant) -> None:
    suppliers = registry(tenant_a, [payment("Stretford Cafe", supplier_postcode="M32 0TH")])
    assert labels(suppliers["STRETFORD CAFE"], Label.LOCAL) == []
    assert suppliers["STRETFORD CAFE"].district_code == "E08000009"  # still found, for deprivation and leakage


@pytest.mark.django_db
def test_vcse_from_a_charity_number_or_a_legal_form_in_the_name(tenant_a: Tenant) -> None:
    suppliers = registry(
        tenant_a,
        [
            payment("Helping Hands", charity_number="1234567"),
            payment("Northfield Food Bank C.I.C."),
            payment("Sale Community Charity Ltd"),
            payment("Charity Commission"),
            payment("Acme Ltd"),
        ],
    )
    assert labels(suppliers["HELPING HANDS"], Label.VCSE) == [
        ("charity-number", True, "charity number 1234567 in the payment file")
    ]
    assert labels(suppliers["NORTHFIELD FOOD BANK CIC"], Label.VCSE) == [
        ("legal-form", True, "the name “NORTHFIELD FOOD BANK CIC” says community interest company")
    ]
    assert labels(suppliers["SALE COMMUNITY CHARITY LTD"], Label.VCSE) == [
        ("legal-form", True, "the name “SALE COMMUNITY CHARITY LTD” says charity")
    ]
    assert labels(suppliers["CHARITY COMMISSION"], Label.VCSE) == []
    assert labels(suppliers["ACME LTD"], Label.VCSE) == []


def test_legal_forms_are_read_from_the_end_of_the_name() -> None:
    assert vcse_name_form("NORTHFIELD FOOD BANK CIC") == "community interest company"
    assert vcse_name_form("NORTHFIELD FOOD BANK COMMUNITY INTEREST COMPANY") == "community interest company"
    assert vcse_name_form("SALE YOUTH CIO") == "charitable incorporated organisation"
    assert vcse_name_form("CHARITY SHOP FITTERS LTD") is None
    assert vcse_name_form("NHS FOUNDATION TRUST") is None


def test_an_override_wins_then_any_yes_then_no_then_unknown() -> None:
    assert effective_value([(False, True), (True, False)]) is False
    assert effective_value([(False, False), (False, True)]) is True
    assert effective_value([(False, False)]) is False
    assert effective_value([]) is None


@pytest.mark.django_db
def test_an_override_beats_derived_labels_and_survives_reclassification(tenant_a: Tenant) -> None:
    local_policy(tenant_a, "E08000009")
    supplier = registry(tenant_a, [payment("Stretford Cafe", supplier_postcode="M32 0TH")])["STRETFORD CAFE"]
    services.supplier_override_set(
        actor=tenant_a.manager,
        member=Member.system(tenant_a.buyer),
        supplier=supplier,
        label=Label.LOCAL,
        value=False,
        reason="Trading address only; the firm is run from Leeds",
    )
    row = classification_rows(organisation=tenant_a.buyer)[0]
    assert row.local is False
    services.supplier_classify(actor=tenant_a.manager, member=Member.system(tenant_a.buyer))
    registry(tenant_a, [payment("Stretford Cafe", supplier_postcode="M32 0TH")])
    assert classification_rows(organisation=tenant_a.buyer)[0].local is False
    assert labels(supplier, Label.LOCAL) == [
        ("manual", False, f"set by {tenant_a.manager.email}"),
        ("postcode", True, "M32 0TH is in E08000009 (Trafford), one of the local districts"),
    ]
    override = SupplierLabel.objects.get(supplier=supplier, is_override=True)
    assert override.reason == "Trading address only; the firm is run from Leeds"
    services.supplier_override_remove(
        actor=tenant_a.manager, member=Member.system(tenant_a.buyer), supplier=supplier, label=Label.LOCAL
    )
    assert classification_rows(organisation=tenant_a.buyer)[0].local is True
    history = list(AuditEvent.objects.for_trail(supplier).order_by("pk").values_list("action", "after"))
    assert history == [
        (
            "supplier_label.overridden",
            {"label": "local", "value": False, "reason": "Trading address only; the firm is run from Leeds"},
        ),
        ("supplier_label.override_removed", {}),
    ]


@pytest.mark.django_db
def test_an_override_needs_a_reason_and_a_known_label(tenant_a: Tenant) -> None:
    supplier = registry(tenant_a, [payment("Acme Ltd")])["ACME LTD"]
    with pytest.raises(ApplicationError) as refused:
        services.supplier_override_set(
            actor=tenant_a.manager,
            member=Member.system(tenant_a.buyer),
            supplier=supplier,
            label=Label.SME,
            value=True,
            reason=" ",
        )
    assert refused.value.field_errors == {"override_reason": "Say why you are overriding the classification"}
    with pytest.raises(ApplicationError):
        services.supplier_override_set(
            actor=tenant_a.manager,
            member=Member.system(tenant_a.buyer),
            supplier=supplier,
            label="big",
            value=True,
            reason="x",
        )
    assert not SupplierLabel.objects.filter(is_override=True).exists()
    with pytest.raises(ApplicationError):
        services.supplier_override_remove(
            actor=tenant_a.manager, member=Member.system(tenant_a.buyer), supplier=supplier, label=Label.SME
        )


@pytest.mark.django_db
def test_changing_the_local_districts_reclassifies_and_records_the_change(tenant_a: Tenant) -> None:
    local_policy(tenant_a, "E08000009")
    supplier = registry(tenant_a, [payment("Oxford Books", supplier_postcode="OX1 1BX")])["OXFORD BOOKS"]
    assert labels(supplier, Label.LOCAL)[0][1] is False
    local_policy(tenant_a, "E08000009", "E07000178")
    assert labels(supplier, Label.LOCAL) == [
        ("postcode", True, "OX1 1BX is in E07000178 (Oxford), one of the local districts")
    ]
    change = AuditEvent.objects.for_trail(supplier).get()
    assert change.action == "supplier_label.changed"
    assert (change.before["value"], change.after["value"]) == (False, True)


@pytest.mark.django_db
def test_the_policy_refuses_unknown_districts_and_empty_rules_and_changes_nothing(tenant_a: Tenant) -> None:
    with pytest.raises(ApplicationError) as refused:
        services.spend_policy_update(
            actor=tenant_a.manager,
            member=Member.system(tenant_a.buyer),
            local_district_codes=["E08000009", "E99999999", "Trafford"],
            rules=[
                PolicyRule("expense_type", "precept"),
                PolicyRule("cost_centre", "x"),
                PolicyRule("body", ""),
            ],
        )
    assert refused.value.field_errors == {
        "local_districts": "E99999999, Trafford are not district codes: use 9-character GSS codes of local authority "
        "districts, like E08000009",
        "rule_field_1": "Choose expense type, service area or supplier name",
        "rule_field_2": "Choose expense type, service area or supplier name",
    }
    assert not SpendPolicy.objects.exists()
    policy = services.spend_policy_update(
        actor=tenant_a.manager,
        member=Member.system(tenant_a.buyer),
        local_district_codes=["e08000009", "E08000009"],
        rules=[PolicyRule("expense_type", " Precept "), PolicyRule("supplier_name", "HM Revenue")],
    )
    assert policy.local_district_codes == ["E08000009"]
    assert policy.not_influenceable_rules == [
        {"field": "expense_type", "contains": "Precept"},
        {"field": "supplier_name", "contains": "HM Revenue"},
    ]


# --- The Real Living Wage list -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_living_wage_list_matches_by_normalised_name_alias_or_legal_form(tenant_a: Tenant) -> None:
    suppliers = registry(
        tenant_a,
        [
            payment("ACME LTD"),
            payment("Bright Builders"),
            payment("Full Circle Care Ltd"),
            payment("Full Circle Care"),
            payment("Other Firm Ltd"),
        ],
    )
    content = "\r\n".join(
        [
            "Employer name,Region",
            "Acme Limited,North West",
            "",
            "Bright Builders Ltd,London",
            "Full Circle Care Limited,",
        ]
    )
    loaded = services.living_wage_list_load(
        actor=tenant_a.manager,
        member=Member.system(tenant_a.buyer),
        content=content.encode("cp1252"),
        filename="rlw.csv",
    )
    assert (loaded.employers, loaded.matched_suppliers) == (3, 3)
    assert labels(suppliers["ACME LTD"], Label.LIVING_WAGE) == [
        ("living-wage-list", True, "“Acme Limited” is on the Real Living Wage employer list")
    ]
    assert labels(suppliers["BRIGHT BUILDERS"], Label.LIVING_WAGE)[0][1] is True  # but for its legal form
    # "FULL CIRCLE CARE" (a tie: the first spelling in order names it) is on the list through its alias.
    assert labels(suppliers["FULL CIRCLE CARE"], Label.LIVING_WAGE)[0][1] is True
    assert labels(suppliers["OTHER FIRM LTD"], Label.LIVING_WAGE) == [
        ("living-wage-list", False, "no employer of this name is on the Real Living Wage employer list")
    ]
    # A new list replaces the old one.
    services.living_wage_list_load(
        actor=tenant_a.manager, member=Member.system(tenant_a.buyer), content=b"Other Firm Ltd\n", filename="rlw.csv"
    )
    assert list(LivingWageEmployer.objects.values_list("normalised_name", flat=True)) == ["OTHER FIRM LTD"]
    rows = {row.supplier_key: row.living_wage for row in classification_rows(organisation=tenant_a.buyer)}
    assert rows == {
        "ACME LTD": False,
        "BRIGHT BUILDERS": False,
        "FULL CIRCLE CARE": False,
        "FULL CIRCLE CARE LTD": False,
        "OTHER FIRM LTD": True,
    }


@pytest.mark.django_db
def test_a_bad_living_wage_file_changes_nothing_and_names_the_line(tenant_a: Tenant) -> None:
    services.living_wage_list_load(
        actor=tenant_a.manager,
        member=Member.system(tenant_a.buyer),
        content=b"Employer\nAcme Ltd\n",
        filename="rlw.csv",
    )
    with pytest.raises(ApplicationError) as refused:
        services.living_wage_list_load(
            actor=tenant_a.manager,
            member=Member.system(tenant_a.buyer),
            content=b"Employer,Region\nBright Ltd,London\n,Leeds\n",
            filename="rlw.csv",
        )
    assert refused.value.message == "rlw.csv: line 3: no employer name"
    with pytest.raises(ApplicationError) as several:
        services.living_wage_list_load(
            actor=tenant_a.manager,
            member=Member.system(tenant_a.buyer),
            content=b"Firm,Region\nA,B\n",
            filename="rlw.csv",
        )
    assert "none is headed" in several.value.message
    assert list(LivingWageEmployer.objects.values_list("name", flat=True)) == ["Acme Ltd"]


# --- classification_rows ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_classification_rows_give_one_row_per_name_and_alias_in_two_queries(
    tenant_a: Tenant, django_assert_max_num_queries: object
) -> None:
    local_policy(tenant_a, "E08000009")
    registry(
        tenant_a,
        [
            payment("Full Circle Care Ltd", supplier_postcode="M32 0TH"),
            payment("Full Circle Care Ltd"),
            payment("Full Circle Care"),
            payment("Helping Hands", charity_number="1146179"),
        ],
    )
    supplier = Supplier.objects.get(normalised_name="FULL CIRCLE CARE LTD")
    services.supplier_override_set(
        actor=tenant_a.manager,
        member=Member.system(tenant_a.buyer),
        supplier=supplier,
        label=Label.SME,
        value=True,
        reason="Checked its accounts",
    )
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        rows = sorted(classification_rows(organisation=tenant_a.buyer))
    helping = Supplier.objects.get(normalised_name="HELPING HANDS")
    assert rows == [
        ClassRow("FULL CIRCLE CARE", supplier.pk, "Full Circle Care Ltd", True, True, None, None, "E08000009", 7),
        ClassRow("FULL CIRCLE CARE LTD", supplier.pk, "Full Circle Care Ltd", True, True, None, None, "E08000009", 7),
        ClassRow("HELPING HANDS", helping.pk, "Helping Hands", None, None, True, None, "", None),
    ]


@pytest.mark.django_db
def test_every_rule_the_policy_page_saves_is_one_the_dashboard_applies(tenant_a: Tenant) -> None:
    """The page's fields are payment columns the dashboard knows: a saved rule is applied, never ignored."""
    assert set(RULE_FIELDS) <= set(analytics.RULE_FIELDS)
    policy = services.spend_policy_update(
        actor=tenant_a.manager,
        member=Member.system(tenant_a.buyer),
        local_district_codes=["E08000009"],
        rules=[PolicyRule(field, "Precept") for field in RULE_FIELDS],
    )
    rules, ignored = analytics.policy_rules(policy)
    assert ignored == []
    assert [(rule.field, rule.operator, rule.value) for rule in rules] == [
        ("expense_type", "contains", "Precept"),
        ("service_area", "contains", "Precept"),
        ("supplier_name", "contains", "Precept"),
    ]


@pytest.mark.django_db
def test_the_migration_renames_supplier_rules_saved_under_the_old_name(tenant_a: Tenant) -> None:
    migration = importlib.import_module("commonweal.spend.migrations.0002_policy_rules_name_the_supplier_name_column")
    before = [{"field": "supplier", "contains": "HMRC"}, {"field": "expense_type", "contains": "Precept"}]
    policy = SpendPolicy.objects.create(organisation=tenant_a.buyer, not_influenceable_rules=before)
    migration.rename_field(django_apps, None)
    policy.refresh_from_db()
    assert policy.not_influenceable_rules == [
        {"field": "supplier_name", "contains": "HMRC"},
        {"field": "expense_type", "contains": "Precept"},
    ]
    assert analytics.policy_rules(policy)[1] == []
    migration.rename_back(django_apps, None)
    policy.refresh_from_db()
    assert policy.not_influenceable_rules == before
