"""The plan on a page: publishing and unpublishing, the public page (404 until published) and the A4 PDF
(a real one-page PDF for the demo organisation)."""

import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.demo.services import demo_load
from commonweal.frameworks.models import FocusArea, OutcomePriority, PlanPublication, PriorityGroup
from commonweal.frameworks.services_priorities import (
    demo_priorities_load,
    focus_area_create,
    plan_publish,
    plan_unpublish,
    policy_load_default,
)
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.selectors import Member

from . import factories
from .pdf_support import assert_tagged


@pytest.fixture
def council(db: None) -> Organisation:
    return factories.OrganisationFactory.create(name="Northgate Council", slug="northgate")


@pytest.fixture
def lead(council: Organisation) -> User:
    return factories.member_user(council, Role.SOCIAL_VALUE_LEAD)


@pytest.fixture
def published(council: Organisation, lead: User) -> PlanPublication:
    policy_load_default(actor=lead, member=Member.system(council))
    focus_area_create(
        actor=lead, member=Member.system(council), gss_code="E08000009", name="Trafford", reason="Our district"
    )
    return plan_publish(actor=lead, member=Member.system(council), summary="What we want our spending to do.")


def pdf_pages(content: bytes, tmp_path) -> int:
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("Pages:")))


# --- Publishing ---------------------------------------------------------------------------------------


def test_publishing_needs_a_summary_that_fits_and_a_policy(council, lead):
    with pytest.raises(ApplicationError) as blank:
        plan_publish(actor=lead, member=Member.system(council), summary="  ")
    assert blank.value.field_errors == {"summary": "Enter a short summary of the plan"}
    with pytest.raises(ApplicationError, match="Set the proportionality policy before you publish the plan"):
        plan_publish(actor=lead, member=Member.system(council), summary="Our plan")
    policy_load_default(actor=lead, member=Member.system(council))
    with pytest.raises(ApplicationError) as long:
        plan_publish(actor=lead, member=Member.system(council), summary="x" * 601)
    assert long.value.field_errors == {"summary": "The summary must be 600 characters or fewer, to fit on one page"}
    assert not PlanPublication.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="plan.").exists()


def test_publishing_and_unpublishing_are_audited(published, council, lead):
    assert published.is_published
    assert published.published_by == lead
    plan_unpublish(actor=lead, member=Member.system(council))
    published.refresh_from_db()
    assert published.published_at is None
    assert published.summary == "What we want our spending to do."
    assert list(
        AuditEvent.objects.filter(action__startswith="plan.").order_by("pk").values_list("action", flat=True)
    ) == [
        "plan.published",
        "plan.unpublished",
    ]
    with pytest.raises(ApplicationError, match="The plan is not published."):
        plan_unpublish(actor=lead, member=Member.system(council))


def test_the_lead_publishes_and_unpublishes_through_the_page(client, council, lead):
    policy_load_default(actor=lead, member=Member.system(council))
    client.force_login(lead)
    url = reverse("frameworks:plan-publication", kwargs={"org": "northgate"})
    page = client.post(url, {"summary": "", "action": "publish"}).content.decode()
    assert '<a href="#id_summary">Enter a short summary of the plan</a>' in page
    response = client.post(url, {"summary": "Our plan for Northgate.", "action": "publish"}, follow=True)
    assert "The plan on a page is published." in response.content.decode()
    assert client.get(reverse("plans:plan", kwargs={"org": "northgate"})).status_code == 200
    response = client.post(url, {"summary": "Our plan for Northgate.", "action": "unpublish"}, follow=True)
    assert "The plan on a page is no longer public." in response.content.decode()
    assert client.get(reverse("plans:plan", kwargs={"org": "northgate"})).status_code == 404


def test_a_member_who_is_not_a_lead_cannot_publish(client, council):
    policy_load_default(actor=None, member=Member.system(council))
    client.force_login(factories.member_user(council, Role.PROCUREMENT_OFFICER))
    url = reverse("frameworks:plan-publication", kwargs={"org": "northgate"})
    assert client.get(url).status_code == 200
    assert client.post(url, {"summary": "Ours", "action": "publish"}).status_code == 404
    assert not PlanPublication.objects.exists()


