"""The public hub: the lead's pages under /o/<org>/hub/ (pages, stories, publishing), and the public pages
under /public/<org>/, which need no sign-in and read only the organisation's latest publication."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.models import AuditEvent
from commonweal.frontend.pages import form_page
from commonweal.procurement.ocds import package_json
from commonweal.tenancy.selectors import Member

from . import hub, selectors_public, services_public
from .access import page_member
from .forms_public import PageForm, PublishHubForm, StoryForm, TakeDownForm
from .forms_report import ConfirmForm
from .models import Publication, PublicPage, Story


def _hub_url(org: str) -> str:
    return reverse("reporting:hub-admin", kwargs={"org": org})


# --- The lead's pages ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hub_admin(request: HttpRequest, org: str) -> HttpResponse:
    member = page_member(request, org)
    form = PublishHubForm(request.POST or None, prefix="hub")
    withdrawing = request.POST.get("hub-action") == "withdraw"

    def save() -> Publication:
        note = form.cleaned_data["note"]
        if withdrawing:
            return services_public.hub_withdraw(actor=member.user, member=member, note=note)
        return services_public.hub_publish(actor=member.user, member=member, note=note)

    publications = list(selectors_public.publication_list(member=member)[:20])
    return form_page(
        request,
        form,
        save=save,
        message=lambda publication: (
            "The public hub is withdrawn."
            if publication.withdrawn
            else f"The public hub is published (publication {publication.number})."
        ),
        success_url=_hub_url(org),
        template="reporting/hub_admin/hub.html",
        context={
            "member": member,
            "publications": publications,
            "latest": publications[0] if publications else None,
            "pages": selectors_public.page_list(member=member),
            "stories": selectors_public.story_list(member=member),
            "candidates": selectors_public.story_candidate_list(member=member).count(),
            "audit_events": AuditEvent.objects.filter(
                organisation=member.organisation, action__in=["hub.published", "hub.withdrawn", "story.taken_down"]
            ).order_by("-created_at")[:20],
        },
    )


def _page_form_page(request: HttpRequest, org: str, page: PublicPage | None, member: Member) -> HttpResponse:
    initial = (
        {field: getattr(page, field) for field in services_public.PAGE_FIELDS}
        if page is not None
        else {"kind": "guidance", "position": 0}
    )
    form = PageForm(request.POST or None, initial=initial, prefix="page")
    return form_page(
        request,
        form,
        save=lambda: services_public.page_save(actor=member.user, member=member, page=page, **form.cleaned_data),
        message=lambda saved: (
            f"The page “{saved.title}” is saved. It is public once it is marked ready and the hub is published."
        ),
        success_url=_hub_url(org),
        template="reporting/hub_admin/page_form.html",
        context={"member": member, "page": page},
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_create(request: HttpRequest, org: str) -> HttpResponse:
    member = page_member(request, org)
    return _page_form_page(request, org, None, member)


@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    return _page_form_page(request, org, selectors_public.page_get(member=member, pk=pk), member)


@login_required
@require_http_methods(["GET", "POST"])
def page_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    page = selectors_public.page_get(member=member, pk=pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        save=lambda: services_public.page_remove(actor=member.user, member=member, page=page),
        message=f"The page “{page.title}” is removed.",
        success_url=_hub_url(org),
        template="reporting/hub_admin/page_remove.html",
        context={"member": member, "page": page},
    )


@login_required
@require_http_methods(["GET", "POST"])
def story_create(request: HttpRequest, org: str) -> HttpResponse:
    member = page_member(request, org)
    candidates = selectors_public.story_candidate_list(member=member)
    form = StoryForm(request.POST or None, request.FILES or None, case_studies=candidates, prefix="story")

    def save() -> Story:
        data = form.cleaned_data
        return services_public.story_create(
            actor=member.user,
            member=member,
            case_study=data["case_study"],
            supplier_consent_given_by=data["supplier_consent_given_by"],
            supplier_consent_date=data["supplier_consent_date"],
            image=data["image"],
            image_alt=data["image_alt"],
            video_url=data["video_url"],
        )

    return form_page(
        request,
        form,
        save=save,
        message="The story is ready. It is public once the hub is published.",
        success_url=_hub_url(org),
        template="reporting/hub_admin/story_form.html",
        context={"member": member, "candidates": candidates},
    )


@login_required
@require_http_methods(["GET", "POST"])
def story_take_down(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    story = selectors_public.story_get(member=member, pk=pk)
    form = TakeDownForm(request.POST or None, prefix="take-down")
    return form_page(
        request,
        form,
        save=lambda: services_public.story_take_down(
            actor=member.user, member=member, story=story, reason=form.cleaned_data["reason"]
        ),
        message=f"The story “{story}” is taken down.",
        success_url=_hub_url(org),
        template="reporting/hub_admin/story_take_down.html",
        context={"member": member, "story": story},
    )


# --- Public pages ----------------------------------------------------------------------------------------------


def _public(
    request: HttpRequest, org: str, template: str, more: Callable[[Any], dict[str, Any]] | None = None
) -> HttpResponse:
    """A page of the published hub; `more` adds what the page reads from the hub (a story, a page)."""
    the_hub = selectors_public.hub_get(slug=org)
    context = {"hub": the_hub, "data": the_hub.snapshot, "org": org, **(more(the_hub) if more else {})}
    return render(request, f"reporting/hub/{template}.html", context)


@require_GET
def hub_home(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "home")


@require_GET
def hub_ask(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "ask")


@require_GET
def hub_page(request: HttpRequest, org: str, slug: str) -> HttpResponse:
    return _public(request, org, "page", lambda the_hub: {"page": the_hub.page(slug)})


@require_GET
def hub_promised(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "promised")


@require_GET
def hub_delivered(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "delivered")


@require_GET
def hub_where(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "where")


@require_GET
def hub_stories(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "stories")


@require_GET
def hub_story(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _public(request, org, "story", lambda the_hub: {"story": the_hub.story(pk)})


@require_GET
def hub_story_image(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    the_hub = selectors_public.hub_get(slug=org)
    story = selectors_public.hub_story_image(hub_=the_hub, pk=pk)
    with story.image.open("rb") as file:
        content = file.read()
    kind = "image/png" if story.image.name.endswith(".png") else "image/jpeg"
    response = HttpResponse(content, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def hub_reports(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "reports")


@require_GET
def hub_report(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _public(
        request,
        org,
        "report",
        lambda the_hub: {
            "report": the_hub.report(pk),
            "view": selectors_public.hub_report_view(hub_=the_hub, pk=pk).with_charts(),
        },
    )


@require_GET
def hub_performance(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "performance")


@require_GET
def hub_data(request: HttpRequest, org: str) -> HttpResponse:
    return _public(request, org, "data")


def _attachment(content: str | bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def hub_csv(request: HttpRequest, org: str) -> HttpResponse:
    the_hub = selectors_public.hub_get(slug=org)
    return _attachment(hub.csv_text(the_hub.snapshot), "text/csv; charset=utf-8", f"{org}-social-value.csv")


@require_GET
def hub_json(request: HttpRequest, org: str) -> HttpResponse:
    the_hub = selectors_public.hub_get(slug=org)
    return _attachment(hub.public_json(the_hub.snapshot), "application/json; charset=utf-8", f"{org}-social-value.json")


def _absolute(request: HttpRequest, path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


@require_GET
def hub_ocds(request: HttpRequest, org: str) -> HttpResponse:
    the_hub = selectors_public.hub_get(slug=org)
    package = hub.ocds_package(
        the_hub.snapshot,
        uri=_absolute(request, reverse("hub:ocds", kwargs={"org": org})),
        published=the_hub.publication.published_at,
    )
    return _attachment(package_json(package), "application/json; charset=utf-8", f"{org}-ocds-implementation.json")


@require_GET
def hub_performance_notices(request: HttpRequest, org: str) -> JsonResponse:
    the_hub = selectors_public.hub_get(slug=org)
    return JsonResponse({"notices": hub.performance_notices(the_hub.snapshot)}, json_dumps_params={"indent": 2})


@require_GET
def hub_feed(request: HttpRequest, org: str) -> HttpResponse:
    the_hub = selectors_public.hub_get(slug=org)
    links = {
        "hub": _absolute(request, reverse("hub:home", kwargs={"org": org})),
        "feed": _absolute(request, reverse("hub:feed", kwargs={"org": org})),
        **{
            f"story-{story['id']}": _absolute(request, reverse("hub:story", kwargs={"org": org, "pk": story["id"]}))
            for story in the_hub.snapshot["stories"]
        },
        **{
            f"report-{report['id']}": _absolute(request, reverse("hub:report", kwargs={"org": org, "pk": report["id"]}))
            for report in the_hub.snapshot["reports"]
        },
    }
    return HttpResponse(
        hub.atom_feed(the_hub.snapshot, site_url=settings.SITE_URL, links=links),
        content_type="application/atom+xml; charset=utf-8",
    )
