"""LM3: the method by hand (the worked example in the project's reference notes), the result from a
council's payments and survey answers, and entering answers on the page or from a CSV file."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.spend import selectors_lm3, services_lm3
from commonweal.spend.lm3 import Receipt, StaffAnswer, SupplierAnswer, lm3_calculate
from commonweal.spend.models import Lm3Response, Lm3Survey, RespondentKind
from commonweal.tenancy.models import Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import member_access
from tests.conftest import Tenant

from .factories import MembershipFactory, member_user
from .spend_analysis_data import MEGACORP, NORTHGATE, RIVERSIDE, spend_world

D = Decimal


# --- The method, by hand ---------------------------------------------------------------------------


def test_the_reference_worked_example_gives_1_545() -> None:
    """social-value-models.md, section 5: R1 £1,000,000; R2 £400,000; R3 £145,000; LM3 1.545. Here the
    £400,000 is two local suppliers' receipts, whose answers re-spend £100,000 and £45,000 locally."""
    result = lm3_calculate(
        round1=D("1000000"),
        receipts=[Receipt(1, "Builder", D("250000")), Receipt(2, "Caterer", D("150000"))],
        supplier_answers=[
            SupplierAnswer("Builder", 1, local_supplier_share=D("0.2"), local_staff_share=D("0.2")),  # 100,000
            SupplierAnswer("Caterer", 2, local_supplier_share=D("0.3"), local_staff_share=D("0")),  # 45,000
        ],
    )
    assert (result.round1, result.round2, result.round3) == (D("1000000.00"), D("400000.00"), D("145000.00"))
    assert (result.round3_with_suppliers, result.round3_on_staff) == (D("95000.00"), D("50000.00"))
    assert result.lm3 == D("1.545")
    assert [step.name for step in result.steps] == ["Round 1", "Round 2", "Mean survey answer", "Round 3", "LM3"]
    assert result.steps[-1].figure == "1.545"
    assert "(£1,000,000.00 + £400,000.00 + £145,000.00) ÷ £1,000,000.00" in result.steps[-1].how
    assert "another 54.5p" in result.steps[-1].how


def test_suppliers_that_did_not_answer_get_the_mean_answer() -> None:
    result = lm3_calculate(
        round1=D("10000"),
        receipts=[Receipt(1, "A", D("1000")), Receipt(2, "B", D("2000")), Receipt(3, "C", D("3000"))],
        supplier_answers=[
            SupplierAnswer("A", 1, D("0.10"), D("0.30")),
            SupplierAnswer("B", 2, D("0.30"), D("0.10")),
            SupplierAnswer("Not local", 99, D("0.90"), D("0.10")),  # not paid locally: ignored, not in the mean
        ],
    )
    # Mean of A and B: 20% with local suppliers, 20% on local staff. C: 3000 × 40% = 1200.
    assert (result.mean_local_supplier_share, result.mean_local_staff_share) == (D("0.2000"), D("0.2000"))
    assert [(row.name, row.answered, row.respend) for row in result.suppliers] == [
        ("A", True, D("400.00")),
        ("B", True, D("800.00")),
        ("C", False, D("1200.00")),
    ]
    assert result.round3 == D("2400.00")
    assert result.lm3 == D("1.840")  # (10000 + 6000 + 2400) / 10000
    assert result.answers_used == 2
    assert result.answers_not_used == [("Not local", "not a local supplier paid in the period")]


def test_an_answer_not_linked_to_a_supplier_counts_towards_the_mean_only() -> None:
    result = lm3_calculate(
        round1=D("3000"),
        receipts=[Receipt(1, "A", D("1000"))],
        supplier_answers=[SupplierAnswer("Anonymous firm", None, D("0.25"), D("0.25"))],
    )
    assert result.suppliers[0].answered is False
    assert result.round3 == D("500.00")
    assert result.lm3 == D("1.500")  # (3000 + 1000 + 500) / 3000


def test_the_mean_is_unweighted_and_money_is_rounded_once() -> None:
    # Mean of 1/3 shares: (0.3333 + 0.3333 + 0.3334) / 3 = 0.33333…, applied unrounded to £100.01.
    result = lm3_calculate(
        round1=D("1000"),
        receipts=[Receipt(4, "D", D("100.01"))],
        supplier_answers=[
            SupplierAnswer("x", None, D("0.3333"), D("0")),
            SupplierAnswer("y", None, D("0.3333"), D("0")),
            SupplierAnswer("z", None, D("0.3334"), D("0")),
        ],
    )
    assert result.round3 == D("33.34")  # 100.01 / 3 = 33.3366…
    assert result.mean_local_supplier_share == D("0.3333")


