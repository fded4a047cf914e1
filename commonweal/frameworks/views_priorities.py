"""Pages for local priorities, the proportionality policy, the proposed ask and the plan on a page.

Members of the organisation read; only those with Permission.MANAGE_FRAMEWORKS (a social value lead)
change anything. The plan on a page is public once published, as a web page and an A4 PDF.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonweal.core.errors import ApplicationError
from commonweal.core.pdf import html_to_pdf
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require

from . import selectors_priorities as selectors
from . import services_priorities as services
from .forms_priorities import (
    AskAdjustForm,
    AskForm,
    BandForm,
    FocusAreaForm,
    OutcomeWeightsForm,
    PlanPublicationForm,
    PriorityGroupForm,
)
from .models import PlanPublication
from .proportionality import ADJUSTABLE_PARTS, PART_TITLES, AdjustedAsk, Ask, AskChange, ask_adjust, ask_part_texts
from .selectors_versions import framework_get, framework_list


def _sending(request: HttpRequest) -> Permission | None:
    """What a page any member may read asks of whoever sends it: only a social value lead changes it."""
    return Permission.MANAGE_FRAMEWORKS if request.method == "POST" else None


@login_required
@require_GET
def priorities(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    weighted = {row.framework.pk: row for row in selectors.framework_priorities_list(member=member)}
    return render(
        request,
        "frameworks/priorities/overview.html",
        {
            "member": member,
            "frameworks": [(framework, weighted.get(framework.pk)) for framework in framework_list(member=member)],
            "focus_areas": selectors.focus_area_list(member=member),
            "priority_groups": selectors.priority_group_list(member=member),
            "policy": selectors.policy_get(member=member),
            "band_count": selectors.band_list(member=member).count(),
            "publication": selectors.plan_publication_get(member=member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_weights(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=_sending(request))
    framework = framework_get(member=member, pk=pk)
    rows = selectors.framework_outcome_weight_list(member=member, framework=framework)
    form = OutcomeWeightsForm(
        request.POST or None, rows=rows, consultations=selectors.consultation_choice_list(member=member)
    )
    return form_page(
        request,
        form,
        save=lambda: services.outcome_priorities_set(
            actor=member.user, member=member, framework=framework, weights=form.weights()
        ),
        message=f"The weights on {framework.title} have been saved.",
        success_url=reverse("frameworks:priorities", kwargs={"org": org}),
        template="frameworks/priorities/weights.html",
        context={
            "member": member,
            "framework": framework,
            "version": selectors.framework_version_latest_published(framework=framework),
            "rows": rows,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def focus_areas(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=_sending(request))
    form = FocusAreaForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.focus_area_create(
            actor=member.user,
            member=member,
            gss_code=form.cleaned_data["gss_code"],
            name=form.cleaned_data["name"],
            reason=form.cleaned_data["reason"],
        ),
        message=lambda area: f"{area.name} ({area.gss_code}) is now a focus area.",
        success_url=reverse("frameworks:focus-areas", kwargs={"org": org}),
        template="frameworks/priorities/focus_areas.html",
        context={"member": member, "focus_areas": selectors.focus_area_list(member=member)},
    )


@login_required
@require_POST
def focus_area_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    area = selectors.focus_area_get(member=member, pk=pk)
    services.focus_area_remove(actor=member.user, member=member, focus_area=area)
    messages.success(request, f"{area.name} is no longer a focus area.")
    return redirect("frameworks:focus-areas", org=org)


@login_required
@require_http_methods(["GET", "POST"])
def priority_groups(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=_sending(request))
    form = PriorityGroupForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.priority_group_create(
            actor=member.user,
            member=member,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        ),
        message=lambda group: f"{group.name} is now a priority group.",
        success_url=reverse("frameworks:priority-groups", kwargs={"org": org}),
        template="frameworks/priorities/groups.html",
        context={"member": member, "priority_groups": selectors.priority_group_list(member=member)},
    )


@login_required
@require_POST
def priority_group_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    group = selectors.priority_group_get(member=member, pk=pk)
    services.priority_group_remove(actor=member.user, member=member, priority_group=group)
    messages.success(request, f"{group.name} is no longer a priority group.")
    return redirect("frameworks:priority-groups", org=org)


@login_required
@require_GET
def policy(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    return render(
        request,
        "frameworks/priorities/policy.html",
        {
            "member": member,
            "policy": selectors.policy_get(member=member),
            "bands": selectors.band_row_list(member=member),
            "kpi_rule": selectors.kpi_rule_default(),
        },
    )


@login_required
@require_POST
def policy_load(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    had_bands = selectors.band_list(member=member).exists()
    services.policy_load_default(actor=member.user, member=member)
    if had_bands:
        messages.success(request, "Your policy already has bands, so nothing changed. Edit a band to change it.")
    else:
        messages.success(request, "The default proportionality policy has been loaded. Check each band.")
    return redirect("frameworks:policy", org=org)


@login_required
@require_http_methods(["GET", "POST"])
def band_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    band = selectors.band_get(member=member, pk=pk)
    form = BandForm(request.POST or None, band=band)
    return form_page(
        request,
        form,
        save=lambda: services.band_update(actor=member.user, member=member, band=band, **form.values()),
        message=lambda saved: f"Band “{saved.name}” has been saved.",
        success_url=reverse("frameworks:policy", kwargs={"org": org}),
        template="frameworks/priorities/band_form.html",
        context={"member": member, "band": band},
    )


@dataclass(frozen=True)
class AskRow:
    part: str
    title: str
    proposed: str
    reason: str
    adjustable: bool
    change: AskChange | None


def _ask_rows(proposal: Ask, adjusted: AdjustedAsk | None) -> list[AskRow]:
    texts = ask_part_texts(proposal)
    changes = {change.part: change for change in adjusted.changes} if adjusted else {}
    return [
        AskRow(
            part=part,
            title=PART_TITLES[part],
            proposed=texts[part],
            reason=reason,
            adjustable=part in ADJUSTABLE_PARTS,
            change=changes.get(part),
        )
        for part, reason in proposal.reasons
    ]


@login_required
@require_GET
def ask(request: HttpRequest, org: str) -> HttpResponse:
    """Propose the ask for a planned procurement, and let the officer adjust it. Nothing is stored:
    both forms are GET forms, so a proposal can be bookmarked and shared."""
    member = member_require(user=request.user, slug=org)
    context: dict[str, Any] = {"member": member}
    form = AskForm(request.GET or None)
    proposal: Ask | None = None
    adjusted: AdjustedAsk | None = None
    adjust_form: AskAdjustForm | None = None
    if request.GET and form.is_valid():
        try:
            proposal = selectors.ask_for(member=member, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
    if proposal is not None:
        choices = selectors.priority_outcome_list(member=member)
        adjusting = "adjust" in request.GET
        adjust_form = AskAdjustForm(request.GET if adjusting else None, proposal=proposal, choices=choices)
        if adjusting and adjust_form.is_valid():
            data = adjust_form.cleaned_data
            try:
                adjusted = ask_adjust(
                    proposal=proposal,
                    min_weighting_percent=data["weighting"],
                    outcome_keys=data["outcomes"],
                    offer_kind=data["offer"],
                    delivery_plan_required=data["delivery_plan"],
                    reporting_frequency=data["reporting"],
                    reasons=adjust_form.reasons(),
                    outcome_choices=adjust_form.choices,
                )
            except ApplicationError as error:
                adjust_form.add_application_error(error)
    context.update(
        {
            "ask_form": form,
            # The page title says “Error:” when the form the person last sent has a problem.
            "form": adjust_form if adjust_form is not None and adjust_form.is_bound else form,
            "proposal": proposal,
            "adjust_form": adjust_form,
            "adjusted": adjusted,
            "rows": _ask_rows(proposal, adjusted) if proposal else [],
        }
    )
    return render(request, "frameworks/priorities/ask.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_publication(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=_sending(request))
    publication = selectors.plan_publication_get(member=member)
    form = PlanPublicationForm(request.POST or None, initial={"summary": publication.summary if publication else ""})
    unpublishing = request.POST.get("action") == "unpublish"

    def save() -> PlanPublication:
        if unpublishing:
            return services.plan_unpublish(actor=member.user, member=member)
        return services.plan_publish(actor=member.user, member=member, summary=form.cleaned_data["summary"])

    return form_page(
        request,
        form,
        save=save,
        message="The plan on a page is no longer public." if unpublishing else "The plan on a page is published.",
        success_url=reverse("frameworks:plan-publication", kwargs={"org": org}),
        template="frameworks/priorities/plan_publication.html",
        context={"member": member, "publication": publication, "plan": selectors.plan_preview(member=member)},
    )


# --- Public pages ------------------------------------------------------------------------------------


@require_GET
def plan_public(request: HttpRequest, org: str) -> HttpResponse:
    plan = selectors.plan_public_get(slug=org)
    return render(request, "frameworks/plan/public.html", {"plan": plan})


def plan_pdf_render(plan: selectors.PlanOnAPage) -> bytes:
    """The plan on one A4 page, as a tagged PDF (core.pdf)."""
    return html_to_pdf(render_to_string("frameworks/plan/print.html", {"plan": plan}))


@require_GET
def plan_public_pdf(request: HttpRequest, org: str) -> HttpResponse:
    plan = selectors.plan_public_get(slug=org)
    response = HttpResponse(plan_pdf_render(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{plan.organisation.slug}-plan-on-a-page.pdf"'
    return response
