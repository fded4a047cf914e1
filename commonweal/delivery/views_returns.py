"""Delivery return pages: start, edit and submit a return; review a line; answer a query; many returns by CSV;
evidence files.

The supplier's contacts (`SUBMIT_RETURNS`) report on the agreements their organisation supplies; the
buyer's contract managers (`MANAGE_CONTRACTS`) review the lines of submitted returns. Pages only read the
reporting periods, which are made with the agreement.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.exports import csv_write
from commonweal.frontend.listing import listing
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import selectors_agreements, selectors_returns, services_returns
from .forms_returns import (
    AnswerForm,
    BulkReturnForm,
    ReturnFilters,
    ReturnForm,
    ReturnSubmitForm,
    ReviewForm,
    VerifyEvidencedForm,
)
from .models import (
    Agreement,
    Commitment,
    CommitmentState,
    DeliveryReturn,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    ReturnState,
)
from .services_returns import BulkReturnError, BulkSaved, RowError

SUBMITTED_MESSAGE = "Your return has been submitted for verification."
CHECK = "check"  # the return form's main button: save, then check the answers before submitting


def _commitments(agreement: Agreement) -> list[Commitment]:
    active = agreement.commitments.filter(state=CommitmentState.ACTIVE)
    return list(active.select_related("measure").order_by("due_date", "id"))


def _saved_message(delivery_return: DeliveryReturn, action: str = "submit") -> str:
    if delivery_return.state == ReturnState.DRAFT and action == CHECK:
        return "Your return is saved. Check your answers, then submit it."
    if delivery_return.state == ReturnState.DRAFT:
        label = delivery_return.period.label if delivery_return.period else "this period"
        return f"Your draft return for {label} has been saved. Submit it when it is complete."
    message = SUBMITTED_MESSAGE
    if selectors_returns.is_late(delivery_return):
        assert delivery_return.period is not None
        message += f" It was due on {delivery_return.period.return_due_date:%-d %B %Y}, so it is marked late."
    return message


def _saved_url(org: str, delivery_return: DeliveryReturn, action: str = "submit") -> str:
    """A draft goes back to its own page, or on to check the answers; a submitted return to its confirmation."""
    if delivery_return.state == ReturnState.DRAFT:
        name = "delivery:return-check" if action == CHECK else "delivery:return-edit"
        return reverse(name, kwargs={"org": org, "pk": delivery_return.pk})
    return reverse("delivery:return-confirmation", kwargs={"org": org, "pk": delivery_return.pk})


def _action(request: HttpRequest) -> str:
    """Which button sent the form: check the answers (the main one), save a draft, or submit. A form sent
    without pressing any (no JavaScript needed for either) submits, as it always has."""
    return request.POST.get("return_action", "submit")


def _save(
    request: HttpRequest, member: Member, agreement: Agreement, form: ReturnForm, period: ReportingPeriod | None
) -> DeliveryReturn:
    return services_returns.return_save(
        actor=member.user,
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
        submit=_action(request) == "submit",
        check=_action(request) == CHECK,
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_submit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Start a return: choose its period, report against each commitment, save a draft or submit."""
    member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
    agreement = selectors_agreements.agreement_supplied_get(member=member, pk=pk)
    periods = selectors_returns.open_periods(member=member, agreement=agreement)
    drafts = selectors_returns.draft_list(member=member, agreement=agreement)
    chosen = request.GET.get("period", "")
    initial = {"period": chosen} if any(str(p.pk) == chosen for p in periods) else {}
    form = ReturnForm(
        request.POST or None,
        request.FILES or None,
        commitments=_commitments(agreement),
        periods=periods,
        initial=initial,
    )

    def save() -> DeliveryReturn:
        period = next((p for p in periods if p.pk == form.period_id()), None)
        return _save(request, member, agreement, form, period)

    return form_page(
        request,
        form,
        save=save,
        message=lambda saved: _saved_message(saved, _action(request)),
        success_url=lambda delivery_return: _saved_url(org, delivery_return, _action(request)),
        template="delivery/return_form.html",
        context={"member": member, "agreement": agreement, "periods": periods, "drafts": drafts},
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Change a draft return, then save it again or submit it. A submitted return is locked."""
    member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
    delivery_return = selectors_returns.return_get(member=member, pk=pk)
    agreement = selectors_agreements.agreement_supplied_get(member=member, pk=delivery_return.agreement_id)
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
    return form_page(
        request,
        form,
        save=lambda: _save(request, member, agreement, form, delivery_return.period),
        message=lambda saved: _saved_message(saved, _action(request)),
        success_url=lambda saved: _saved_url(org, saved, _action(request)),
        template="delivery/return_form.html",
        context={"member": member, "agreement": agreement, "view": view, "delivery_return": delivery_return},
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_check(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Check your answers: the whole draft return as it will be sent, with links to change it; submitting
    locks it."""
    member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
    delivery_return = selectors_returns.return_get(member=member, pk=pk)
    agreement = selectors_agreements.agreement_supplied_get(member=member, pk=delivery_return.agreement_id)
    if delivery_return.state == ReturnState.SUBMITTED:
        return redirect("delivery:return-confirmation", org=org, pk=delivery_return.pk)
    view = selectors_returns.return_view(member=member, delivery_return=delivery_return)
    form = ReturnSubmitForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        save=lambda: services_returns.return_draft_submit(
            actor=member.user, member=member, delivery_return=delivery_return
        ),
        message=_saved_message,
        success_url=lambda submitted: _saved_url(org, submitted),
        template="delivery/return_check.html",
        context={"member": member, "agreement": agreement, "view": view},
    )