def test_without_answers_round_3_is_zero_and_the_result_says_so() -> None:
    result = lm3_calculate(round1=D("5000"), receipts=[Receipt(1, "A", D("1000"))], supplier_answers=[])
    assert (result.round3, result.lm3, result.complete) == (D("0.00"), D("1.200"), False)
    assert "cannot be estimated" in result.steps[2].how


def test_no_spend_gives_no_lm3() -> None:
    result = lm3_calculate(round1=D("0"), receipts=[], supplier_answers=[])
    assert result.lm3 is None
    assert result.steps[-1].figure == "not given"


def test_staff_re_spend_is_shown_but_not_added_to_lm3() -> None:
    result = lm3_calculate(
        round1=D("1000"),
        receipts=[Receipt(1, "A", D("1000"))],
        supplier_answers=[SupplierAnswer("A", 1, D("0.10"), D("0.40"))],
        staff_answers=[StaffAnswer("A1", 1, D("0.50")), StaffAnswer("A2", 1, D("0.70")), StaffAnswer("X", 9, D("1"))],
    )
    assert result.round3 == D("500.00")
    assert result.lm3 == D("2.500")
    assert result.staff_respend == D("240.00")  # local staff pay 400 × mean staff share 60%
    assert result.staff_answers == 3
    assert ("X", "does not work for a local supplier paid in the period") in result.answers_not_used
    assert result.steps[-1].name == "Staff re-spend (not in LM3)"


@pytest.mark.parametrize(
    ("supplier_share", "staff_share", "message"),
    [(D("1.1"), D("0"), "from 0 to 1"), (D("0.6"), D("0.5"), "more than all")],
)
def test_impossible_shares_are_refused(supplier_share: Decimal, staff_share: Decimal, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lm3_calculate(
            round1=D("1"),
            receipts=[],
            supplier_answers=[SupplierAnswer("A", None, supplier_share, staff_share)],
        )


# --- From the council's payments -------------------------------------------------------------------


@pytest.fixture
def council(tenant_a: Tenant) -> Tenant:
    tenant_a.suppliers = spend_world(tenant_a.buyer)  # type: ignore[attr-defined]
    MembershipFactory.create(user=tenant_a.manager, organisation=tenant_a.buyer, role=Role.SOCIAL_VALUE_LEAD)
    return tenant_a


def _survey(council: Tenant) -> Lm3Survey:
    return services_lm3.lm3_survey_create(
        actor=council.manager,
        member=council.manager_member(),
        title="Suppliers 2024-25",
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
    )


def test_lm3_from_the_payments_and_the_answers(council: Tenant) -> None:
    member = council.manager_member()
    survey = _survey(council)
    suppliers = council.suppliers  # type: ignore[attr-defined]
    for supplier, respondent, local_suppliers, local_staff in [
        (suppliers[NORTHGATE], "Northgate", D("0.25"), D("0.40")),
        (None, "A firm that asked not to be named", D("0.15"), D("0.20")),
        (suppliers[MEGACORP], "Megacorp", D("0.05"), D("0.05")),
    ]:
        services_lm3.lm3_response_add(
            actor=council.manager,
            member=member,
            survey=survey,
            kind=RespondentKind.SUPPLIER,
            supplier_id=supplier.pk if supplier else None,
            respondent=respondent,
            local_supplier_share=local_suppliers,
            local_staff_share=local_staff,
        )
    result = selectors_lm3.lm3_result(member=member, survey=survey)
    # R1: every payment in 2024-25 (all but the 300.00 of 1 April 2025). R2: Riverside 2000 + Northgate 1400.
    assert (result.round1, result.round2) == (D("12600.00"), D("3400.00"))
    # Northgate answered: 1400 × 65% = 910. Riverside gets the mean of Northgate and the unnamed firm
    # (20% + 30%): 2000 × 50% = 1000. Megacorp is not local: its answer is not used.
    assert [(row.name, row.respend) for row in result.suppliers] == [
        (RIVERSIDE, D("1000.00")),
        (NORTHGATE, D("910.00")),
    ]
    assert result.round3 == D("1910.00")
    assert result.lm3 == D("1.421")  # 17910 / 12600 = 1.42142…
    assert result.answers_not_used == [("Megacorp", "not a local supplier paid in 1 April 2024 to 31 March 2025")]


def test_a_survey_needs_a_title_and_a_period_that_ends_after_it_starts(council: Tenant) -> None:
    with pytest.raises(ApplicationError) as refused:
        services_lm3.lm3_survey_create(
            actor=council.manager,
            member=council.manager_member(),
            title=" ",
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2025, 3, 31),
        )
    assert refused.value.field_errors == {
        "title": "Enter a title for the survey",
        "period_end": "The period must end on or after the day it starts",
    }
    assert not Lm3Survey.objects.exists()


