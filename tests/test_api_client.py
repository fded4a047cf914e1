"""The typed client (commonweal/client.py) over the API, through Django's test client: a social value
lead makes a framework, adds to a draft and publishes it, exports it and imports it again; a person
manages their own tokens; errors come back as `ApiError` with the API's messages."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.core import mail
from django.test import Client as DjangoClient
from pytest_django import DjangoDbBlocker

from commonweal.accounts.models import ApiToken, User
from commonweal.client import Answer, ApiError, Client, Transport
from commonweal.core.models import AuditEvent
from commonweal.delivery.models import Agreement
from commonweal.frameworks import interchange
from commonweal.frameworks.models import Framework, FrameworkVersion, Theme
from commonweal.frameworks.services_interchange import STARTER_FRAMEWORK
from commonweal.tenancy.models import Membership, Role

from . import factories
from .conftest import Tenant, built_once, make_tenant


def django_transport(django_client: DjangoClient) -> Transport:
    def send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Answer:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        content_type = headers.pop("Content-Type", "application/octet-stream")
        response = django_client.generic(method, path, body or b"", content_type=content_type, headers=headers)
        return Answer(response.status_code, dict(response.headers.items()), response.content)

    return send


@pytest.fixture(scope="module")
def lead_once(django_db_blocker: DjangoDbBlocker) -> Iterator[tuple[Tenant, str, str]]:
    """Tenant A's manager, also its social value lead, with a read and write token and a read-only one."""

    def build() -> tuple[Tenant, str, str]:
        tenant = make_tenant("A")
        factories.MembershipFactory.create(user=tenant.manager, organisation=tenant.buyer, role=Role.SOCIAL_VALUE_LEAD)
        writes = factories.api_token(tenant.manager).key
        reads = factories.api_token(tenant.manager, scope="read").key
        return tenant, writes, reads

    yield from built_once(django_db_blocker, build)


@pytest.fixture
def tenant(lead_once: tuple[Tenant, str, str], db: None) -> Tenant:
    return lead_once[0]


@pytest.fixture
def api(lead_once: tuple[Tenant, str, str], client: DjangoClient) -> Client:
    return Client("http://testserver", lead_once[1], transport=django_transport(client))


def test_a_lead_makes_a_framework_drafts_adds_publishes_and_exports_it(tenant: Tenant, api: Client) -> None:
    org = tenant.buyer.slug
    events = AuditEvent.objects.count()
    template = interchange.template_list()[0]
    first = api.framework_create(org, template=template.key, code="local", title="Our local framework")
    assert (first["framework"], first["number"], first["status"]) == ("local", 1, "published")
    assert first["themes"] and first["owner"] == org
    framework = Framework.objects.get(organisation=tenant.buyer, code="local")

    draft = api.draft_create(org, framework.pk)
    assert (draft["number"], draft["status"]) == (2, "draft")
    theme = api.theme_add(org, draft["id"], code="LOCAL", title="Local jobs")
    outcome = api.outcome_add(org, draft["id"], theme_code="LOCAL", code="LOCAL.1", title="People from here employed")
    measure = api.measure_add(
        org, draft["id"], outcome_code="LOCAL.1", code="LOCAL.1.1", title="Local hires", unit="count"
    )
    assert [theme["code"], outcome["code"], measure["code"]] == ["LOCAL", "LOCAL.1", "LOCAL.1.1"]
    reworded = api.measure_update(org, measure["id"], title="Local people hired", unit="count")
    assert (reworded["code"], reworded["title"]) == ("LOCAL.1.1", "Local people hired")
    assert api.theme_update(org, theme["id"], title="Good local jobs")["title"] == "Good local jobs"
    renamed = api.outcome_update(org, outcome["id"], title="More local people employed", theme_code="LOCAL")
    assert (renamed["code"], renamed["title"]) == ("LOCAL.1", "More local people employed")
    with pytest.raises(ApiError) as nowhere:
        api.outcome_update(org, outcome["id"], title="Moved", theme_code="NOPE")
    assert (nowhere.value.status, nowhere.value.errors["theme_code"]) == (
        400,
        "The version has no theme with the code NOPE",
    )
    copied = Theme.objects.filter(version_id=draft["id"]).exclude(code="LOCAL").order_by("position").first()
    assert copied is not None
    api.item_remove(org, "theme", copied.pk)
    with pytest.raises(ValueError):
        api.item_remove(org, "framework", 1)

    published = api.version_publish(org, draft["id"], notes="Adds local hiring")
    assert (published["status"], published["notes"]) == ("published", "Adds local hiring")
    local = next(node for node in published["themes"] if node["code"] == "LOCAL")
    assert (local["title"], local["outcomes"][0]["title"]) == ("Good local jobs", "More local people employed")
    assert local["outcomes"][0]["measures"][0]["title"] == "Local people hired"
    assert copied.code not in {node["code"] for node in published["themes"]}
    # Create, draft, three additions, three changes, a removal and publishing: one audit event each (the
    # refused move wrote none).
    assert AuditEvent.objects.count() == events + 10

    listed = {row["code"]: row for row in api.list_all(f"organisations/{org}/frameworks/", code="local")}
    assert [version["number"] for version in listed["local"]["versions"]] == [2, 1]

    exported = api.version_export(org, published["id"], "yaml")
    document = yaml.safe_load(exported)
    assert document["code"] == "local" and any(theme["code"] == "LOCAL" for theme in document["themes"])
    # Importing the export again changes nothing: the same version, 200.
    again = api.framework_import(org, exported, "local.yaml")
    assert again["id"] == published["id"]
    assert FrameworkVersion.objects.filter(framework=framework).count() == 2


