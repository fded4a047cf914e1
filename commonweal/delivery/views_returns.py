"""Delivery return pages: start, edit and submit a return; review a line; answer a query; many returns by CSV."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.core.exports import csv_write
from commonweal.tenancy.selectors import Member, member_access

from . import selectors, selectors_returns, services
from .forms_returns import AnswerForm, BulkReturnForm, ReturnForm, ReviewForm
from .models import Agreement, Commitment, CommitmentState, DeliveryReturn, ReportingPeriod, ReturnState
from .services_returns import BulkReturnError, RowError

SUBMITTED_MESSAGE = "Your return has been submitted for verification."


def _supplier_agreement(member: Member, pk: int) -> Agreement:
    agreement = selectors.agreement_get(member=member, pk=pk)
    if not selectors_returns.is_supplier_of(member, agreement):
        raise Http404("Only the supplier can submit returns.")
    return agreement


def _commitments(agreement: Agreement) -> list[Commitment]:
    active = agreement.commitments.filter(state=CommitmentState.ACTIVE)
    return list(active.select_related("measure").order_by("due_date", "id"))


def _after_save(request: HttpRequest, org: str, delivery_return: DeliveryReturn) -> HttpResponse:
    label = delivery_return.period.label if delivery_return.period else "this period"
    if delivery_return.state == ReturnState.DRAFT:
        messages.success(request, f"Your draft return for {label} has been saved. Submit it when it is complete.")
        return redirect("delivery:return-edit", org=org, pk=delivery_return.pk)
    message = SUBMITTED_MESSAGE
    if selectors_returns.is_late(delivery_return):
        assert delivery_return.period is not None
        message += f" It was due on {delivery_return.period.return_due_date:%-d %B %Y}, so it is marked late."
    messages.success(request, message)
    return redirect("delivery:agreement-detail", org=org, pk=delivery_return.agreement_id)


def _save(
    request: HttpRequest, member: Member, agreement: Agreement, form: ReturnForm, period: ReportingPeriod | None
) -> DeliveryReturn:
    return services.return_save(
        actor=request.user,
        member=member,
        agreement=agreement,
        period=period,
        lines=form.lines(),
        narrative=form.cleaned_data["narrative"],
        evidence=form.cleaned_data["evidence"],
        evidence_lines=form.ids("evidence_lines"),
        line_evidence=form.line_evidence(),
        evidence_remove=form.ids("evidence_remove"),
        case_studies=form.case_studies(),
        case_studies_remove=form.ids("case_studies_remove"),
        # A form sent without pressing either button (no JavaScript needed for either) submits.
        submit=request.POST.get("return_action", "submit") != "draft",
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_submit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Start a return: choose its period, report against each commitment, save a draft or submit."""
    member = member_access(user=request.user, slug=org)
    agreement = _supplier_agreement(member, pk)
    services.periods_ensure(agreement=agreement)
    periods = selectors_returns.open_periods(member=member, agreement=agreement)
    drafts = selectors_returns.draft_list(member=member, agreement=agreement)
    form = ReturnForm(request.POST or None, request.FILES or None, commitments=_commitments(agreement), periods=periods)
    if request.method == "POST" and form.is_valid():
        period_id = form.period_id()
        period = next((p for p in periods if p.pk == period_id), None)
        try:
            delivery_return = _save(request, member, agreement, form, period)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return _after_save(request, org, delivery_return)
    return render(
        request,
        "delivery/return_form.html",
        {"member": member, "agreement": agreement, "form": form, "periods": periods, "drafts": drafts},
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Change a draft return, then save it again or submit it. A submitted return is locked."""
    member = member_access(user=request.user, slug=org)
    delivery_return = selectors_returns.return_get(member=member, pk=pk)
    agreement = _supplier_agreement(member, delivery_return.agreement_id)
    view = selectors_returns.return_view(member=member, delivery_return=delivery_return)
    if delivery_return.state == ReturnState.SUBMITTED:
        # Locked: the page says so, and a POST changes nothing.
        return render(
            request,
            "delivery/return_detail.html",
            {"member": member, "agreement": agreement, "view": view, "locked": True},
        )
    form = ReturnForm(
        request.POST or None,
        request.FILES or None,
        commitments=_commitments(agreement),
        evidence_files=view.evidence,
        case_studies=view.case_studies,
        draft_lines={line_view.line.commitment_id: line_view.line for line_view in view.lines},
        initial={"narrative": delivery_return.narrative},
    )
    if request.method == "POST" and form.is_valid():
        try:
            delivery_return = _save(request, member, agreement, form, delivery_return.period)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return _after_save(request, org, delivery_return)
    return render(
        request,
        "delivery/return_form.html",
        {"member": member, "agreement": agreement, "form": form, "view": view, "delivery_return": delivery_return},
    )


@login_required
def return_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    delivery_return = selectors_returns.return_get(member=member, pk=pk)
    view = selectors_returns.return_view(member=member, delivery_return=delivery_return)
    return render(
        request,
        "delivery/return_detail.html",
        {"member": member, "agreement": delivery_return.agreement, "view": view},
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_line_review(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    line = selectors.return_line_get(member=member, pk=pk)
    agreement = line.delivery_return.agreement
    if not selectors_returns.is_manager_of(member, agreement):
        raise Http404("Only the buyer's contract managers review returns.")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.return_line_review(
                actor=request.user,
                member=member,
                line=line,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The line is now {line.get_status_display().lower()}.")
            return redirect("delivery:agreement-detail", org=org, pk=agreement.pk)
    view = selectors_returns.return_view(member=member, delivery_return=line.delivery_return)
    line_view = next(item for item in view.lines if item.line.pk == line.pk)
    return render(
        request,
        "delivery/review_form.html",
        {"member": member, "agreement": agreement, "line": line, "line_view": line_view, "view": view, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_line_answer(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The supplier answers a queried or rejected line and resubmits it."""
    member = member_access(user=request.user, slug=org)
    line = selectors.return_line_get(member=member, pk=pk)
    agreement = line.delivery_return.agreement
    if not selectors_returns.is_supplier_of(member, agreement):
        raise Http404("Only the supplier answers queries.")
    form = AnswerForm(request.POST or None, request.FILES or None, line=line)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_line_answer(
                actor=request.user,
                member=member,
                line=line,
                answer=form.cleaned_data["answer"],
                quantity=form.cleaned_data["quantity"],
                evidence_reference=form.cleaned_data["evidence_reference"],
                beneficiary_reference=form.cleaned_data["beneficiary_reference"],
                evidence=form.cleaned_data["evidence"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "Your answer has been sent and the line awaits verification again.")
            return redirect("delivery:return-detail", org=org, pk=line.delivery_return_id)
    view = selectors_returns.return_view(member=member, delivery_return=line.delivery_return)
    line_view = next(item for item in view.lines if item.line.pk == line.pk)
    return render(
        request,
        "delivery/answer_form.html",
        {"member": member, "agreement": agreement, "line": line, "line_view": line_view, "view": view, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def returns_bulk(request: HttpRequest, org: str) -> HttpResponse:
    """Upload one CSV with lines for many agreements, periods and buyers."""
    member = member_access(user=request.user, slug=org)
    if not member.can_submit_returns:
        raise Http404("Only a supplier's contacts submit returns.")
    form = BulkReturnForm(request.POST or None, request.FILES or None)
    row_errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.returns_import(
                actor=request.user,
                member=member,
                file=form.cleaned_data["returns_csv"],
                submit=form.cleaned_data["bulk_action"] == "submit",
            )
        except BulkReturnError as error:
            form.add_application_error(error)
            form.add_error(None, error.message)
            row_errors = error.rows
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            changed = [item for item in saved if item.state != "unchanged"]
            done = "submitted" if form.cleaned_data["bulk_action"] == "submit" else "saved as drafts"
            summary = "; ".join(f"{item.agreement_reference}, {item.period}" for item in changed)
            text = f"{len(changed)} return{'s' if len(changed) != 1 else ''} {done}"
            text += f": {summary}." if summary else "."
            unchanged = len(saved) - len(changed)
            if unchanged:
                text += f" {unchanged} already submitted with the same figures, left as they were."
            messages.success(request, text)
            return redirect("delivery:returns-bulk", org=org)
    return render(
        request,
        "delivery/returns_bulk.html",
        {"member": member, "form": form, "row_errors": row_errors},
    )


@login_required
def returns_bulk_template(request: HttpRequest, org: str) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    if not member.can_submit_returns:
        raise Http404("Only a supplier's contacts submit returns.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-returns-template.csv"'
    csv_write(response, selectors_returns.BULK_TEMPLATE_FIELDS, selectors_returns.bulk_template_rows(member=member))
    return response