def test_a_supplier_answers_once_and_staff_need_their_employer(council: Tenant) -> None:
    member = council.manager_member()
    survey = _survey(council)
    northgate = council.suppliers[NORTHGATE]  # type: ignore[attr-defined]
    answer: dict[str, Any] = {"actor": council.manager, "member": member, "survey": survey, "respondent": "Northgate"}
    services_lm3.lm3_response_add(
        **answer, kind="supplier", supplier_id=northgate.pk, local_supplier_share=D("0.2"), local_staff_share=None
    )
    with pytest.raises(ApplicationError) as refused:
        services_lm3.lm3_response_add(
            **answer, kind="supplier", supplier_id=northgate.pk, local_supplier_share=D("0.3")
        )
    assert "already answered" in refused.value.field_errors["respondent_supplier"]
    with pytest.raises(ApplicationError) as refused:
        services_lm3.lm3_response_add(**answer, kind="staff", supplier_id=None, local_respend_share=D("0.5"))
    assert refused.value.field_errors == {"respondent_supplier": "Choose the supplier the employee works for"}
    with pytest.raises(ApplicationError) as refused:
        services_lm3.lm3_response_add(
            **answer, kind="supplier", supplier_id=None, local_supplier_share=D("0.7"), local_staff_share=D("0.4")
        )
    assert refused.value.field_errors == {"local_staff_percent": "The two shares together cannot be more than 100%"}
    assert Lm3Response.objects.count() == 1


def test_only_those_who_manage_spend_change_surveys(council: Tenant) -> None:
    viewer = member_user(council.buyer, Role.VIEWER)
    with pytest.raises(PermissionRefused):
        services_lm3.lm3_survey_create(
            actor=viewer,
            member=member_access(user=viewer, slug=council.buyer.slug),
            title="Not allowed",
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2025, 3, 31),
        )
    assert not Lm3Survey.objects.exists()


# --- Uploading answers ---------------------------------------------------------------------------------

GOOD_FILE = (
    "kind,supplier,respondent,local_supplier_percent,local_staff_percent,local_respend_percent\n"
    "supplier,Northgate Bakery Ltd.,Northgate,25,40,\n"
    "supplier,,Anonymous,15%,20,\n"
    "staff,northgate bakeries limited,Baker 1,,,60\n"
)


def test_an_uploaded_file_adds_every_answer(council: Tenant) -> None:
    survey = _survey(council)
    added = services_lm3.lm3_responses_upload(
        actor=council.manager,
        member=council.manager_member(),
        survey=survey,
        content=("\ufeff" + GOOD_FILE).encode("utf-8"),
        filename="answers.csv",
    )
    assert added == 3
    northgate = council.suppliers[NORTHGATE]  # type: ignore[attr-defined]
    rows = list(
        survey.responses.order_by("pk").values_list(
            "kind", "supplier", "respondent", "local_supplier_share", "local_staff_share", "local_respend_share"
        )
    )
    assert rows == [
        ("supplier", northgate.pk, "Northgate", D("0.2500"), D("0.4000"), D("0")),
        ("supplier", None, "Anonymous", D("0.1500"), D("0.2000"), D("0")),
        ("staff", northgate.pk, "Baker 1", D("0"), D("0"), D("0.6000")),  # matched through its alias
    ]
    assert AuditEvent.objects.filter(action="lm3_survey.responses_uploaded", object_id=str(survey.pk)).count() == 1


def test_a_file_with_a_bad_line_adds_nothing_and_names_every_problem_by_line(council: Tenant) -> None:
    survey = _survey(council)
    content = (
        GOOD_FILE
        + "visitor,,Someone,10,10,\n"
        + "supplier,No Such Firm Ltd,Ghost,10,10,\n"
        + "supplier,,Greedy,80,30,\n"
        + "staff,,Lost employee,,,50\n"
        + "supplier,,Typo,ten,,\n"
        + "supplier,Northgate Bakery Ltd,Northgate again,1,1,\n"
    )
    with pytest.raises(services_lm3.Lm3UploadError) as refused:
        services_lm3.lm3_responses_upload(
            actor=council.manager,
            member=council.manager_member(),
            survey=survey,
            content=content.encode("cp1252"),
            filename="answers.csv",
        )
    assert refused.value.message == "The file has 6 problems: nothing was added."
    assert refused.value.problems == [
        "Line 5: kind “visitor” must be supplier or staff.",
        "Line 6: no supplier called “No Such Firm Ltd” is in the supplier registry.",
        "Line 7: local_staff_percent: the two shares together cannot be more than 100%.",
        "Line 8: supplier: choose the supplier the employee works for.",
        "Line 9: local_supplier_percent “ten” is not a number; "
        "local_supplier_percent: enter the share of income spent with local suppliers.",
        "Line 10: Northgate Bakery Ltd has already answered this survey.",
    ]
    assert not Lm3Response.objects.exists()