@login_required
@require_GET
def return_confirmation(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The return is submitted: its reference, and what happens next."""
    member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
    delivery_return = selectors_returns.return_get(member=member, pk=pk)
    agreement = selectors_agreements.agreement_supplied_get(member=member, pk=delivery_return.agreement_id)
    if delivery_return.state != ReturnState.SUBMITTED:
        return redirect("delivery:return-check", org=org, pk=delivery_return.pk)
    view = selectors_returns.return_view(member=member, delivery_return=delivery_return)
    return render(
        request,
        "delivery/return_confirmation.html",
        {
            "member": member,
            "agreement": agreement,
            "view": view,
            "reference": selectors_returns.return_reference(delivery_return),
        },
    )


@login_required
def return_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    delivery_return = selectors_returns.return_get(member=member, pk=pk)
    view = selectors_returns.return_view(member=member, delivery_return=delivery_return)
    return render(
        request,
        "delivery/return_detail.html",
        {"member": member, "agreement": delivery_return.agreement, "view": view},
    )


def _line_context(member: Member, agreement: Agreement, line: ReturnLine) -> dict[str, object]:
    view = selectors_returns.return_view(member=member, delivery_return=line.delivery_return)
    line_view = next(item for item in view.lines if item.line.pk == line.pk)
    return {"member": member, "agreement": agreement, "line": line, "line_view": line_view, "view": view}


def _review_url(org: str, delivery_return_id: int, line_id: int | None = None) -> str:
    url = reverse("delivery:return-review", kwargs={"org": org, "pk": delivery_return_id})
    return f"{url}#line-{line_id}" if line_id is not None else url


@login_required
@require_http_methods(["GET", "POST"])
def return_line_review(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """One line's decision. Sent from the whole return's review page (`from_review`), it goes back to that
    line there; otherwise to the agreement."""
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    line = selectors_returns.return_line_get(member=member, pk=pk)
    agreement = selectors_agreements.agreement_owned_get(member=member, pk=line.delivery_return.agreement_id)
    form = ReviewForm(request.POST or None)
    from_review = request.POST.get("from_review") == "1" or request.GET.get("from") == "review"
    success_url = (
        _review_url(org, line.delivery_return_id, line.pk)
        if from_review
        else reverse("delivery:agreement-detail", kwargs={"org": org, "pk": agreement.pk})
    )
    return form_page(
        request,
        form,
        save=lambda: services_returns.return_line_review(
            actor=member.user,
            member=member,
            line=line,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        ),
        message=lambda reviewed: f"The line is now {reviewed.get_status_display().lower()}.",
        success_url=success_url,
        template="delivery/review_form.html",
        context={**_line_context(member, agreement, line), "from_review": from_review},
    )


def _return_for_review(request: HttpRequest, org: str, pk: int) -> tuple[Member, DeliveryReturn]:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    delivery_return = selectors_returns.return_get(member=member, pk=pk)
    selectors_agreements.agreement_owned_get(member=member, pk=delivery_return.agreement_id)
    return member, delivery_return


@login_required
@require_GET
def return_review(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The whole return on one page for its contract manager: every line with its evidence and conversation,
    a decision form on each line, and "verify all that are evidenced" in one action."""
    member, delivery_return = _return_for_review(request, org, pk)
    view = selectors_returns.return_view(member=member, delivery_return=delivery_return)
    return render(
        request,
        "delivery/return_review.html",
        {
            "member": member,
            "agreement": delivery_return.agreement,
            "view": view,
            "review_form": ReviewForm(),
            "verifiable": selectors_returns.verifiable_evidenced(view),
            "next_return": selectors_returns.return_next_waiting(member=member, after=delivery_return),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_verify_evidenced(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Confirm, then verify every line of the return that awaits verification and has evidence attached."""
    member, delivery_return = _return_for_review(request, org, pk)
    view = selectors_returns.return_view(member=member, delivery_return=delivery_return)
    verifiable = selectors_returns.verifiable_evidenced(view)
    form = VerifyEvidencedForm(
        request.POST if request.method == "POST" else None, lines=[item.line.pk for item in verifiable]
    )
    return form_page(
        request,
        form,
        save=lambda: services_returns.return_lines_review(
            actor=member.user,
            member=member,
            line_ids=form.line_ids(),
            decision=LineStatus.VERIFIED,
        ),
        message=lambda lines: f"{len(lines)} line{'s' if len(lines) != 1 else ''} verified.",
        success_url=_review_url(org, delivery_return.pk),
        template="delivery/return_verify_evidenced.html",
        context={"member": member, "agreement": delivery_return.agreement, "view": view, "verifiable": verifiable},
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_line_answer(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The supplier answers a queried or rejected line and resubmits it."""
    member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
    line = selectors_returns.return_line_get(member=member, pk=pk)
    agreement = selectors_agreements.agreement_supplied_get(member=member, pk=line.delivery_return.agreement_id)
    form = AnswerForm(request.POST or None, request.FILES or None, line=line)
    return form_page(
        request,
        form,
        save=lambda: services_returns.return_line_answer(
            actor=member.user,
            member=member,
            line=line,
            answer=form.cleaned_data["answer"],
            quantity=form.cleaned_data["quantity"],
            evidence_reference=form.cleaned_data["evidence_reference"],
            beneficiary_reference=form.cleaned_data["beneficiary_reference"],
            evidence=form.cleaned_data["evidence"],
        ),
        message="Your answer has been sent and the line awaits verification again.",
        success_url=reverse("delivery:return-detail", kwargs={"org": org, "pk": line.delivery_return_id}),
        template="delivery/answer_form.html",
        context=_line_context(member, agreement, line),
    )


def _bulk_message(saved: list[BulkSaved], done: str) -> str:
    changed = [item for item in saved if item.state != "unchanged"]
    summary = "; ".join(f"{item.agreement_reference}, {item.period}" for item in changed)
    text = f"{len(changed)} return{'s' if len(changed) != 1 else ''} {done}"
    text += f": {summary}." if summary else "."
    unchanged = len(saved) - len(changed)
    if unchanged:
        text += f" {unchanged} already submitted with the same figures, left as they were."
    return text


@login_required
@require_http_methods(["GET", "POST"])
def returns_bulk(request: HttpRequest, org: str) -> HttpResponse:
    """Upload one CSV with lines for many agreements, periods and buyers."""
    member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
    form = BulkReturnForm(request.POST or None, request.FILES or None)
    row_errors: list[RowError] = []  # each refused row, listed under the form

    def save() -> list[BulkSaved]:
        try:
            return services_returns.returns_import(
                actor=member.user,
                member=member,
                file=form.cleaned_data["returns_csv"],
                submit=form.cleaned_data["bulk_action"] == "submit",
            )
        except BulkReturnError as error:
            row_errors.extend(error.rows)
            form.add_error(None, error.message)  # the file's field says what to do; the summary says what happened
            raise

    def done() -> str:
        return "submitted" if form.cleaned_data["bulk_action"] == "submit" else "saved as drafts"

    return form_page(
        request,
        form,
        save=save,
        message=lambda saved: _bulk_message(saved, done()),
        success_url=reverse("delivery:returns-bulk", kwargs={"org": org}),
        template="delivery/returns_bulk.html",
        context={"member": member, "row_errors": row_errors},
    )


@login_required
def returns_bulk_template(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-returns-template.csv"'
    csv_write(response, selectors_returns.BULK_TEMPLATE_FIELDS, selectors_returns.bulk_template_rows(member=member))
    return response


@login_required
def evidence_download(request: HttpRequest, org: str, pk: int) -> FileResponse:
    member = member_require(user=request.user, slug=org)
    evidence = selectors_returns.evidence_get(member=member, pk=pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def return_list(request: HttpRequest, org: str) -> HttpResponse:
    """Every return the member can see, across agreements, to find the ones that need them."""
    member = member_require(user=request.user, slug=org)
    returns = listing(
        request, ReturnFilters, selectors_returns.return_list_all(member=member), per_page=50, member=member
    )
    rows = [(item, selectors_returns.review_text(item)) for item in returns.page]
    return render(request, "delivery/return_list.html", {"member": member, "listing": returns, "rows": rows})
