"""Isolation registrations for the public hub: the lead's pages (commonweal/reporting/urls_public.py) and
the public pages (commonweal/reporting/public_urls.py, no sign-in, only what a publication holds).

Each tenant gets a page of "what we ask", a story with both consents, and a second consented case study
that is not yet a story (for offering one). Neither hub is published in the world: the manager (the
tenant's social value lead) publishes in the POST cases, and the public pages' own tests publish."""

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from commonweal.delivery.models import CaseStudy, ReturnState
from commonweal.reporting import services_public
from commonweal.reporting.models import PublicPage, Story
from tests.conftest import Tenant

PK_MODELS: dict[str, type[Model]] = {
    "reporting:hub-page-edit": PublicPage,
    "reporting:hub-page-remove": PublicPage,
    "reporting:hub-story-take-down": Story,
}

ADMIN_ROUTES = [
    "hub-admin",
    "hub-page-create",
    "hub-page-edit",
    "hub-page-remove",
    "hub-story-create",
    "hub-story-take-down",
]

# A supplier holds no role in a public body's hub: its own slug gets a 404.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {f"reporting:{name}": {"supplier": 404} for name in ADMIN_ROUTES}
OWNER_POST: dict[str, tuple[str, int]] = {f"reporting:{name}": ("manager", 302) for name in ADMIN_ROUTES}

PUBLIC_ROUTES = [
    "home",
    "ask",
    "page",
    "promised",
    "delivered",
    "where",
    "stories",
    "story",
    "story-image",
    "reports",
    "report",
    "performance",
    "data",
    "csv",
    "json",
    "ocds",
    "performance-notices",
    "feed",
]
# Public by design, and a 404 until the organisation publishes: see test_an_unpublished_hub_is_a_404_for_everyone
# and test_a_published_hub_shows_only_its_own_organisation in tests/test_tenant_isolation.py.
NOT_TENANT_SCOPED: dict[str, str] = {
    f"hub:{name}": "an organisation's published public hub, for anyone (only its latest publication)"
    for name in PUBLIC_ROUTES
}

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
A_PAGE_TITLE = "Tenant A guidance for suppliers"
A_STORY = "Tenant A story of a local apprentice"
LEAK_MARKERS = [A_PAGE_TITLE, A_STORY]


def _objects(tenant: Tenant, label: str) -> dict[Any, int]:
    lead = tenant.manager_member()
    page = services_public.page_save(
        actor=tenant.manager,
        member=lead,
        kind="guidance",
        slug="guidance",
        title=f"{label} guidance for suppliers",
        summary=f"{label} summary.",
        body=f"{label} text of the guidance.",
        ready=True,
    )
    submitted = tenant.agreement.returns.filter(state=ReturnState.SUBMITTED).order_by("pk").first()
    assert submitted is not None
    cases = [
        CaseStudy.objects.create(
            organisation=tenant.buyer,
            delivery_return=submitted,
            commitment=tenant.commitments[0],
            title=title,
            story="Told with consent.",
            consent_given_by="the apprentice",
            consent_date=date(2026, 3, 1),
        )
        for title in (f"{label} story of a local apprentice", f"{label} story not yet offered")
    ]
    story = services_public.story_create(
        actor=tenant.manager,
        member=lead,
        case_study=cases[0],
        supplier_consent_given_by="The supplier's director",
        supplier_consent_date=date(2026, 3, 2),
        image=SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
        image_alt=f"{label} apprentice at work",
    )
    return {PublicPage: page.pk, Story: story.pk}


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    objects = _objects(a, "Tenant A")
    _objects(b, "Tenant B")
    return objects


def post_data(tenant: Tenant) -> dict[str, Any]:
    """A page (with a free address), a story of the case study not yet offered, and a reason to take one down."""
    free = CaseStudy.objects.filter(
        organisation=tenant.buyer, public_story__isnull=True, title__endswith="not yet offered"
    )
    return {
        "page-title": "A new page",
        "page-slug": "a-new-page",
        "page-kind": "policy",
        "page-summary": "What the page is for.",
        "page-body": "Words.",
        "page-position": "1",
        "story-case_study": free.values_list("pk", flat=True).first() or "",
        "story-supplier_consent_given_by": "The supplier's director",
        "story-supplier_consent_date_day": "2",
        "story-supplier_consent_date_month": "3",
        "story-supplier_consent_date_year": "2026",
        "take-down-reason": "The participant asked us to.",
    }
