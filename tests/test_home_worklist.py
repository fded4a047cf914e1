"""Each role's home page is its to-do list: for every role, signing in shows each kind of pending work with
its count, and one click on it reaches the exact place. The counts take a fixed number of queries, whatever
the amount of data; an evaluator sees only their own tenders to score; community organisations and
networks never get an empty page; and a new supplier files a quarterly return with one file in under 10
requests."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonweal.delivery import services_returns
from commonweal.delivery.models import (
    DeliveryReturn,
    LineStatus,
    ReturnState,
    Substitution,
    SubstitutionState,
)
from commonweal.delivery.selectors_status import commitment_progress_list
from commonweal.delivery.services_returns import LineInput
from commonweal.frontend.selectors_worklist import worklist
from commonweal.procurement.models import Bid, Clarification, EvaluatorAssignment, Flag, FlagKind, Score
from commonweal.spend.duck import spend_path
from commonweal.spend.models import ImportStatus, SpendImport
from commonweal.tenancy.models import Organisation, OrganisationKind, Role
from commonweal.tenancy.selectors import member_access

from . import factories
from .conftest import Tenant
from .delivery_agreements_support import periods_made
from .factories import PASSWORD, evidence_file, member_user
from .procurement_support import bid_make, declare, procurement_published

TODAY = timezone.localdate()


def home(client: Client, user, org: Organisation) -> str:
    client.force_login(user)
    response = client.get(reverse("delivery:dashboard", kwargs={"org": org.slug}))
    assert response.status_code == 200
    return response.content.decode()


def item(page: str, key: str) -> tuple[str, int, str]:
    """(title, count, href) of a pending item on the home page, or fail."""
    match = re.search(rf'id="work-{key}">\s*<h3[^>]*><a class="govuk-link" href="([^"]+)">([^<]+): (\d+)</a>', page)
    assert match, f"no pending {key!r} on the home page"
    return unescape(match.group(2)), int(match.group(3)), unescape(match.group(1))


def reach(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def supplier_submits(tenant: Tenant, period, lines: dict, *, files=()) -> DeliveryReturn:
    return services_returns.return_save(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        period=period,
        lines=lines,
        narrative="Apprentices started on site",
        evidence=list(files),
        submit=True,
    )


@pytest.fixture
def world(tenant_a: Tenant) -> dict:
    """Tenant A with something of every kind waiting for someone."""
    periods = periods_made(tenant_a.agreement)
    c1, c2, _c3 = tenant_a.commitments
    manager = tenant_a.manager_member()
    # Q1: submitted, one line evidenced, one not; the manager queries the second.
    q1 = supplier_submits(
        tenant_a,
        periods[0],
        {c1.pk: LineInput(quantity=Decimal("4")), c2.pk: LineInput(quantity=Decimal("2"))},
        files=[evidence_file("register-q1.pdf")],
    )
    q1_c2 = q1.lines.get(commitment=c2)
    services_returns.return_lines_review(
        actor=tenant_a.manager, member=manager, line_ids=[q1_c2.pk], decision=LineStatus.QUERIED, reason="Which site?"
    )
    # Q2: submitted; its line queried and answered, so it waits to be verified again.
    q2 = supplier_submits(tenant_a, periods[1], {c1.pk: LineInput(quantity=Decimal("3"))})
    q2_line = q2.lines.get()
    services_returns.return_line_review(
        actor=tenant_a.manager, member=manager, line=q2_line, decision=LineStatus.QUERIED, reason="Names please"
    )
    services_returns.return_line_answer(
        actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), line=q2_line, answer="Register attached"
    )
    # Q3 has no return and is overdue; Q4 has started. A commitment already missed.
    late = factories.CommitmentFactory.create(agreement=tenant_a.agreement, due_date=date(2026, 6, 30))
    substitution = Substitution.objects.create(
        organisation=tenant_a.buyer,
        agreement=tenant_a.agreement,
        commitment=c1,
        reason="The depot closed",
        pledge="Volunteer days at the food bank",
        state=SubstitutionState.PROPOSED,
        proposed_by=tenant_a.supplier_user,
    )
    # Procurement: one past its deadline with two bids (to score, moderate, a flag); one open.
    closed = procurement_published(tenant_a.buyer, reference="PROC-CLOSED", deadline_passed=True)
    other = factories.SupplierFactory.create(name="Other Supplier Ltd")
    bid = bid_make(closed, tenant_a.supplier, price="100000")
    bid_make(closed, other, price="90000")
    Flag.objects.create(
        organisation=tenant_a.buyer, bid=bid, kind=FlagKind.ABNORMALLY_LOW_PRICE, detail="Below 80% of the average"
    )
    evaluator = member_user(tenant_a.buyer, Role.EVALUATOR)
    colleague = member_user(tenant_a.buyer, Role.EVALUATOR)
    EvaluatorAssignment.objects.create(
        organisation=tenant_a.buyer, procurement=closed.procurement, criterion=closed.quality[0], evaluator=evaluator
    )
    EvaluatorAssignment.objects.create(
        organisation=tenant_a.buyer, procurement=closed.procurement, criterion=closed.quality[1], evaluator=colleague
    )
    declare(closed.procurement, colleague, conflict=True, details="My brother works there")
    open_world = procurement_published(tenant_a.buyer, reference="PROC-OPEN")
    draft_bid = bid_make(open_world, tenant_a.supplier, price="120000", submitted=False)
    Clarification.objects.create(
        organisation=tenant_a.buyer,
        procurement=open_world.procurement,
        supplier=tenant_a.supplier,
        asked_by=tenant_a.supplier_user,
        question="Is the depot included?",
    )
    upload = spend_path("uploads/worklist-payments.csv")
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text("Payee,Paid on,Sum\nAcme Ltd,01/04/2026,120.00\n", encoding="utf-8")
    spend_import = SpendImport.objects.create(
        organisation=tenant_a.buyer,
        original_name="payments-2026.csv",
        sha256="a" * 64,
        status=ImportStatus.AWAITING_MAPPING,
        upload_path="uploads/worklist-payments.csv",
    )
    return {
        "periods": periods,
        "q1": q1,
        "q1_c2": q1_c2,
        "q2": q2,
        "q2_line": q2_line,
        "late": late,
        "substitution": substitution,
        "closed": closed,
        "open": open_world,
        "draft_bid": draft_bid,
        "evaluator": evaluator,
        "colleague": colleague,
        "spend_import": spend_import,
    }


def url(name: str, org: Organisation, **kwargs) -> str:
    return reverse(name, kwargs={"org": org.slug, **kwargs})


def test_contract_manager_finds_each_kind_of_pending_work_and_reaches_it_in_one_click(client, tenant_a, world):
    page = home(client, tenant_a.manager, tenant_a.buyer)
    # Q1 and Q2 both have lines awaiting verification: the list of returns waiting.
    title, count, href = item(page, "returns-to-review")
    waiting_url = url("delivery:return-list", tenant_a.buyer) + "?review=waiting&sort=submitted_at"
    assert (title, count, href) == ("Returns waiting for review", 2, waiting_url)
    waiting = reach(client, href)
    assert "2 returns match the filters." in waiting
    assert url("delivery:return-review", tenant_a.buyer, pk=world["q1"].pk) in waiting
    # The exact returns are linked under the count too.
    assert url("delivery:return-review", tenant_a.buyer, pk=world["q2"].pk) in page

    title, count, href = item(page, "queries-answered")
    assert count == 1
    assert href == url("delivery:return-review", tenant_a.buyer, pk=world["q2"].pk) + f"#line-{world['q2_line'].pk}"
    assert f'id="line-{world["q2_line"].pk}"' in reach(client, href)

    title, count, href = item(page, "substitutions-proposed")
    assert (count, href) == (1, url("delivery:substitution-detail", tenant_a.buyer, pk=world["substitution"].pk))
    assert "The depot closed" in reach(client, href)

    title, count, href = item(page, "overdue-returns")
    assert count == 1  # Q3: due 14 October 2026, no return
    assert "Quarter 3" in reach(client, href)

    title, count, href = item(page, "commitments-at-risk")
    progress = commitment_progress_list(agreement=tenant_a.agreement)
    worrying = [row for row in progress if row.status in ("at_risk", "behind", "missed")]
    assert count == len(worrying) >= 1  # at least the commitment due 30 June 2026, nothing delivered: missed
    assert [row.status for row in progress if row.commitment == world["late"]] == ["missed"]
    assert href == url("delivery:agreement-detail", tenant_a.buyer, pk=tenant_a.agreement.pk) + "#commitments"
    assert "Missed" in reach(client, href)
    # A contract manager does not plan procurements: no moderation or flags on their list.
    assert 'id="work-to-moderate"' not in page and 'id="work-flags"' not in page


def test_procurement_officer_finds_moderation_flags_questions_deadlines_and_spend_mapping(client, tenant_a, world):
    officer = member_user(tenant_a.buyer, Role.PROCUREMENT_OFFICER)
    page = home(client, officer, tenant_a.buyer)
    closed = world["closed"].procurement

    title, count, href = item(page, "to-moderate")
    assert (count, href) == (1, url("procurement:moderation", tenant_a.buyer, pk=closed.pk))
    reach(client, href)

    title, count, href = item(page, "flags")
    assert (count, href) == (1, url("procurement:flags", tenant_a.buyer, pk=closed.pk))
    reach(client, href)

    title, count, href = item(page, "clarifications")
    assert (count, href) == (1, url("procurement:clarification-list", tenant_a.buyer, pk=world["open"].procurement.pk))
    assert "Is the depot included?" in reach(client, href)

    # The open one closes in 14 days; the closed one's award is due in 13.
    title, count, href = item(page, "deadlines-near")
    assert (count, href) == (2, url("procurement:procurement-list", tenant_a.buyer))
    reach(client, href)
    for procurement in (world["open"].procurement, closed):
        assert url("procurement:procurement-detail", tenant_a.buyer, pk=procurement.pk) in page
    assert "Award " in page and "Clarification deadline " in page

    title, count, href = item(page, "spend-mapping")
    assert (count, href) == (1, url("spend:import-mapping", tenant_a.buyer, pk=world["spend_import"].pk))
    assert "Payee" in reach(client, href)  # the file's columns, to map
    # Not assigned to score anything: nothing to score, said in the list of what is clear.
    assert 'id="work-to-score"' not in page
    assert "Tenders to score</a>: none" in page


def test_an_evaluator_sees_only_their_own_tenders_to_score(client, tenant_a, world):
    closed = world["closed"].procurement
    page = home(client, world["evaluator"], tenant_a.buyer)
    title, count, href = item(page, "to-score")
    assert (title, count, href) == ("Tenders to score", 1, url("procurement:scoring", tenant_a.buyer, pk=closed.pk))
    reach(client, href)
    # Nothing of planning on an evaluator's list.
    assert 'id="work-to-moderate"' not in page and 'id="work-spend-mapping"' not in page

    # The colleague declared a conflict: nothing to score, whatever their assignment.
    colleague_page = home(client, world["colleague"], tenant_a.buyer)
    assert 'id="work-to-score"' not in colleague_page

    # Once the evaluator has scored both bids on their criterion, nothing is left.
    member = member_access(user=world["evaluator"], slug=tenant_a.buyer.slug)
    assert worklist(member=member).item("to-score").count == 1

    for bid in Bid.objects.filter(procurement=closed, state="submitted"):
        Score.objects.create(
            organisation=tenant_a.buyer,
            bid=bid,
            criterion=world["closed"].quality[0],
            evaluator=world["evaluator"],
            score=Decimal("3"),
            justification="Sound",
        )
    assert worklist(member=member).item("to-score").count == 0


def test_before_the_deadline_no_bid_is_counted_for_anyone(tenant_a, world):
    """Sealed bids: the open procurement's draft bid is nowhere on the buyer's lists."""
    officer = member_user(tenant_a.buyer, Role.PROCUREMENT_OFFICER)
    EvaluatorAssignment.objects.create(
        organisation=tenant_a.buyer,
        procurement=world["open"].procurement,
        criterion=world["open"].quality[0],
        evaluator=officer,
    )
    items = worklist(member=member_access(user=officer, slug=tenant_a.buyer.slug))
    assert items.item("to-score").count == 0
    assert items.item("to-moderate").count == 1  # the closed one only


def test_viewer_finds_overdue_returns_and_commitments_at_risk(client, tenant_a, world):
    viewer = member_user(tenant_a.buyer, Role.VIEWER)
    page = home(client, viewer, tenant_a.buyer)
    assert item(page, "overdue-returns")[1] == 1
    progress = commitment_progress_list(agreement=tenant_a.agreement)
    assert item(page, "commitments-at-risk")[1] == sum(
        1 for row in progress if row.status in ("at_risk", "behind", "missed")
    )
    reach(client, item(page, "overdue-returns")[2])
    assert 'id="work-returns-to-review"' not in page  # a viewer reviews nothing


def test_supplier_finds_returns_due_queries_opportunities_draft_bids_and_deadlines(client, tenant_a, world):
    page = home(client, tenant_a.supplier_user, tenant_a.supplier)
    periods = world["periods"]

    title, count, href = item(page, "returns-due")
    assert count == 2  # Q3 (overdue) and Q4 (started)
    start = url("delivery:return-submit", tenant_a.supplier, pk=tenant_a.agreement.pk) + f"?period={periods[2].pk}"
    assert start.replace("&", "&amp;") in page or start in page
    assert "Quarter 3" in page and "(overdue)" in page
    form = reach(client, start)
    assert re.search(rf'value="{periods[2].pk}"[^>]*checked', form), "the start link chooses its period"

    title, count, href = item(page, "queries-to-answer")
    assert (count, href) == (1, url("delivery:return-line-answer", tenant_a.supplier, pk=world["q1_c2"].pk))
    assert "Which site?" in reach(client, href)

    title, count, href = item(page, "opportunities")
    assert (count, href) == (1, url("procurement:opportunity-list", tenant_a.supplier))
    assert "PROC-OPEN" in reach(client, href)

    title, count, href = item(page, "bids-in-draft")
    assert (count, href) == (1, url("procurement:bid-edit", tenant_a.supplier, pk=world["draft_bid"].pk))
    reach(client, href)

    title, count, href = item(page, "deadlines")
    assert (count, href) == (1, url("procurement:bid-edit", tenant_a.supplier, pk=world["draft_bid"].pk))


@pytest.mark.parametrize("kind", [OrganisationKind.COMMUNITY, OrganisationKind.NETWORK])
def test_community_organisations_and_networks_never_get_an_empty_page(client, db, kind):
    organisation = factories.OrganisationFactory.create(kind=kind, name=f"A {kind}")
    role = Role.COMMUNITY_CONTACT if kind == OrganisationKind.COMMUNITY else Role.NETWORK_COORDINATOR
    page = home(client, member_user(organisation, role), organisation)
    assert "What you can do today" in page
    assert 'id="work-agreements"' in page
    assert 'id="work-people"' in page
    assert "None yet: a public body adds you" in page
    reach(client, url("delivery:agreement-list", organisation))


def _more_of_everything(tenant: Tenant, world: dict, n: int) -> None:
    """More agreements, returns waiting, substitutions, procurements, flags and imports."""
    for index in range(n):
        agreement = factories.AgreementFactory.create(
            organisation=tenant.buyer, supplier=tenant.supplier, reference=f"MORE-{index}"
        )
        commitment = factories.CommitmentFactory.create(agreement=agreement, due_date=date(2026, 6, 30))
        periods = periods_made(agreement)
        services_returns.return_save(
            actor=tenant.supplier_user,
            member=tenant.supplier_member(),
            agreement=agreement,
            period=periods[0],
            lines={commitment.pk: LineInput(quantity=Decimal("1"))},
            narrative="More",
            submit=True,
        )
        Substitution.objects.create(
            organisation=tenant.buyer,
            agreement=agreement,
            commitment=commitment,
            reason="More",
            pledge="More",
            proposed_by=tenant.supplier_user,
        )
        closed = procurement_published(tenant.buyer, reference=f"MORE-P{index}", deadline_passed=True)
        bid = bid_make(closed, tenant.supplier, price="1000")
        Flag.objects.create(organisation=tenant.buyer, bid=bid, kind=FlagKind.ABNORMALLY_LOW_PRICE, detail="Low")
        SpendImport.objects.create(
            organisation=tenant.buyer,
            original_name=f"more-{index}.csv",
            sha256=f"{index:064d}",
            status="awaiting_mapping",
        )


def _queries(member) -> int:
    with CaptureQueriesContext(connection) as queries:
        worklist(member=member)
    return len(queries)


def test_the_counts_take_a_fixed_number_of_queries_whatever_the_data(tenant_a, world):
    lead = member_user(tenant_a.buyer, Role.SOCIAL_VALUE_LEAD)
    EvaluatorAssignment.objects.create(
        organisation=tenant_a.buyer,
        procurement=world["closed"].procurement,
        criterion=world["closed"].social_value[0],
        evaluator=lead,
    )
    buyer = member_access(user=lead, slug=tenant_a.buyer.slug)
    supplier = tenant_a.supplier_member()
    before = (_queries(buyer), _queries(supplier))
    _more_of_everything(tenant_a, world, 4)
    after_items = worklist(member=buyer)
    assert after_items.item("returns-to-review").count == 6
    assert after_items.item("substitutions-proposed").count == 5
    assert after_items.item("flags").count == 5
    assert after_items.item("spend-mapping").count == 5
    assert (_queries(buyer), _queries(supplier)) == before
    # And the lead's whole home page stays bounded too: it asks no more with more to show (links are capped).
    assert len(after_items.item("returns-to-review").links) == 5


# --- A new supplier files a quarterly return with one file, counted -----------------------------------


class CountingClient(Client):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.requests: list[str] = []

    def request(self, **request):
        self.requests.append(f"{request['REQUEST_METHOD']} {request['PATH_INFO']}")
        return super().request(**request)


def test_a_new_supplier_files_a_quarterly_return_with_one_file_in_under_ten_steps(tenant_a):
    periods = periods_made(tenant_a.agreement)
    c1 = tenant_a.commitments[0]
    client = CountingClient()
    # Sign in.
    client.get(reverse("accounts:sign-in"))
    response = client.post(
        reverse("accounts:sign-in"), {"username": tenant_a.supplier_user.email, "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    # The home page says which return is due, with a start link for its period.
    assert "Returns to submit" in page
    found = re.search(r'href="([^"]*return[^"]*\?period=\d+)"', page)
    assert found, "a start link for the period"
    start = unescape(found.group(1))
    assert start.endswith(f"?period={periods[0].pk}")
    form = client.get(start).content.decode()
    # The upload hint says which files and how big.
    assert "Each file a" in form and "smaller than" in form
    response = client.post(
        start,
        {
            "period": periods[0].pk,
            f"quantity_{c1.pk}": "4",
            "narrative": "Four apprentices started",
            "evidence": evidence_file("register.pdf"),
            "return_action": "check",
        },
        follow=True,
    )
    check = response.content.decode()
    assert "Check your return before you submit it" in check
    assert "register.pdf" in check
    delivery_return = DeliveryReturn.objects.get()
    assert delivery_return.state == ReturnState.DRAFT  # not locked until submitted from the check page
    response = client.post(url("delivery:return-check", tenant_a.supplier, pk=delivery_return.pk), follow=True)
    done = response.content.decode()
    assert "govuk-panel--confirmation" in done
    assert f"{tenant_a.agreement.reference}-R{delivery_return.pk}" in done
    delivery_return.refresh_from_db()
    assert delivery_return.state == ReturnState.SUBMITTED
    assert len(client.requests) < 10, client.requests


def test_continue_with_a_return_that_could_not_be_submitted_shows_the_errors_and_saves_nothing(client, tenant_a):
    periods = periods_made(tenant_a.agreement)
    client.force_login(tenant_a.supplier_user)
    start = url("delivery:return-submit", tenant_a.supplier, pk=tenant_a.agreement.pk)
    response = client.post(start, {"period": periods[0].pk, "narrative": "", "return_action": "check"})
    assert response.status_code == 200
    assert "Describe what was delivered in this period" in response.content.decode()
    assert not DeliveryReturn.objects.exists()


def test_the_check_page_of_a_submitted_return_goes_to_its_confirmation(client, tenant_a):
    periods = periods_made(tenant_a.agreement)
    submitted = supplier_submits(tenant_a, periods[0], {tenant_a.commitments[0].pk: LineInput(quantity=Decimal("1"))})
    client.force_login(tenant_a.supplier_user)
    response = client.get(url("delivery:return-check", tenant_a.supplier, pk=submitted.pk))
    assert response["Location"] == url("delivery:return-confirmation", tenant_a.supplier, pk=submitted.pk)
    # A POST to it changes nothing: it is locked.
    events = submitted.updated_at
    client.post(url("delivery:return-check", tenant_a.supplier, pk=submitted.pk))
    submitted.refresh_from_db()
    assert submitted.updated_at == events