def test_import_and_fork_make_new_frameworks_and_a_bad_file_is_refused_with_its_lines(
    tenant: Tenant, api: Client
) -> None:
    org = tenant.buyer.slug
    imported = api.framework_import(org, STARTER_FRAMEWORK.read_bytes(), "starter.yaml", code="imported")
    assert (imported["framework"], imported["number"]) == ("imported", 1)
    fork = api.framework_fork(org, imported["id"], code="forked", title="Forked framework")
    assert (fork["framework"], fork["framework_title"], fork["status"]) == ("forked", "Forked framework", "published")
    assert "Forked from" in fork["notes"]
    frameworks = Framework.objects.filter(organisation=tenant.buyer).count()
    with pytest.raises(ApiError) as refused:
        api.framework_import(org, b"code: bad\nthemes: nope\n", "bad.yaml", code="bad")
    assert refused.value.status == 400 and "line" in refused.value.detail
    assert "file" in refused.value.errors
    with pytest.raises(ApiError) as taken:
        api.framework_fork(org, imported["id"], code="forked", title="Again")
    assert taken.value.errors["code"].startswith("Your organisation already has a framework with the code")
    assert Framework.objects.filter(organisation=tenant.buyer).count() == frameworks


def test_a_published_version_cannot_be_added_to_and_a_supplier_cannot_manage_frameworks(
    tenant: Tenant, api: Client, client: DjangoClient
) -> None:
    org = tenant.buyer.slug
    version = tenant.agreement.framework_version
    with pytest.raises(ApiError) as published:
        api.theme_add(org, version.pk, code="NEW", title="New theme")
    assert published.value.status == 400
    supplier = Client(
        "http://testserver", factories.api_token(tenant.supplier_user).key, transport=django_transport(client)
    )
    with pytest.raises(ApiError) as refused:
        supplier.framework_create(tenant.supplier.slug, template="starter", code="x", title="X")
    assert refused.value.status == 404


def test_a_person_lists_creates_and_revokes_their_tokens_through_the_api(
    lead_once: tuple[Tenant, str, str], tenant: Tenant, api: Client, client: DjangoClient
) -> None:
    reads = lead_once[2]
    events = AuditEvent.objects.count()
    created = api.token_create(name="Nightly export", scope="read", lifetime_days=30)
    assert created["scope"] == "read" and created["key"].startswith(created["key_prefix"])
    stored = ApiToken.objects.get(pk=created["id"])
    assert stored.key_digest != created["key"] and stored.user == tenant.manager
    # The new key works, and it is listed (without its key) among the person's own tokens only.
    fresh = Client("http://testserver", created["key"], transport=django_transport(client))
    assert [organisation["slug"] for organisation in fresh.organisations()] == [tenant.buyer.slug]
    listed = {token["name"]: token for token in api.tokens()}
    assert "Nightly export" in listed and "key" not in listed["Nightly export"]
    assert set(ApiToken.objects.filter(pk__in=[t["id"] for t in listed.values()]).values_list("user", flat=True)) == {
        tenant.manager.pk
    }
    revoked = api.token_revoke(created["id"])
    assert revoked["revoked_at"] is not None and revoked["is_usable"] is False
    assert AuditEvent.objects.count() == events + 2
    with pytest.raises(ApiError) as stopped:
        fresh.organisations()
    assert stopped.value.status == 401

    # The token rules hold: a read-only token may not create one, a name is needed, and nobody revokes
    # another person's token.
    read_only = Client("http://testserver", reads, transport=django_transport(client))
    with pytest.raises(ApiError) as refused:
        read_only.token_create(name="Wider")
    assert refused.value.status == 403
    with pytest.raises(ApiError) as nameless:
        api.token_create(name=" ", lifetime_days=7)
    assert set(nameless.value.errors) == {"name", "lifetime_days"}
    theirs = factories.api_token(tenant.supplier_user)
    with pytest.raises(ApiError) as hidden:
        api.token_revoke(theirs.token.pk)
    assert hidden.value.status == 404
    assert ApiToken.objects.get(pk=theirs.token.pk).revoked_at is None


