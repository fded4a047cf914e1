"""Pages for the award, each bidder's assessment summary and the evaluation report (with their PDFs).

The award is the planners' (`Permission.PLAN_PROCUREMENTS`); the report is for the buyer's evaluating
people (`Permission.EVALUATE`); an assessment summary is for the buyer's people and the bidder it is
about (the selector decides which bids each may read). The award page only reads: the flags are recorded
by the award itself (`services_award.lot_award_make`), before it checks them."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.permissions import Permission, member_require

from . import selectors_award, services_award
from .forms_award import AwardForm
from .pdf import pdf_render


def _url(name: str, **kwargs: Any) -> str:
    """A link to another area's page, or none while that page does not exist."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _links(org: str, pk: int) -> dict[str, str]:
    return {
        "procurement_url": _url("procurement:procurement-detail", org=org, pk=pk),
        "declaration_url": _url("procurement:declaration", org=org, pk=pk),
        "evaluation_url": _url("procurement:evaluation", org=org, pk=pk),
    }


@login_required
@require_http_methods(["GET", "POST"])
def award(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors_award.planner_procurement_get(member=member, pk=pk)
    lots = selectors_award.award_page(member=member, procurement=procurement)
    posted: int | None = None
    if request.method == "POST":
        try:
            posted = int(request.POST.get("award-lot", ""))
        except ValueError:
            posted = None
    forms = {}
    for entry in lots:
        bound = request.POST if posted == entry.lot.number else None
        forms[entry.lot.number] = AwardForm(bound, lot_number=entry.lot.number, tied=entry.tied)
    form = forms.get(posted) if posted is not None else None
    if form is not None and form.is_valid():
        entry = next(entry for entry in lots if entry.lot.number == posted)
        chosen = next((bid for bid in entry.tied if bid.pk == form.cleaned_data.get("bid")), None)
        try:
            made = services_award.lot_award_make(
                actor=member.user,
                member=member,
                procurement=procurement,
                lot=entry.lot,
                bid=chosen,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                f"Lot {entry.lot.number} is awarded to {made.supplier.name}. The contract "
                f"{made.agreement.reference if made.agreement else ''} has been created.",
            )
            return redirect("procurement:award", org=org, pk=procurement.pk)
    rows = [(entry, forms[entry.lot.number]) for entry in lots]
    return render(
        request,
        "procurement/award/award.html",
        {
            "member": member,
            "procurement": procurement,
            "rows": rows,
            "form": form,  # the posted form: its errors put "Error: " in the title
            "standstill_note": selectors_award.STANDSTILL_NOTE,
            **_links(org, procurement.pk),
        },
    )


def _summary(request: HttpRequest, org: str, pk: int) -> tuple[Any, selectors_award.AssessmentSummary]:
    member = member_require(user=request.user, slug=org)
    bid = selectors_award.summary_bid_get(member=member, pk=pk)
    return member, selectors_award.assessment_summary(bid=bid)


@login_required
@require_GET
def assessment_summary(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member, summary = _summary(request, org, pk)
    links = _links(org, summary.procurement.pk) if member.organisation.is_public_body else {}
    return render(
        request,
        "procurement/award/summary.html",
        {"member": member, "summary": summary, "standstill_note": selectors_award.STANDSTILL_NOTE, **links},
    )


@login_required
@require_GET
def assessment_summary_pdf(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    _, summary = _summary(request, org, pk)
    pdf = pdf_render(
        "procurement/award/summary_print.html",
        {"summary": summary, "standstill_note": selectors_award.STANDSTILL_NOTE},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{summary.procurement.reference}-assessment-summary-{summary.bid.pk}.pdf"'
    )
    return response


def _report(request: HttpRequest, org: str, pk: int) -> tuple[Any, selectors_award.EvaluationReport]:
    member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
    procurement = selectors_award.report_procurement_get(member=member, pk=pk)
    return member, selectors_award.evaluation_report(member=member, procurement=procurement)


@login_required
@require_GET
def evaluation_report(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member, report = _report(request, org, pk)
    return render(
        request,
        "procurement/award/report.html",
        {"member": member, "report": report, "standstill_note": selectors_award.STANDSTILL_NOTE, **_links(org, pk)},
    )


@login_required
@require_GET
def evaluation_report_pdf(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    _, report = _report(request, org, pk)
    pdf = pdf_render(
        "procurement/award/report_print.html", {"report": report, "standstill_note": selectors_award.STANDSTILL_NOTE}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.procurement.reference}-evaluation-report.pdf"'
    return response
