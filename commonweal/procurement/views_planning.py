"""Pages for planning a procurement: the list, the procurement page, its details and timetable, lots,
the ask, the impact assessment, criteria, scoring scales, publishing and cancelling.

The buyer's people read (`Permission.READ_PUBLIC_BODY`); only procurement officers and social value leads
change anything (`Permission.PLAN_PROCUREMENTS`). For a supplier, and for another organisation, every page
here is a 404.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import uk_datetime
from commonweal.frameworks.forms_priorities import AskAdjustForm
from commonweal.frameworks.proportionality import ask_adjust
from commonweal.frameworks.selectors_priorities import priority_outcome_list
from commonweal.frontend.listing import listing
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import selectors_planning as selectors
from . import services_planning as services
from .forms_planning import (
    CancelForm,
    CriterionForm,
    ImpactForm,
    LotForm,
    ProcurementFilters,
    ProcurementForm,
    PublishForm,
    ScaleForm,
)
from .models import Procurement, ProcurementState
from .rules import FROZEN, ask_from_dict, shipped_scales

FORM = "procurement/planning/form.html"
REMOVE = "procurement/planning/remove.html"


def _frozen_note(procurement: Procurement) -> str:
    if procurement.state == ProcurementState.DRAFT:
        return ""
    if procurement.state == ProcurementState.CANCELLED:
        return "This procurement is cancelled: it cannot change."
    return FROZEN


def _detail_url(org: str, procurement: Procurement, anchor: str = "") -> str:
    url = reverse("procurement:procurement-detail", kwargs={"org": org, "pk": procurement.pk})
    return f"{url}#{anchor}" if anchor else url


def _part_context(member: Member, procurement: Procurement, **context: Any) -> dict[str, Any]:
    """What the form and remove pages of a procurement's parts show besides the form."""
    return {"member": member, "procurement": procurement, "frozen": _frozen_note(procurement), **context}


# --- Procurements ------------------------------------------------------------------------------------


@login_required
@require_GET
def procurement_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    found = listing(request, ProcurementFilters, selectors.procurement_list(member=member), member=member)
    procurements = [(procurement, uk_datetime(procurement.tender_deadline)) for procurement in found.page.object_list]
    return render(
        request,
        "procurement/planning/procurement_list.html",
        {"member": member, "procurements": procurements, "listing": found},
    )