def test_a_file_without_the_columns_is_refused(council: Tenant) -> None:
    with pytest.raises(services_lm3.Lm3UploadError) as refused:
        services_lm3.lm3_responses_upload(
            actor=council.manager,
            member=council.manager_member(),
            survey=_survey(council),
            content=b"name,share\nA,10\n",
            filename="answers.csv",
        )
    assert refused.value.problems[0].startswith("Line 1: the columns kind, respondent are missing.")


# --- The pages -----------------------------------------------------------------------------------------


def test_the_lead_creates_a_survey_adds_an_answer_and_sees_lm3_with_its_workings(
    council: Tenant, client: Client
) -> None:
    client.force_login(council.manager)
    org = council.buyer.slug
    response = client.post(
        reverse("spend:lm3-create", kwargs={"org": org}),
        {"title": "Suppliers 2024-25", "period_start": "1/4/2024", "period_end": "31 March 2025"},
    )
    survey = Lm3Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "spend:lm3-detail", kwargs={"org": org, "pk": survey.pk}
    )
    add = reverse("spend:lm3-response-add", kwargs={"org": org, "pk": survey.pk})
    page = client.get(add).content.decode()
    assert "Riverside Trust (£2,000.00)" in page and "Megacorp" not in page  # only local suppliers are offered
    northgate = council.suppliers[NORTHGATE]  # type: ignore[attr-defined]
    response = client.post(
        add,
        {
            "respondent_kind": "supplier",
            "respondent_supplier": str(northgate.pk),
            "respondent": "Northgate",
            "local_supplier_percent": "25",
            "local_staff_percent": "40",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("spend:lm3-detail", kwargs={"org": org, "pk": survey.pk})).content.decode()
    # Northgate 1400 × 65% = 910; Riverside gets Northgate's answer as the mean: 2000 × 65% = 1300.
    assert "LM3: 1.445" in page  # (12600 + 3400 + 2210) / 12600 = 1.44523…
    assert "£2,210.00" in page and "The mean answer" in page and "Its answer" in page


def test_a_wrong_answer_on_the_page_shows_its_errors_and_stores_nothing(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    survey = _survey(council)
    response = client.post(
        reverse("spend:lm3-response-add", kwargs={"org": council.buyer.slug, "pk": survey.pk}),
        {"respondent_kind": "supplier", "respondent": "", "local_supplier_percent": "120"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Share of income spent with local suppliers must be from 0% to 100%" in page
    assert not Lm3Response.objects.exists()


def test_uploading_a_file_on_the_page(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    survey = _survey(council)
    url = reverse("spend:lm3-upload", kwargs={"org": council.buyer.slug, "pk": survey.pk})
    bad = SimpleUploadedFile("answers.csv", (GOOD_FILE + "supplier,,Greedy,80,30,\n").encode())
    page = client.post(url, {"responses_file": bad}).content.decode()
    assert "The file has 1 problem: nothing was added." in page
    assert "Line 5: local_staff_percent: the two shares together cannot be more than 100%." in page
    not_csv = SimpleUploadedFile("answers.pdf", b"%PDF-1.4")
    assert "The selected file must be a CSV or TXT" in client.post(url, {"responses_file": not_csv}).content.decode()
    assert not Lm3Response.objects.exists()
    response = client.post(url, {"responses_file": SimpleUploadedFile("answers.csv", GOOD_FILE.encode())})
    assert response.status_code == 302
    assert survey.responses.count() == 3


def test_removing_an_answer(council: Tenant, client: Client) -> None:
    client.force_login(council.manager)
    survey = _survey(council)
    response = services_lm3.lm3_response_add(
        actor=council.manager,
        member=council.manager_member(),
        survey=survey,
        kind="supplier",
        supplier_id=None,
        respondent="Someone",
        local_supplier_share=D("0.1"),
    )
    url = reverse("spend:lm3-response-remove", kwargs={"org": council.buyer.slug, "pk": response.pk})
    assert "Remove the answer from Someone?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Lm3Response.objects.exists()
    assert AuditEvent.objects.filter(action="lm3_response.removed").count() == 1


def test_a_viewer_reads_surveys_but_cannot_change_them(council: Tenant, client: Client) -> None:
    survey = _survey(council)
    client.force_login(member_user(council.buyer, Role.VIEWER))
    org = council.buyer.slug
    assert client.get(reverse("spend:lm3-list", kwargs={"org": org})).status_code == 200
    page = client.get(reverse("spend:lm3-detail", kwargs={"org": org, "pk": survey.pk})).content.decode()
    assert "Add an answer" not in page
    assert client.get(reverse("spend:lm3-create", kwargs={"org": org})).status_code == 404
    assert client.get(reverse("spend:lm3-response-add", kwargs={"org": org, "pk": survey.pk})).status_code == 404
