"""A contract manager reviews a whole return on one page: every line with its evidence, a decision on each
line that comes back to that line, "verify all that are evidenced" after a confirmation, and the next return
waiting. The API decides many lines in one call, all or nothing."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from commonweal.core.models import AuditEvent
from commonweal.delivery import services_returns
from commonweal.delivery.models import DeliveryReturn, LineStatus, ReturnLine
from commonweal.delivery.services_returns import LineInput

from .conftest import Tenant
from .delivery_agreements_support import periods_made
from .factories import api_token, evidence_file


def submitted(tenant: Tenant, period_index: int = 0, *, evidenced: int = 2) -> DeliveryReturn:
    """A return on all three commitments; the first `evidenced` lines have the evidence file."""
    periods = periods_made(tenant.agreement)
    commitments = tenant.commitments
    return services_returns.return_save(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        period=periods[period_index],
        lines={c.pk: LineInput(quantity=Decimal(str(n + 1))) for n, c in enumerate(commitments)},
        narrative="Apprentices and volunteers",
        evidence=[evidence_file("register.pdf")],
        evidence_lines=[c.pk for c in commitments[:evidenced]],
        submit=True,
    )


def lines_of(delivery_return: DeliveryReturn) -> list[ReturnLine]:
    return list(delivery_return.lines.order_by("commitment__due_date", "commitment_id"))


def review_url(tenant: Tenant, delivery_return: DeliveryReturn) -> str:
    return reverse("delivery:return-review", kwargs={"org": tenant.buyer.slug, "pk": delivery_return.pk})


def test_the_review_page_shows_every_line_with_its_evidence_and_a_decision_form(client, tenant_a):
    delivery_return = submitted(tenant_a)
    client.force_login(tenant_a.manager)
    page = client.get(review_url(tenant_a, delivery_return)).content.decode()
    for line in lines_of(delivery_return):
        assert f'id="line-{line.pk}"' in page
        assert reverse("delivery:return-line-review", kwargs={"org": "council-a", "pk": line.pk}) in page
    assert page.count("register.pdf") == 3  # the return's files, and the two lines it supports
    assert "None: claimed, not evidenced" in page
    assert "2 lines awaiting verification have evidence attached." in page
    assert "No other return is waiting for review." in page


def test_a_decision_on_one_line_comes_back_to_that_line(client, tenant_a):
    delivery_return = submitted(tenant_a)
    second = lines_of(delivery_return)[1]
    client.force_login(tenant_a.manager)
    line_url = reverse("delivery:return-line-review", kwargs={"org": "council-a", "pk": second.pk})
    response = client.post(line_url, {"decision": LineStatus.VERIFIED, "reason": "", "from_review": "1"})
    assert response["Location"] == review_url(tenant_a, delivery_return) + f"#line-{second.pk}"
    second.refresh_from_db()
    assert second.status == LineStatus.VERIFIED

    # A rejection without a reason is refused on the line's own page, which still comes back here after.
    third = lines_of(delivery_return)[2]
    line_url = reverse("delivery:return-line-review", kwargs={"org": "council-a", "pk": third.pk})
    response = client.post(line_url, {"decision": LineStatus.REJECTED, "reason": "", "from_review": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the reason for rejecting this line" in page
    assert '<input type="hidden" name="from_review" value="1">' in page
    third.refresh_from_db()
    assert third.status == LineStatus.PENDING


def test_verify_all_that_are_evidenced_asks_first_then_verifies_only_those(client, tenant_a):
    delivery_return = submitted(tenant_a)
    first, second, third = lines_of(delivery_return)
    client.force_login(tenant_a.manager)
    confirm_url = reverse("delivery:return-verify-evidenced", kwargs={"org": "council-a", "pk": delivery_return.pk})
    page = client.get(confirm_url).content.decode()
    assert "Verify 2 evidenced lines?" in page
    assert f'value="{first.pk},{second.pk}"' in page
    assert not ReturnLine.objects.filter(status=LineStatus.VERIFIED).exists()  # asking changes nothing

    events = AuditEvent.objects.count()
    response = client.post(confirm_url, {"confirmed_lines": f"{first.pk},{second.pk}"}, follow=True)
    assert response.redirect_chain[-1][0] == review_url(tenant_a, delivery_return)
    assert "2 lines verified." in response.content.decode()
    statuses = [line.status for line in lines_of(delivery_return)]
    assert statuses == [LineStatus.VERIFIED, LineStatus.VERIFIED, LineStatus.PENDING]
    assert AuditEvent.objects.count() == events + 2  # each line's decision recorded


def test_verify_all_refuses_when_the_return_changed_while_confirming(client, tenant_a):
    delivery_return = submitted(tenant_a)
    first, second, _third = lines_of(delivery_return)
    client.force_login(tenant_a.manager)
    # Between the two pages a colleague queries the second line.
    services_returns.return_line_review(
        actor=tenant_a.manager, member=tenant_a.manager_member(), line=second, decision="queried", reason="Which?"
    )
    confirm_url = reverse("delivery:return-verify-evidenced", kwargs={"org": "council-a", "pk": delivery_return.pk})
    response = client.post(confirm_url, {"confirmed_lines": f"{first.pk},{second.pk}"})
    assert response.status_code == 200
    assert "The return changed while you were confirming" in response.content.decode()
    assert not ReturnLine.objects.filter(status=LineStatus.VERIFIED).exists()


def test_next_return_waiting_leads_on_and_the_waiting_list_pages(client, tenant_a):
    older = submitted(tenant_a, 0)
    newer = submitted(tenant_a, 1)
    client.force_login(tenant_a.manager)
    page = client.get(review_url(tenant_a, older)).content.decode()
    assert f'href="{review_url(tenant_a, newer)}">Next return waiting: A-001, Quarter 2' in page
    waiting_url = reverse("delivery:return-list", kwargs={"org": "council-a"}) + "?review=waiting&sort=submitted_at"
    text = client.get(waiting_url).content.decode()
    assert text.index(review_url(tenant_a, older)) < text.index(review_url(tenant_a, newer))
    # Verify everything on the older one: it leaves the list.
    services_returns.return_lines_review(
        actor=tenant_a.manager,
        member=tenant_a.manager_member(),
        line_ids=[line.pk for line in lines_of(older)],
        decision=LineStatus.VERIFIED,
    )
    text = client.get(waiting_url).content.decode()
    assert review_url(tenant_a, older) not in text and "1 return matches the filters." in text


def test_the_supplier_and_another_buyer_cannot_reach_the_review(client, tenant_a, tenant_b):
    delivery_return = submitted(tenant_a)
    for user, org in ((tenant_a.supplier_user, "supplier-a"), (tenant_b.manager, "council-b")):
        client.force_login(user)
        url = reverse("delivery:return-review", kwargs={"org": org, "pk": delivery_return.pk})
        assert client.get(url).status_code == 404


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user).key}")
    return client


def bulk_url(org: str = "council-a") -> str:
    return reverse("api:return-lines-review", kwargs={"org": org})


def test_the_api_verifies_many_lines_in_one_call(tenant_a):
    delivery_return = submitted(tenant_a)
    ids = [line.pk for line in lines_of(delivery_return)]
    response = api(tenant_a.manager).post(bulk_url(), {"line_ids": ids, "decision": "verified"}, format="json")
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert [line["id"] for line in body] == ids
    assert {line["status"] for line in body} == {"verified"}
    assert [event["kind"] for event in body[0]["events"]] == ["verify"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"decision": "rejected"}, "Enter the reason for rejecting this line"),
        ({"decision": "verified", "extra": "already"}, "already been reviewed: it is verified. Nothing was changed."),
        ({"decision": "verified", "extra": "foreign"}, "No such return line."),
    ],
)
def test_the_api_bulk_review_is_all_or_nothing(tenant_a, tenant_b, payload, message):
    delivery_return = submitted(tenant_a)
    ids = [line.pk for line in lines_of(delivery_return)]
    extra = payload.pop("extra", None)
    if extra == "already":
        services_returns.return_line_review(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            line=lines_of(delivery_return)[2],
            decision="verified",
            reason="",
        )
    if extra == "foreign":
        ids.append(lines_of(submitted(tenant_b))[0].pk)
    before = list(ReturnLine.objects.order_by("pk").values_list("pk", "status"))
    events = AuditEvent.objects.count()
    response = api(tenant_a.manager).post(bulk_url(), {"line_ids": ids, **payload}, format="json")
    assert response.status_code == (404 if extra == "foreign" else 400)
    assert message in response.content.decode()
    assert list(ReturnLine.objects.order_by("pk").values_list("pk", "status")) == before
    assert AuditEvent.objects.count() == events


def test_the_api_bulk_review_refuses_the_supplier_and_empty_lists(tenant_a):
    delivery_return = submitted(tenant_a)
    ids = [line.pk for line in lines_of(delivery_return)]
    assert (
        api(tenant_a.supplier_user)
        .post(bulk_url("supplier-a"), {"line_ids": ids, "decision": "verified"}, format="json")
        .status_code
        == 404
    )
    response = api(tenant_a.manager).post(bulk_url(), {"line_ids": [], "decision": "verified"}, format="json")
    assert response.status_code == 400
    assert not ReturnLine.objects.filter(status=LineStatus.VERIFIED).exists()


@pytest.mark.django_db(transaction=True)
def test_a_bulk_review_that_fails_half_way_leaves_every_line_as_it_was(tenant_a):
    """Outside a wrapping transaction (PostgreSQL locks for real): the first lines are decided, then the
    last is found settled, and the whole call rolls back."""
    periods_made(tenant_a.agreement)
    delivery_return = submitted(tenant_a)
    first, second, third = lines_of(delivery_return)
    services_returns.return_line_review(
        actor=tenant_a.manager, member=tenant_a.manager_member(), line=third, decision="rejected", reason="No"
    )
    with pytest.raises(Exception, match="Nothing was changed"):
        services_returns.return_lines_review(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            line_ids=[first.pk, second.pk, third.pk],
            decision=LineStatus.VERIFIED,
        )
    assert [line.status for line in lines_of(delivery_return)] == ["pending", "pending", "rejected"]