def test_many_agreements_are_created_at_once_or_none_with_every_problem_named(tenant: Tenant, api: Client) -> None:
    org = tenant.buyer.slug

    def row(reference: str, supplier: str | None = None) -> dict[str, Any]:
        return {
            "reference": reference,
            "title": f"Agreement {reference}",
            "supplier": supplier or tenant.supplier.slug,
            "value": "120000.50",
            "start_date": "2026-04-01",
            "end_date": "2028-03-31",
            "framework_version": tenant.agreement.framework_version_id,
        }

    agreements, events = Agreement.objects.count(), AuditEvent.objects.count()
    created = api.agreements_create(org, [row("BULK-1"), row("BULK-2")])
    assert [agreement["reference"] for agreement in created] == ["BULK-1", "BULK-2"]
    assert Agreement.objects.get(reference="BULK-1").value == Decimal("120000.50")
    assert Agreement.objects.count() == agreements + 2 and AuditEvent.objects.count() == events + 2

    with pytest.raises(ApiError) as refused:
        api.agreements_create(org, [row("BULK-3"), row("BULK-4", supplier="nobody"), {"reference": "BULK-5"}])
    assert refused.value.status == 400
    assert refused.value.detail == "2 of the 3 agreements have problems: nothing was created."
    assert refused.value.errors["1.supplier"] == "No supplier or community organisation has the short name “nobody”"
    assert "2.title" in refused.value.errors and not any(key.startswith("0.") for key in refused.value.errors)
    assert not Agreement.objects.filter(reference__startswith="BULK-3").exists()
    assert Agreement.objects.count() == agreements + 2


def test_a_lead_adds_people_with_roles_and_removes_them_but_never_the_last_lead(
    tenant: Tenant, api: Client, client: DjangoClient, django_capture_on_commit_callbacks: Any
) -> None:
    org = tenant.buyer.slug
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        added = api.member_add(org, email="Sam@Northfield.example", full_name="Sam  Patel", role="evaluator")
    assert (added["email"], added["full_name"], added["role"]) == ("sam@northfield.example", "Sam Patel", "evaluator")
    sam = User.objects.get(email="sam@northfield.example")
    assert not sam.has_usable_password()
    # The invitation: a new account is sent a link that chooses its password (once), and it works.
    (invitation,) = mail.outbox
    assert invitation.to == ["sam@northfield.example"]
    assert invitation.subject == f"Commonweal: you have been added to {tenant.buyer.name}"
    assert f"You have been added to {tenant.buyer.name} as evaluator." in invitation.body
    link = next(line for line in invitation.body.splitlines() if "/account/password-reset/" in line)
    chosen = client.get(urlsplit(link).path, follow=True)
    assert chosen.status_code == 200 and b"new_password1" in chosen.content
    with django_capture_on_commit_callbacks(execute=True):
        existing = api.member_add(org, email=tenant.supplier_user.email, role="viewer")
    assert existing["full_name"] == tenant.supplier_user.full_name
    assert "Sign in as usual" in mail.outbox[1].body and "password-reset" not in mail.outbox[1].body
    assert {(row["email"], row["role"]) for row in api.members(org)} >= {
        ("sam@northfield.example", "evaluator"),
        (tenant.supplier_user.email, "viewer"),
        (tenant.manager.email, "social_value_lead"),
    }
    api.member_remove(org, added["id"])
    assert not Membership.objects.filter(pk=added["id"]).exists() and User.objects.filter(pk=sam.pk).exists()
    assert AuditEvent.objects.count() == events + 3

    with pytest.raises(ApiError) as twice:
        api.member_add(org, email=tenant.supplier_user.email, role="viewer")
    assert twice.value.errors["role"].endswith("already has this role here")
    with pytest.raises(ApiError) as wrong_role:
        api.member_add(org, email="x@example.org", full_name="X", role="supplier_contact")
    assert wrong_role.value.errors["role"].startswith("Choose a role this organisation has")
    with pytest.raises(ApiError) as nameless:
        api.member_add(org, email="new@example.org", role="viewer")
    assert set(nameless.value.errors) == {"full_name"}
    lead = Membership.objects.get(user=tenant.manager, organisation=tenant.buyer, role="social_value_lead")
    with pytest.raises(ApiError) as last:
        api.member_remove(org, lead.pk)
    assert last.value.detail.startswith("This is the organisation's last lead")
    # A contract manager who is not a lead may read the people but not change them (404).
    manager = factories.member_user(tenant.buyer, Role.CONTRACT_MANAGER)
    other = Client("http://testserver", factories.api_token(manager).key, transport=django_transport(client))
    assert len(other.members(org)) >= 3
    with pytest.raises(ApiError) as refused:
        other.member_add(org, email="y@example.org", full_name="Y", role="viewer")
    assert refused.value.status == 404