def _created_message(procurement: Procurement) -> str:
    if procurement.ask.get("fitted"):
        return (
            f"The procurement {procurement.reference} has been created with the ask your policy proposes "
            "and a starting evaluation model."
        )
    return (
        f"The procurement {procurement.reference} has been created. No policy band fitted it, so the "
        "model defaults apply: a 10% minimum social value weighting and quantified commitments."
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    form = ProcurementForm(request.POST or None, member=member, prefix="plan")
    return form_page(
        request,
        form,
        save=lambda: services.procurement_create(actor=member.user, member=member, data=form.procurement_input()),
        message=_created_message,
        success_url=lambda procurement: _detail_url(org, procurement),
        template="procurement/planning/procurement_form.html",
        context={"member": member, "heading": "Plan a procurement", "button": "Create the procurement"},
    )


@login_required
@require_GET
def procurement_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    procurement = selectors.procurement_get(member=member, pk=pk)
    return render(
        request,
        "procurement/planning/procurement_detail.html",
        selectors.detail_context(member=member, procurement=procurement),
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = ProcurementForm(
        request.POST or None, member=member, prefix="plan", initial=ProcurementForm.initial_for(procurement)
    )

    def message(reproposed: bool) -> str:
        text = f"The procurement {form.cleaned_data['reference']} has been saved."
        if reproposed:
            text += " Its value, category, duration or description changed, so the ask was proposed again."
        return text

    return form_page(
        request,
        form,
        save=lambda: services.procurement_update(
            actor=member.user, member=member, procurement=procurement, data=form.procurement_input()
        ),
        message=message,
        success_url=_detail_url(org, procurement),
        template="procurement/planning/procurement_form.html",
        context={
            "member": member,
            "procurement": procurement,
            "frozen": _frozen_note(procurement),
            "heading": "Change the procurement",
            "button": "Save the procurement",
        },
    )


# --- The ask -----------------------------------------------------------------------------------------


def _ask_initial(procurement: Procurement) -> dict[str, Any] | None:
    """The officer's earlier adjustment of the proposal, as the form's starting values."""
    adjusted = procurement.ask.get("adjusted")
    if not adjusted:
        return None
    reasons = {f"{change['part']}_reason": change["reason"] for change in procurement.ask.get("changes", [])}
    return {
        "weighting": adjusted["min_weighting_percent"],
        "outcomes": [f"{row['framework']}:{row['code']}" for row in adjusted["outcomes"]],
        "offer": adjusted["offer_kind"],
        "delivery_plan": "yes" if adjusted["delivery_plan_required"] else "no",
        "reporting": adjusted["reporting_frequency"],
        **reasons,
    }


@login_required
@require_http_methods(["GET", "POST"])
def procurement_ask(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors.procurement_get(member=member, pk=pk)
    view = selectors.ask_view(procurement)
    context = {"member": member, "procurement": procurement, "ask": view, "frozen": _frozen_note(procurement)}
    if not view.fitted:
        if request.method == "POST":
            raise Http404("There is no proposal to change.")
        return render(request, "procurement/planning/ask.html", {**context, "form": None})
    proposal = ask_from_dict(procurement.ask["proposal"])
    initial = _ask_initial(procurement)
    kwargs: dict[str, Any] = {"initial": initial} if initial else {}
    form = AskAdjustForm(
        request.POST or None,
        proposal=proposal,
        choices=priority_outcome_list(member=member),
        prefix="plan_ask",
        **kwargs,
    )

    def save() -> Procurement:
        data = form.cleaned_data
        adjusted = ask_adjust(
            proposal=proposal,
            min_weighting_percent=data["weighting"],
            outcome_keys=data["outcomes"],
            offer_kind=data["offer"],
            delivery_plan_required=data["delivery_plan"],
            reporting_frequency=data["reporting"],
            reasons=form.reasons(),
            outcome_choices=form.choices,
        )
        return services.ask_save(actor=member.user, member=member, procurement=procurement, adjusted=adjusted)

    return form_page(
        request,
        form,
        save=save,
        message="The social value ask has been saved, with your reasons.",
        success_url=_detail_url(org, procurement, "ask"),
        template="procurement/planning/ask.html",
        context=context,
    )


# --- Lots --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lot_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = LotForm(request.POST or None, prefix="plan_lot")
    return form_page(
        request,
        form,
        save=lambda: services.lot_add(actor=member.user, member=member, procurement=procurement, **form.cleaned_data),
        message=lambda lot: f"Lot {lot.number} has been added.",
        success_url=_detail_url(org, procurement, "lots"),
        template=FORM,
        context=_part_context(member, procurement, heading="Add a lot", button="Add the lot"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def lot_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    lot = selectors.lot_get(member=member, pk=pk)
    form = LotForm(request.POST or None, prefix="plan_lot", initial=LotForm.initial_for(lot))
    return form_page(
        request,
        form,
        save=lambda: services.lot_update(actor=member.user, member=member, lot=lot, **form.cleaned_data),
        message=f"Lot {lot.number} has been saved.",
        success_url=_detail_url(org, lot.procurement, "lots"),
        template=FORM,
        context=_part_context(member, lot.procurement, heading=f"Change lot {lot.number}", button="Save the lot"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def lot_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    lot = selectors.lot_get(member=member, pk=pk)
    return form_page(
        request,
        PublishForm(request.POST or None, prefix="plan_remove"),
        save=lambda: services.lot_remove(actor=member.user, member=member, lot=lot),
        message=f"Lot {lot.number} has been removed.",
        success_url=_detail_url(org, lot.procurement, "lots"),
        template=REMOVE,
        context=_part_context(member, lot.procurement, heading=f"Remove lot {lot.number}: {lot.title}"),
    )


# --- The impact assessment ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def impact_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = ImpactForm(request.POST or None, prefix="plan_impact", outcomes=selectors.outcome_choices(procurement))
    return form_page(
        request,
        form,
        save=lambda: services.impact_add(
            actor=member.user, member=member, procurement=procurement, data=form.impact_input()
        ),
        message="The outcome has been added to the impact assessment.",
        success_url=_detail_url(org, procurement, "impact"),
        template=FORM,
        context=_part_context(
            member,
            procurement,
            heading="Assess the impact on an outcome",
            button="Add to the assessment",
            intro="For one outcome: the effects the planned spend is expected to have on the place and its "
            "residents, good and bad, and how the bad ones will be mitigated.",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def impact_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    item = selectors.impact_get(member=member, pk=pk)
    form = ImpactForm(
        request.POST or None,
        prefix="plan_impact",
        outcomes=selectors.outcome_choices(item.procurement),
        initial=ImpactForm.initial_for(item),
    )
    return form_page(
        request,
        form,
        save=lambda: services.impact_update(actor=member.user, member=member, item=item, data=form.impact_input()),
        message=f"The assessment of {item.outcome_code} has been saved.",
        success_url=_detail_url(org, item.procurement, "impact"),
        template=FORM,
        context=_part_context(
            member,
            item.procurement,
            heading=f"Change the assessment of {item.outcome_code}",
            button="Save the assessment",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def impact_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    item = selectors.impact_get(member=member, pk=pk)
    return form_page(
        request,
        PublishForm(request.POST or None, prefix="plan_remove"),
        save=lambda: services.impact_remove(actor=member.user, member=member, item=item),
        message=f"The assessment of {item.outcome_code} has been removed.",
        success_url=_detail_url(org, item.procurement, "impact"),
        template=REMOVE,
        context=_part_context(
            member,
            item.procurement,
            heading=f"Remove the assessment of {item.outcome_code} {item.outcome_title}",
        ),
    )


# --- Criteria ----------------------------------------------------------------------------------------


def _criterion_form(request: HttpRequest, member: Member, procurement: Procurement, **kwargs: Any) -> CriterionForm:
    return CriterionForm(
        request.POST or None,
        prefix="plan_criterion",
        scales=selectors.scale_list(member=member),
        outcomes=selectors.outcome_choices(procurement),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = _criterion_form(request, member, procurement)
    return form_page(
        request,
        form,
        save=lambda: services.criterion_add(
            actor=member.user, member=member, procurement=procurement, data=form.criterion_input()
        ),
        message=lambda criterion: f"The criterion {criterion.code} has been added.",
        success_url=_detail_url(org, procurement, "criteria"),
        template=FORM,
        context=_part_context(
            member,
            procurement,
            heading="Add a criterion",
            button="Add the criterion",
            intro="Weights are per cent of the total score: together they must come to 100%, with social value "
            "at least the ask’s minimum.",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    criterion = selectors.criterion_get(member=member, pk=pk)
    form = _criterion_form(request, member, criterion.procurement, initial=CriterionForm.initial_for(criterion))
    return form_page(
        request,
        form,
        save=lambda: services.criterion_update(
            actor=member.user, member=member, criterion=criterion, data=form.criterion_input()
        ),
        message=f"The criterion {criterion.code} has been saved.",
        success_url=_detail_url(org, criterion.procurement, "criteria"),
        template=FORM,
        context=_part_context(
            member, criterion.procurement, heading=f"Change the criterion {criterion.code}", button="Save the criterion"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    criterion = selectors.criterion_get(member=member, pk=pk)
    return form_page(
        request,
        PublishForm(request.POST or None, prefix="plan_remove"),
        save=lambda: services.criterion_remove(actor=member.user, member=member, criterion=criterion),
        message=f"The criterion {criterion.code} has been removed.",
        success_url=_detail_url(org, criterion.procurement, "criteria"),
        template=REMOVE,
        context=_part_context(
            member, criterion.procurement, heading=f"Remove the criterion {criterion.code} {criterion.title}"
        ),
    )


# --- Publishing and cancelling -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def procurement_publish(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = PublishForm(request.POST or None, prefix="plan_publish")
    if request.method == "POST" and form.is_valid():
        try:
            services.procurement_publish(actor=member.user, member=member, procurement=procurement)
        except ApplicationError as error:
            # Every problem on its own line of the error summary, not only the refusal's headline.
            for text in error.field_errors.values() or [error.message]:
                form.add_error(None, text)
        else:
            messages.success(request, f"The procurement {procurement.reference} is published.")
            return redirect(_detail_url(org, procurement))
    try:
        problems = selectors.publish_problems(procurement)
    except NotImplementedError:
        problems = ["The weights cannot be checked yet, so the procurement cannot be published."]
    return render(
        request,
        "procurement/planning/publish.html",
        {"member": member, "procurement": procurement, "form": form, "problems": problems},
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_cancel(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = CancelForm(request.POST or None, prefix="plan_cancel")
    return form_page(
        request,
        form,
        save=lambda: services.procurement_cancel(
            actor=member.user, member=member, procurement=procurement, reason=form.cleaned_data["reason"]
        ),
        message=f"The procurement {procurement.reference} is cancelled.",
        success_url=_detail_url(org, procurement),
        template=FORM,
        context={
            "member": member,
            "procurement": procurement,
            "heading": f"Cancel {procurement.reference}",
            "button": "Cancel the procurement",
            "warning": True,
            "intro": "Cancelling cannot be undone. The reason is kept in the procurement’s history.",
        },
    )


# --- Scoring scales ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def scale_list(request: HttpRequest, org: str) -> HttpResponse:
    """Every member of the buyer reads the scales; a planner may add the standard ones they lack (POST)."""
    permission = Permission.PLAN_PROCUREMENTS if request.method == "POST" else Permission.READ_PUBLIC_BODY
    member = member_require(user=request.user, slug=org, permission=permission)
    if request.method == "POST":
        created = services.scales_ensure(actor=member.user, member=member)
        messages.success(
            request,
            f"{len(created)} standard scale{'s' if len(created) != 1 else ''} added."
            if created
            else "You have every standard scale already.",
        )
        return redirect("procurement:procurement-scale-list", org=org)
    scales = list(selectors.scale_list(member=member))
    shipped = {data["code"] for data in shipped_scales()}
    missing = shipped - {scale.code for scale in scales}
    return render(
        request,
        "procurement/planning/scale_list.html",
        {"member": member, "scales": scales, "missing": sorted(missing)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scale_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    form = ScaleForm(request.POST or None, prefix="plan_scale")
    return form_page(
        request,
        form,
        save=lambda: services.scale_create(
            actor=member.user,
            member=member,
            code=form.cleaned_data["code"],
            title=form.cleaned_data["title"],
            source=form.cleaned_data["source"],
            levels_text=form.cleaned_data["levels"],
        ),
        message=lambda scale: f"The scale {scale.title} has been created.",
        success_url=lambda scale: reverse("procurement:procurement-scale-detail", kwargs={"org": org, "pk": scale.pk}),
        template=FORM,
        context={
            "member": member,
            "heading": "Create a scoring scale",
            "button": "Create the scale",
            "scales_page": True,
            "intro": "A scale cannot be changed once it is created, so a published methodology that uses it stays "
            "as bidders read it. To change one, create a new scale.",
        },
    )


@login_required
@require_GET
def scale_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    scale = selectors.scale_get(member=member, pk=pk)
    return render(
        request,
        "procurement/planning/scale_detail.html",
        {"member": member, "scale": scale, "levels": list(scale.levels.order_by("score"))},
    )