# --- The public page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plans:plan", "plans:plan-pdf"])
def test_an_unpublished_plan_is_a_404_for_everyone(client, council, lead, name):
    policy_load_default(actor=lead, member=Member.system(council))
    url = reverse(name, kwargs={"org": "northgate"})
    assert client.get(url).status_code == 404
    client.force_login(lead)
    assert client.get(url).status_code == 404
    plan_publish(actor=lead, member=Member.system(council), summary="Ours")
    plan_unpublish(actor=lead, member=Member.system(council))
    assert client.get(url).status_code == 404


def test_an_unknown_organisation_has_no_plan(client, db):
    assert client.get(reverse("plans:plan", kwargs={"org": "nowhere"})).status_code == 404


def test_the_public_plan_needs_no_sign_in_and_shows_the_plan(client, published):
    response = client.get(reverse("plans:plan", kwargs={"org": "northgate"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Social value plan – Northgate Council – Commonweal</title>" in page
    assert "What we want our spending to do." in page
    assert f"Published {timezone.localtime(published.published_at):%-d %B %Y}." in page
    code = '<span class="app-plan-code govuk-!-font-weight-regular">(E08000009)</span>'
    assert f"<strong>Trafford</strong> {code}: Our district" in page
    assert "Any contract, below £207,720" in page
    assert "Services, £207,720.00 or more" in page
    assert "Contracts worth more than £5,000,000.00 also need at least 3 key performance indicators" in page
    assert 'href="/plan/northgate.pdf"' in page


def test_the_public_plan_is_a_valid_one_page_pdf(client, published, tmp_path):
    response = client.get(reverse("plans:plan-pdf", kwargs={"org": "northgate"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="northgate-plan-on-a-page.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert pdf_pages(response.content, tmp_path) == 1
    assert_tagged(response.content, title="Social value plan – Northgate Council")


# --- The demo organisation ----------------------------------------------------------------------------


@pytest.fixture
def demo(db: None) -> Organisation:
    demo_load()
    northfield = Organisation.objects.get(slug="northfield")
    demo_priorities_load(member=Member.system(northfield), actor=User.objects.get(email="lead@northfield.example"))
    return northfield


def test_the_demo_organisation_has_priorities_places_groups_a_policy_and_a_published_plan(demo):
    assert list(OutcomePriority.objects.filter(organisation=demo).values_list("outcome_code", flat=True)) == [
        "JOBS.1",
        "ECON.1",
        "ENV.1",
        "JOBS.2",
        "COMM.1",
    ]
    assert sorted(FocusArea.objects.filter(organisation=demo).values_list("gss_code", flat=True)) == [
        "E05000824",
        "E05000829",
        "E08000009",
    ]
    assert PriorityGroup.objects.filter(organisation=demo).count() == 3
    assert PlanPublication.objects.get(organisation=demo).is_published


def test_loading_the_demo_priorities_again_changes_nothing(demo):
    events = AuditEvent.objects.count()
    assert demo_priorities_load(member=Member.system(demo), actor=None) == []
    assert AuditEvent.objects.count() == events


def test_the_demo_plan_fits_on_one_a4_page(client, demo, tmp_path):
    response = client.get(reverse("plans:plan-pdf", kwargs={"org": "northfield"}))
    assert response.content.startswith(b"%PDF-")
    assert pdf_pages(response.content, tmp_path) == 1
    path = tmp_path / "plan.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Our social value plan" in text
    assert "More local people in good work" in text
    assert "Bucklow-St Martins ward" in text
    assert "Care leavers" in text
    assert "Services, £207,720.00 or more" in " ".join(text.split())  # the PDF wraps the table cell
    published_at = timezone.localtime(PlanPublication.objects.get(organisation=demo).published_at)
    assert f"Published {published_at:%-d %B %Y}." in text
