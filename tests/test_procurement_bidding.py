"""The supplier side of a procurement: opportunities, clarifications and bids, through services and pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import uk_datetime
from commonweal.core.models import AuditEvent
from commonweal.procurement import (
    rules,
    selectors_bidding,
    selectors_clarifications,
    services_bidding,
    services_clarifications,
)
from commonweal.procurement.models import Bid, BidState, Clarification, ProcurementState
from commonweal.procurement.services_bidding import CommitmentInput
from commonweal.tenancy.models import Role

from . import factories
from .conftest import Tenant
from .procurement_support import ProcurementWorld, bid_make, deadline_pass, procurement_published

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def world(tenant_a: Tenant) -> ProcurementWorld:
    officer_membership = factories.MembershipFactory.create(
        user=tenant_a.manager, organisation=tenant_a.buyer, role=Role.PROCUREMENT_OFFICER
    )
    assert officer_membership.pk
    w = procurement_published(tenant_a.buyer)
    value_set = factories.ValueSetFactory.create(organisation=tenant_a.buyer, code="bid-values", title="Bid values")
    factories.ValueSetEntryFactory.create(
        value_set=value_set, measure_code="JOBS.1", value_per_unit=Decimal("1000.0000"), deadweight=Decimal("0.2")
    )
    w.procurement.value_set = value_set
    w.procurement.save(update_fields=["value_set"])
    return w


def start(tenant: Tenant, world: ProcurementWorld) -> Bid:
    member = tenant.supplier_member()
    return services_bidding.bid_start(
        actor=tenant.supplier_user, member=member, procurement=world.procurement, lot=world.lot
    )


def fill(tenant: Tenant, world: ProcurementWorld, bid: Bid, **overrides: object) -> Bid:
    arguments: dict[str, object] = {
        "price": Decimal("200000"),
        "responses": {criterion.pk: f"Our answer to {criterion.code}." for criterion in world.scored},
        "method_statement": "We will recruit through the council's job brokerage.",
        "new_commitment": CommitmentInput(
            measure=world.measures[0],
            quantity=Decimal("4"),
            due_date=rules.contract_period(world.procurement)[1] - timedelta(days=1),
            place_code="E08000009",
            beneficiary_group="Young people not in work",
        ),
    }
    arguments.update(overrides)
    return services_bidding.bid_save(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        bid=bid,
        **arguments,  # type: ignore[arg-type]
    )


# --- Services ---------------------------------------------------------------------------------------


def test_bid_start_creates_one_draft_per_lot_audited_for_the_supplier(
    tenant_a: Tenant, world: ProcurementWorld
) -> None:
    bid = start(tenant_a, world)
    again = start(tenant_a, world)
    assert again.pk == bid.pk
    assert bid.state == BidState.DRAFT
    assert bid.organisation == tenant_a.buyer and bid.supplier == tenant_a.supplier
    event = AuditEvent.objects.get(action="bid.started")
    assert event.organisation == tenant_a.supplier
    assert (event.trail_type, event.trail_id) == ("procurement.bid", str(bid.pk))


def test_bid_save_and_submit_store_everything_and_keep_events_out_of_the_buyers_history(
    tenant_a: Tenant, world: ProcurementWorld
) -> None:
    bid = fill(tenant_a, world, start(tenant_a, world))
    assert bid.price == Decimal("200000.00")
    assert {r.criterion.code: r.text for r in bid.responses.all()} == {
        "Q1": "Our answer to Q1.",
        "Q2": "Our answer to Q2.",
        "SV1": "Our answer to SV1.",
    }
    commitment = bid.commitments.get()
    assert (commitment.quantity, commitment.place_code) == (Decimal("4.00"), "E08000009")
    services_bidding.bid_submit(actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), bid=bid)
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED and bid.submitted_by == tenant_a.supplier_user
    actions = list(
        AuditEvent.objects.filter(object_type="procurement.bid").order_by("pk").values_list("action", "organisation")
    )
    assert actions == [
        ("bid.started", tenant_a.supplier.pk),
        ("bid.saved", tenant_a.supplier.pk),
        ("bid.submitted", tenant_a.supplier.pk),
    ]
    assert not AuditEvent.objects.filter(organisation=tenant_a.buyer, object_type__startswith="procurement.bid")
    assert not AuditEvent.objects.for_trail(world.procurement).exists()


def test_submit_lists_every_problem(tenant_a: Tenant, world: ProcurementWorld) -> None:
    bid = start(tenant_a, world)
    long_text = "word " * 501
    fill(
        tenant_a,
        world,
        bid,
        price=None,
        method_statement="",
        new_commitment=None,
        responses={world.quality[0].pk: long_text, world.quality[1].pk: "Fine.", world.social_value[0].pk: ""},
    )
    with pytest.raises(ApplicationError) as raised:
        services_bidding.bid_submit(actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), bid=bid)
    assert raised.value.field_errors == {
        "price": "Enter your price",
        f"response_{world.quality[0].pk}": (
            "Your response to Q1 Delivery approach must be 500 words or fewer (it has 501)"
        ),
        f"response_{world.social_value[0].pk}": "Enter your response to SV1 Local employment",
        "method_statement": "Enter your social value method statement",
        "commitment_measure": "Add at least one quantified social value commitment",
    }
    bid.refresh_from_db()
    assert bid.state == BidState.DRAFT


def test_light_touch_bid_needs_no_commitment_and_no_social_value_response(tenant_a: Tenant) -> None:
    w = procurement_published(tenant_a.buyer, reference="LT-1", light_touch=True)
    bid = start(tenant_a, w)
    assert [c.code for c in rules.scored_criteria(w.procurement)] == ["Q1", "Q2"]
    fill(tenant_a, w, bid, new_commitment=None)
    with pytest.raises(ApplicationError, match="method statement only"):
        fill(tenant_a, w, bid)
    services_bidding.bid_submit(actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), bid=bid)
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED
    assert bid.responses.count() == 2


def test_commitment_rules(tenant_a: Tenant, world: ProcurementWorld) -> None:
    bid = start(tenant_a, world)
    other_version_measure = factories.MeasureFactory.create(
        version=factories.FrameworkVersionFactory.create(organisation=tenant_a.buyer), organisation=tenant_a.buyer
    )
    bad = CommitmentInput(
        measure=other_version_measure, quantity=Decimal("0"), due_date=date(2001, 1, 1), place_code="Manchester"
    )
    with pytest.raises(ApplicationError) as raised:
        fill(tenant_a, world, bid, new_commitment=bad)
    start_date, end_date = rules.contract_period(world.procurement)
    assert raised.value.field_errors == {
        "commitment_measure": "Choose one of the measures of this procurement’s framework",
        "commitment_quantity": "The quantity must be more than 0",
        "commitment_due_date": f"The due date must be within the contract, from {start_date.day} "
        f"{start_date:%B %Y} to {end_date.day} {end_date:%B %Y}",
        "commitment_place_code": "Enter the place as an ONS GSS code of a letter and 8 digits, like E08000009",
    }
    assert end_date.year == start_date.year + 3  # 36 months
    assert bid.commitments.count() == 0


def test_price_must_be_more_than_zero(tenant_a: Tenant, world: ProcurementWorld) -> None:
    with pytest.raises(ApplicationError) as raised:
        fill(tenant_a, world, start(tenant_a, world), price=Decimal("0"))
    assert raised.value.field_errors == {"price": "The price must be more than £0"}


def test_after_the_deadline_nothing_can_be_saved_submitted_reopened_or_started(
    tenant_a: Tenant, tenant_b: Tenant, world: ProcurementWorld
) -> None:
    bid = fill(tenant_a, world, start(tenant_a, world))
    services_bidding.bid_submit(actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), bid=bid)
    deadline_pass(world.procurement)
    world.procurement.refresh_from_db()
    assert world.procurement.tender_deadline is not None
    expected = f"The deadline for tenders was {uk_datetime(world.procurement.tender_deadline)}"
    member = tenant_a.supplier_member()
    with pytest.raises(ApplicationError, match=expected):
        services_bidding.bid_reopen(actor=tenant_a.supplier_user, member=member, bid=bid)
    with pytest.raises(ApplicationError, match="no bid can be submitted or changed"):
        fill(tenant_a, world, bid)
    with pytest.raises(ApplicationError, match=expected):
        services_bidding.bid_start(
            actor=tenant_b.supplier_user,
            member=tenant_b.supplier_member(),
            procurement=world.procurement,
            lot=world.lot,
        )
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED


def test_a_draft_cannot_be_submitted_after_the_deadline(tenant_a: Tenant, world: ProcurementWorld) -> None:
    bid = fill(tenant_a, world, start(tenant_a, world))
    deadline_pass(world.procurement)
    with pytest.raises(ApplicationError, match="no bid can be submitted or changed"):
        services_bidding.bid_submit(actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), bid=bid)
    bid.refresh_from_db()
    assert bid.state == BidState.DRAFT


def test_reopen_makes_the_bid_a_draft_again(tenant_a: Tenant, world: ProcurementWorld) -> None:
    bid = fill(tenant_a, world, start(tenant_a, world))
    member = tenant_a.supplier_member()
    services_bidding.bid_submit(actor=tenant_a.supplier_user, member=member, bid=bid)
    services_bidding.bid_reopen(actor=tenant_a.supplier_user, member=member, bid=bid)
    bid.refresh_from_db()
    assert (bid.state, bid.submitted_at, bid.submitted_by) == (BidState.DRAFT, None, None)
    with pytest.raises(ApplicationError, match="already a draft"):
        services_bidding.bid_reopen(actor=tenant_a.supplier_user, member=member, bid=bid)


def test_another_supplier_cannot_save_the_bid(tenant_a: Tenant, tenant_b: Tenant, world: ProcurementWorld) -> None:
    bid = start(tenant_a, world)
    from django.http import Http404

    with pytest.raises(Http404):
        fill(tenant_b, world, bid)


def test_attachments_are_type_checked_and_stored_under_generated_names(
    tenant_a: Tenant, world: ProcurementWorld
) -> None:
    bid = start(tenant_a, world)
    q1 = world.quality[0]
    with pytest.raises(ApplicationError) as raised:
        fill(tenant_a, world, bid, attachments={q1.pk: SimpleUploadedFile("notes.txt", b"plain text")})
    assert raised.value.field_errors == {
        f"attachment_{q1.pk}": "The selected file must be a DOCX, ODS, ODT, PDF or XLSX"
    }
    with pytest.raises(ApplicationError, match="do not match"):
        fill(tenant_a, world, bid, attachments={q1.pk: SimpleUploadedFile("method.pdf", b"not a pdf")})
    fill(tenant_a, world, bid, attachments={q1.pk: SimpleUploadedFile("../../Method Statement.PDF", PDF)})
    attachment = bid.attachments.get()
    assert attachment.criterion == q1
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.startswith(f"bids/{tenant_a.buyer.pk}/") and attachment.file.name.endswith(".pdf")
    assert "Method" not in attachment.file.name
    fill(tenant_a, world, bid, new_commitment=None, remove_attachments=[attachment.pk])
    assert not bid.attachments.exists()


# --- Preview ----------------------------------------------------------------------------------------


def test_preview_shows_gross_and_net_per_line_and_in_total(tenant_a: Tenant, world: ProcurementWorld) -> None:
    bid = fill(tenant_a, world, start(tenant_a, world))
    fill(
        tenant_a,
        world,
        bid,
        new_commitment=CommitmentInput(
            measure=world.measures[1],
            quantity=Decimal("10"),
            due_date=rules.contract_period(world.procurement)[1],
        ),
    )
    preview = selectors_bidding.bid_preview(bid)
    assert preview is not None
    # JOBS.1: 4 × £1,000 = £4,000 gross; net after 20% deadweight £3,200. SKILLS.1 has no value.
    assert [(line.measure.code, line.gross, line.net) for line in preview.lines] == [
        ("JOBS.1", Decimal("4000.00"), Decimal("3200.00")),
        ("SKILLS.1", None, None),
    ]
    assert (preview.additional_social_gross, preview.additional_social_net) == (Decimal("4000.00"), Decimal("3200.00"))


def test_preview_endpoint_values_one_line(client: Client, tenant_a: Tenant, world: ProcurementWorld) -> None:
    bid = start(tenant_a, world)
    client.force_login(tenant_a.supplier_user)
    url = reverse("procurement:bid-preview", kwargs={"org": tenant_a.supplier.slug, "pk": bid.pk})
    data = client.get(url, {"measure": str(world.measures[0].pk), "quantity": "2.5"}).json()
    assert data == {
        "valued": True,
        "measure": "JOBS.1",
        "quantity": "2.5",
        "gross": "2500.00",
        "net": "2000.00",
        "message": "This commitment: £2,500.00 gross, £2,000.00 net.",
    }
    assert client.get(url, {"measure": str(world.measures[0].pk), "quantity": "lots"}).json()["valued"] is False
    assert client.get(url, {"measure": str(world.measures[1].pk), "quantity": "2"}).json() == {
        "valued": False,
        "message": "The value set has no value for SKILLS.1.",
    }


# --- Clarifications ---------------------------------------------------------------------------------


def test_clarification_asked_answered_and_published_anonymously(
    client: Client, tenant_a: Tenant, tenant_b: Tenant, world: ProcurementWorld
) -> None:
    question = services_clarifications.clarification_ask(
        actor=tenant_a.supplier_user,
        member=tenant_a.supplier_member(),
        procurement=world.procurement,
        question="Supplier A Ltd asks: is TUPE expected to apply?",
    )
    assert selectors_clarifications.clarifications_awaiting_answer(world.procurement) == 1
    # The buyer sees who asked.
    client.force_login(tenant_a.manager)
    page = client.get(
        reverse("procurement:clarification-list", kwargs={"org": tenant_a.buyer.slug, "pk": world.procurement.pk})
    )
    assert page.status_code == 200
    assert tenant_a.supplier.name in page.content.decode()
    assert "1 question is awaiting an answer" in page.content.decode()
    response = client.post(
        reverse("procurement:clarification-answer", kwargs={"org": tenant_a.buyer.slug, "pk": question.pk}),
        {"clar-published_question": "Is TUPE expected to apply?", "clar-answer": "Yes, for 12 staff."},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.published_question, question.answer, question.answered_by) == (
        "Is TUPE expected to apply?",
        "Yes, for 12 staff.",
        tenant_a.manager,
    )
    assert AuditEvent.objects.get(action="clarification.answered").organisation == tenant_a.buyer
    # Another supplier sees the published wording and the answer, never who asked.
    client.force_login(tenant_b.supplier_user)
    page = client.get(
        reverse("procurement:opportunity-detail", kwargs={"org": tenant_b.supplier.slug, "pk": world.procurement.pk})
    )
    text = page.content.decode()
    assert "Is TUPE expected to apply?" in text and "Yes, for 12 staff." in text
    assert "Supplier A Ltd" not in text and tenant_a.supplier_user.email not in text


def test_answer_needs_both_fields(client: Client, tenant_a: Tenant, world: ProcurementWorld) -> None:
    question = services_clarifications.clarification_ask(
        actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), procurement=world.procurement, question="Q?"
    )
    client.force_login(tenant_a.manager)
    response = client.post(
        reverse("procurement:clarification-answer", kwargs={"org": tenant_a.buyer.slug, "pk": question.pk}),
        {"clar-published_question": "", "clar-answer": ""},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert "Enter the question as it will be published" in text and "Enter the answer" in text
    question.refresh_from_db()
    assert question.answer == ""


def test_questions_are_refused_after_the_clarification_deadline(
    client: Client, tenant_a: Tenant, world: ProcurementWorld
) -> None:
    world.procurement.clarification_deadline = timezone.now() - timedelta(minutes=5)
    world.procurement.save(update_fields=["clarification_deadline"])
    client.force_login(tenant_a.supplier_user)
    url = reverse("procurement:opportunity-ask", kwargs={"org": tenant_a.supplier.slug, "pk": world.procurement.pk})
    response = client.post(url, {"bid_question-question": "Too late?"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "The deadline for clarification questions was" in text and "no more questions can be asked" in text
    assert not Clarification.objects.exists()


def test_procurement_page_partial_links_to_clarifications_with_the_count(
    tenant_a: Tenant, world: ProcurementWorld
) -> None:
    from django.template.loader import render_to_string

    for text in ("First?", "Second?"):
        services_clarifications.clarification_ask(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            procurement=world.procurement,
            question=text,
        )
    member = tenant_a.manager_member()
    html = render_to_string("procurement/_detail_bidding.html", {"procurement": world.procurement, "member": member})
    assert "2 questions are awaiting an answer" in html
    assert (
        reverse("procurement:clarification-list", kwargs={"org": tenant_a.buyer.slug, "pk": world.procurement.pk})
        in html
    )
    Clarification.objects.update(answer="Answered", published_question="Q")
    html = render_to_string("procurement/_detail_bidding.html", {"procurement": world.procurement, "member": member})
    assert "none awaiting an answer" in html


# --- Pages ------------------------------------------------------------------------------------------


def test_opportunity_list_opens_on_open_tenders_filters_to_closed_and_hides_drafts(
    client: Client, tenant_a: Tenant, world: ProcurementWorld
) -> None:
    closed = procurement_published(tenant_a.buyer, reference="OLD-1", deadline_passed=True)
    draft = procurement_published(tenant_a.buyer, reference="DRAFT-1")
    draft.procurement.state = ProcurementState.DRAFT
    draft.procurement.save(update_fields=["state"])
    client.force_login(tenant_a.supplier_user)
    url = reverse("procurement:opportunity-list", kwargs={"org": tenant_a.supplier.slug})

    def references(query: dict[str, str]) -> list[str]:
        response = client.get(url, query)
        assert response.status_code == 200
        return [row.procurement.reference for row in response.context["rows"]]

    text = client.get(url).content.decode()
    assert "DRAFT-1" not in text and "OLD-1" not in text
    assert "13 days left" in text or "14 days left" in text
    assert "1 opportunity matches the filters." in text
    assert references({}) == ["PROC-001"]
    assert references({"status": "closed"}) == ["OLD-1"]
    assert references({"status": "", "sort": "tender_deadline"}) == ["OLD-1", "PROC-001"]
    assert references({"status": "", "search": "old"}) == ["OLD-1"]
    assert references({"status": "", "search": "nothing like it"}) == []
    assert "Closed" in client.get(url, {"status": "closed"}).content.decode()
    rows = selectors_bidding.opportunity_rows([closed.procurement, world.procurement])
    assert [(row.procurement.reference, row.is_open) for row in rows] == [("OLD-1", False), ("PROC-001", True)]


def test_public_bodies_get_404_for_opportunity_pages(client: Client, tenant_a: Tenant, world: ProcurementWorld) -> None:
    client.force_login(tenant_a.manager)
    for name, kwargs in [
        ("procurement:opportunity-list", {}),
        ("procurement:opportunity-detail", {"pk": world.procurement.pk}),
        ("procurement:bid-list", {}),
    ]:
        assert client.get(reverse(name, kwargs={"org": tenant_a.buyer.slug, **kwargs})).status_code == 404


def test_bid_page_flow_save_with_commitment_then_submit(
    client: Client, tenant_a: Tenant, world: ProcurementWorld
) -> None:
    client.force_login(tenant_a.supplier_user)
    org = tenant_a.supplier.slug
    detail = client.get(reverse("procurement:opportunity-detail", kwargs={"org": org, "pk": world.procurement.pk}))
    assert "Start your bid" in detail.content.decode()
    assert "How tenders are assessed" in detail.content.decode()
    response = client.post(
        reverse("procurement:bid-start", kwargs={"org": org, "pk": world.procurement.pk}), {"bid_lot": world.lot.pk}
    )
    bid = Bid.objects.get(supplier=tenant_a.supplier)
    url = reverse("procurement:bid-edit", kwargs={"org": org, "pk": bid.pk})
    assert response["Location"] == url
    page = client.get(url)
    assert 'data-maxwords="500"' in page.content.decode()
    due = rules.contract_period(world.procurement)[1]
    data = {
        "bid-price": "198000",
        **{f"bid-response_{c.pk}": f"Answer {c.code}" for c in world.scored},
        "bid-method_statement": "Local recruitment.",
        "bid-commitment_measure": world.measures[0].pk,
        "bid-commitment_quantity": "3",
        "bid-commitment_due_date_day": str(due.day),
        "bid-commitment_due_date_month": str(due.month),
        "bid-commitment_due_date_year": str(due.year),
        "bid-commitment_place_code": "e08000009",
        "bid_action": "save",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    text = client.get(url).content.decode()
    assert "Your draft bid has been saved" in text
    assert "£3,000.00" in text and "£2,400.00" in text  # 3 × £1,000 gross, less 20% deadweight net
    assert bid.commitments.get().place_code == "E08000009"
    response = client.post(url, {**{k: v for k, v in data.items() if "commitment" not in k}, "bid_action": "submit"})
    assert response.status_code == 302
    bid.refresh_from_db()
    assert bid.state == BidState.SUBMITTED and bid.commitments.count() == 1
    assert "Reopen your bid to change it" in client.get(url).content.decode()
    client.post(url, {"bid_action": "reopen"})
    bid.refresh_from_db()
    assert bid.state == BidState.DRAFT
    assert "It is not a tender until you submit it again" in client.get(url).content.decode()


def test_bid_page_submit_shows_every_problem_in_the_error_summary(
    client: Client, tenant_a: Tenant, world: ProcurementWorld
) -> None:
    bid = start(tenant_a, world)
    client.force_login(tenant_a.supplier_user)
    url = reverse("procurement:bid-edit", kwargs={"org": tenant_a.supplier.slug, "pk": bid.pk})
    response = client.post(url, {"bid-price": "100", "bid_action": "submit"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert "Your changes have been saved as a draft, but the bid cannot be submitted yet." in text
    for message in (
        "Enter your response to Q1 Delivery approach",
        "Enter your response to Q2 Staffing and resilience",
        "Enter your response to SV1 Local employment",
        "Enter your social value method statement",
        "Add at least one quantified social value commitment",
    ):
        assert message in text
    assert f'href="#id_bid-response_{world.quality[0].pk}"' in text
    bid.refresh_from_db()
    assert bid.price == Decimal("100.00") and bid.state == BidState.DRAFT


def test_bid_page_after_the_deadline_refuses_changes(client: Client, tenant_a: Tenant, world: ProcurementWorld) -> None:
    bid = fill(tenant_a, world, start(tenant_a, world))
    deadline_pass(world.procurement)
    client.force_login(tenant_a.supplier_user)
    url = reverse("procurement:bid-edit", kwargs={"org": tenant_a.supplier.slug, "pk": bid.pk})
    page = client.get(url).content.decode()
    assert "no bid can be submitted or changed" in page
    assert "Submit your bid" not in page
    response = client.post(url, {"bid-price": "1", "bid_action": "submit"})
    assert "no bid can be submitted or changed" in response.content.decode()
    bid.refresh_from_db()
    assert bid.price == Decimal("200000.00") and bid.state == BidState.DRAFT


def test_supplier_downloads_its_own_attachment(client: Client, tenant_a: Tenant, world: ProcurementWorld) -> None:
    bid = start(tenant_a, world)
    fill(tenant_a, world, bid, attachments={world.quality[0].pk: SimpleUploadedFile("method.pdf", PDF)})
    attachment = bid.attachments.get()
    client.force_login(tenant_a.supplier_user)
    response = client.get(
        reverse("procurement:bid-attachment", kwargs={"org": tenant_a.supplier.slug, "pk": attachment.pk})
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert 'filename="method.pdf"' in response["Content-Disposition"]
    assert not AuditEvent.objects.filter(action="bid.attachment_opened").exists()


def test_bid_list_shows_only_own_bids(
    client: Client, tenant_a: Tenant, tenant_b: Tenant, world: ProcurementWorld
) -> None:
    start(tenant_a, world)
    bid_make(world, tenant_b.supplier, price="1000")
    client.force_login(tenant_b.supplier_user)
    text = client.get(reverse("procurement:bid-list", kwargs={"org": tenant_b.supplier.slug})).content.decode()
    assert "PROC-001" in text and "Submitted" in text and "Draft" not in text


# --- Isolation beyond the generated checks ----------------------------------------------------------


def test_a_draft_procurement_is_a_404_to_suppliers(client: Client, tenant_a: Tenant, world: ProcurementWorld) -> None:
    world.procurement.state = ProcurementState.DRAFT
    world.procurement.save(update_fields=["state"])
    client.force_login(tenant_a.supplier_user)
    org = tenant_a.supplier.slug
    pk = world.procurement.pk
    assert client.get(reverse("procurement:opportunity-detail", kwargs={"org": org, "pk": pk})).status_code == 404
    assert (
        client.post(
            reverse("procurement:bid-start", kwargs={"org": org, "pk": pk}), {"bid_lot": world.lot.pk}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("procurement:opportunity-ask", kwargs={"org": org, "pk": pk}), {"bid_question-question": "Q?"}
        ).status_code
        == 404
    )
    assert not Bid.objects.exists() and not Clarification.objects.exists()
    assert "PROC-001" not in client.get(reverse("procurement:opportunity-list", kwargs={"org": org})).content.decode()


def test_supplier_b_cannot_see_or_change_supplier_a_bid(
    client: Client, tenant_a: Tenant, tenant_b: Tenant, world: ProcurementWorld
) -> None:
    bid = start(tenant_a, world)
    fill(tenant_a, world, bid, attachments={world.quality[0].pk: SimpleUploadedFile("a-method.pdf", PDF)})
    attachment = bid.attachments.get()
    client.force_login(tenant_b.supplier_user)
    org = tenant_b.supplier.slug
    for name, pk in [
        ("procurement:bid-edit", bid.pk),
        ("procurement:bid-preview", bid.pk),
        ("procurement:bid-attachment", attachment.pk),
    ]:
        assert client.get(reverse(name, kwargs={"org": org, "pk": pk})).status_code == 404, name
    response = client.post(
        reverse("procurement:bid-edit", kwargs={"org": org, "pk": bid.pk}), {"bid-price": "1", "bid_action": "submit"}
    )
    assert response.status_code == 404
    bid.refresh_from_db()
    assert bid.price == Decimal("200000.00") and bid.state == BidState.DRAFT
    # Both may bid for the same lot; each has its own bid.
    own = start(tenant_b, world)
    assert own.pk != bid.pk
    text = client.get(reverse("procurement:bid-list", kwargs={"org": org})).content.decode()
    assert "a-method.pdf" not in text


@pytest.mark.django_db(transaction=True)
def test_bid_save_submit_and_reopen_committed(tenant_a: Tenant, world: ProcurementWorld) -> None:
    """Saving, submitting and reopening a bid, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_reopen_makes_the_bid_a_draft_again(tenant_a, world)
