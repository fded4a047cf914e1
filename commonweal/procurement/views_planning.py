"""Pages for planning a procurement: the list, the procurement page, its details and timetable, lots,
the ask, the impact assessment, criteria, scoring scales, publishing and cancelling.

The buyer's people read; only procurement officers and social value leads (`can_plan_procurements`)
change anything. For a supplier, and for another organisation, every page here is a 404.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import uk_datetime
from commonweal.frameworks.forms_priorities import AskAdjustForm
from commonweal.frameworks.proportionality import ask_adjust
from commonweal.frameworks.selectors_priorities import priority_outcome_list
from commonweal.tenancy.selectors import Member, member_access

from . import selectors_planning as selectors
from . import services_planning as services
from .forms_planning import CancelForm, CriterionForm, ImpactForm, LotForm, ProcurementForm, PublishForm, ScaleForm
from .models import Procurement, ProcurementState


def _reader(request: HttpRequest, org: str) -> Member:
    member = member_access(user=request.user, slug=org)
    selectors.buyer_required(member)
    return member


def _planner(request: HttpRequest, org: str) -> Member:
    member = _reader(request, org)
    if not member.can_plan_procurements:
        raise Http404("Only procurement officers and social value leads plan procurements.")
    return member


def _form_page(request: HttpRequest, member: Member, form: Any, **context: Any) -> HttpResponse:
    return render(request, "procurement/planning/form.html", {"member": member, "form": form, **context})


def _frozen_note(procurement: Procurement) -> str:
    if procurement.state == ProcurementState.DRAFT:
        return ""
    if procurement.state == ProcurementState.CANCELLED:
        return "This procurement is cancelled: it cannot change."
    return services.FROZEN


def _to_detail(org: str, procurement: Procurement, anchor: str = "") -> HttpResponse:
    response = redirect("procurement:procurement-detail", org=org, pk=procurement.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# --- Procurements ------------------------------------------------------------------------------------


@login_required
@require_GET
def procurement_list(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    procurements = [
        (procurement, uk_datetime(procurement.tender_deadline))
        for procurement in selectors.procurement_list(member=member)
    ]
    return render(
        request, "procurement/planning/procurement_list.html", {"member": member, "procurements": procurements}
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_create(request: HttpRequest, org: str) -> HttpResponse:
    member = _planner(request, org)
    form = ProcurementForm(request.POST or None, member=member, prefix="plan")
    if request.method == "POST" and form.is_valid():
        try:
            procurement = services.procurement_create(actor=request.user, member=member, data=form.procurement_input())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            if procurement.ask.get("fitted"):
                messages.success(
                    request,
                    f"The procurement {procurement.reference} has been created with the ask your policy proposes "
                    "and a starting evaluation model.",
                )
            else:
                messages.success(
                    request,
                    f"The procurement {procurement.reference} has been created. No policy band fitted it, so the "
                    "model defaults apply: a 10% minimum social value weighting and quantified commitments.",
                )
            return _to_detail(org, procurement)
    return render(
        request,
        "procurement/planning/procurement_form.html",
        {"member": member, "form": form, "heading": "Plan a procurement", "button": "Create the procurement"},
    )


@login_required
@require_GET
def procurement_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _reader(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    return render(
        request,
        "procurement/planning/procurement_detail.html",
        selectors.detail_context(member=member, procurement=procurement),
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = ProcurementForm(
        request.POST or None, member=member, prefix="plan", initial=ProcurementForm.initial_for(procurement)
    )
    if request.method == "POST" and form.is_valid():
        try:
            reproposed = services.procurement_update(
                actor=request.user, member=member, procurement=procurement, data=form.procurement_input()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            message = f"The procurement {form.cleaned_data['reference']} has been saved."
            if reproposed:
                message += " Its value, category, duration or description changed, so the ask was proposed again."
            messages.success(request, message)
            return _to_detail(org, procurement)
    return render(
        request,
        "procurement/planning/procurement_form.html",
        {
            "member": member,
            "form": form,
            "procurement": procurement,
            "frozen": _frozen_note(procurement),
            "heading": "Change the procurement",
            "button": "Save the procurement",
        },
    )


# --- The ask -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def procurement_ask(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    view = selectors.ask_view(procurement)
    form: AskAdjustForm | None = None
    if view.fitted:
        proposal = services.ask_from_dict(procurement.ask["proposal"])
        choices = priority_outcome_list(member=member)
        initial = None
        adjusted = procurement.ask.get("adjusted")
        if adjusted:
            reasons = {f"{change['part']}_reason": change["reason"] for change in procurement.ask.get("changes", [])}
            initial = {
                "weighting": adjusted["min_weighting_percent"],
                "outcomes": [f"{row['framework']}:{row['code']}" for row in adjusted["outcomes"]],
                "offer": adjusted["offer_kind"],
                "delivery_plan": "yes" if adjusted["delivery_plan_required"] else "no",
                "reporting": adjusted["reporting_frequency"],
                **reasons,
            }
        kwargs: dict[str, Any] = {"initial": initial} if initial else {}
        form = AskAdjustForm(request.POST or None, proposal=proposal, choices=choices, prefix="plan_ask", **kwargs)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = ask_adjust(
                    proposal=proposal,
                    min_weighting_percent=data["weighting"],
                    outcome_keys=data["outcomes"],
                    offer_kind=data["offer"],
                    delivery_plan_required=data["delivery_plan"],
                    reporting_frequency=data["reporting"],
                    reasons=form.reasons(),
                    outcome_choices=form.choices,
                )
                services.ask_save(actor=request.user, procurement=procurement, adjusted=result)
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, "The social value ask has been saved, with your reasons.")
                return _to_detail(org, procurement, "ask")
    elif request.method == "POST":
        raise Http404("There is no proposal to change.")
    return render(
        request,
        "procurement/planning/ask.html",
        {
            "member": member,
            "procurement": procurement,
            "ask": view,
            "form": form,
            "frozen": _frozen_note(procurement),
        },
    )


# --- Lots --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lot_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = LotForm(request.POST or None, prefix="plan_lot")
    if request.method == "POST" and form.is_valid():
        try:
            lot = services.lot_add(actor=request.user, procurement=procurement, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"Lot {lot.number} has been added.")
            return _to_detail(org, procurement, "lots")
    return _form_page(
        request,
        member,
        form,
        procurement=procurement,
        frozen=_frozen_note(procurement),
        heading="Add a lot",
        button="Add the lot",
    )


@login_required
@require_http_methods(["GET", "POST"])
def lot_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    lot = selectors.lot_get(member=member, pk=pk)
    form = LotForm(request.POST or None, prefix="plan_lot", initial=LotForm.initial_for(lot))
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_update(actor=request.user, lot=lot, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"Lot {lot.number} has been saved.")
            return _to_detail(org, lot.procurement, "lots")
    return _form_page(
        request,
        member,
        form,
        procurement=lot.procurement,
        frozen=_frozen_note(lot.procurement),
        heading=f"Change lot {lot.number}",
        button="Save the lot",
    )


def _remove_page(request: HttpRequest, member: Member, procurement: Procurement, **context: Any) -> HttpResponse:
    return render(
        request,
        "procurement/planning/remove.html",
        {"member": member, "procurement": procurement, "frozen": _frozen_note(procurement), **context},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lot_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    lot = selectors.lot_get(member=member, pk=pk)
    form = PublishForm(request.POST or None, prefix="plan_remove")
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_remove(actor=request.user, lot=lot)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"Lot {lot.number} has been removed.")
            return _to_detail(org, lot.procurement, "lots")
    return _remove_page(request, member, lot.procurement, form=form, heading=f"Remove lot {lot.number}: {lot.title}")


# --- The impact assessment ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def impact_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = ImpactForm(request.POST or None, prefix="plan_impact", outcomes=selectors.outcome_choices(procurement))
    if request.method == "POST" and form.is_valid():
        try:
            services.impact_add(actor=request.user, procurement=procurement, data=form.impact_input())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "The outcome has been added to the impact assessment.")
            return _to_detail(org, procurement, "impact")
    return _form_page(
        request,
        member,
        form,
        procurement=procurement,
        frozen=_frozen_note(procurement),
        heading="Assess the impact on an outcome",
        button="Add to the assessment",
        intro="For one outcome: the effects the planned spend is expected to have on the place and its residents, "
        "good and bad, and how the bad ones will be mitigated.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def impact_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    item = selectors.impact_get(member=member, pk=pk)
    form = ImpactForm(
        request.POST or None,
        prefix="plan_impact",
        outcomes=selectors.outcome_choices(item.procurement),
        initial=ImpactForm.initial_for(item),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.impact_update(actor=request.user, item=item, data=form.impact_input())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The assessment of {item.outcome_code} has been saved.")
            return _to_detail(org, item.procurement, "impact")
    return _form_page(
        request,
        member,
        form,
        procurement=item.procurement,
        frozen=_frozen_note(item.procurement),
        heading=f"Change the assessment of {item.outcome_code}",
        button="Save the assessment",
    )


@login_required
@require_http_methods(["GET", "POST"])
def impact_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    item = selectors.impact_get(member=member, pk=pk)
    form = PublishForm(request.POST or None, prefix="plan_remove")
    if request.method == "POST" and form.is_valid():
        try:
            services.impact_remove(actor=request.user, item=item)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The assessment of {item.outcome_code} has been removed.")
            return _to_detail(org, item.procurement, "impact")
    return _remove_page(
        request,
        member,
        item.procurement,
        form=form,
        heading=f"Remove the assessment of {item.outcome_code} {item.outcome_title}",
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
    member = _planner(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = _criterion_form(request, member, procurement)
    if request.method == "POST" and form.is_valid():
        try:
            criterion = services.criterion_add(actor=request.user, procurement=procurement, data=form.criterion_input())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The criterion {criterion.code} has been added.")
            return _to_detail(org, procurement, "criteria")
    return _form_page(
        request,
        member,
        form,
        procurement=procurement,
        frozen=_frozen_note(procurement),
        heading="Add a criterion",
        button="Add the criterion",
        intro="Weights are per cent of the total score: together they must come to 100%, with social value at "
        "least the ask’s minimum.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    criterion = selectors.criterion_get(member=member, pk=pk)
    form = _criterion_form(request, member, criterion.procurement, initial=CriterionForm.initial_for(criterion))
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(actor=request.user, criterion=criterion, data=form.criterion_input())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The criterion {criterion.code} has been saved.")
            return _to_detail(org, criterion.procurement, "criteria")
    return _form_page(
        request,
        member,
        form,
        procurement=criterion.procurement,
        frozen=_frozen_note(criterion.procurement),
        heading=f"Change the criterion {criterion.code}",
        button="Save the criterion",
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    criterion = selectors.criterion_get(member=member, pk=pk)
    form = PublishForm(request.POST or None, prefix="plan_remove")
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_remove(actor=request.user, criterion=criterion)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The criterion {criterion.code} has been removed.")
            return _to_detail(org, criterion.procurement, "criteria")
    return _remove_page(
        request,
        member,
        criterion.procurement,
        form=form,
        heading=f"Remove the criterion {criterion.code} {criterion.title}",
    )


# --- Publishing and cancelling -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def procurement_publish(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = PublishForm(request.POST or None, prefix="plan_publish")
    if request.method == "POST" and form.is_valid():
        try:
            services.procurement_publish(actor=request.user, procurement=procurement)
        except ApplicationError as error:
            for text in error.field_errors.values() or [error.message]:
                form.add_error(None, text)
        else:
            messages.success(request, f"The procurement {procurement.reference} is published.")
            return _to_detail(org, procurement)
    try:
        problems = services.publish_problems(procurement)
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
    member = _planner(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    form = CancelForm(request.POST or None, prefix="plan_cancel")
    if request.method == "POST" and form.is_valid():
        try:
            services.procurement_cancel(actor=request.user, procurement=procurement, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The procurement {procurement.reference} is cancelled.")
            return _to_detail(org, procurement)
    return _form_page(
        request,
        member,
        form,
        procurement=procurement,
        heading=f"Cancel {procurement.reference}",
        button="Cancel the procurement",
        warning=True,
        intro="Cancelling cannot be undone. The reason is kept in the procurement’s history.",
    )


# --- Scoring scales ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def scale_list(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    if request.method == "POST":
        if not member.can_plan_procurements:
            raise Http404("Only procurement officers and social value leads add scales.")
        created = services.scales_ensure(member.organisation, actor=request.user)
        messages.success(
            request,
            f"{len(created)} standard scale{'s' if len(created) != 1 else ''} added."
            if created
            else "You have every standard scale already.",
        )
        return redirect("procurement:procurement-scale-list", org=org)
    scales = list(selectors.scale_list(member=member))
    shipped = {data["code"] for data in services.shipped_scales()}
    missing = shipped - {scale.code for scale in scales}
    return render(
        request,
        "procurement/planning/scale_list.html",
        {"member": member, "scales": scales, "missing": sorted(missing)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scale_create(request: HttpRequest, org: str) -> HttpResponse:
    member = _planner(request, org)
    form = ScaleForm(request.POST or None, prefix="plan_scale")
    if request.method == "POST" and form.is_valid():
        try:
            scale = services.scale_create(
                actor=request.user,
                organisation=member.organisation,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                source=form.cleaned_data["source"],
                levels_text=form.cleaned_data["levels"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The scale {scale.title} has been created.")
            return redirect("procurement:procurement-scale-detail", org=org, pk=scale.pk)
    return _form_page(
        request,
        member,
        form,
        heading="Create a scoring scale",
        button="Create the scale",
        scales_page=True,
        intro="A scale cannot be changed once it is created, so a published methodology that uses it stays as "
        "bidders read it. To change one, create a new scale.",
    )


@login_required
@require_GET
def scale_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _reader(request, org)
    scale = selectors.scale_get(member=member, pk=pk)
    return render(
        request,
        "procurement/planning/scale_detail.html",
        {"member": member, "scale": scale, "levels": list(scale.levels.order_by("score"))},
    )
