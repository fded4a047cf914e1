"""The supplier's pages: opportunities, clarification questions, bids, their £ preview and attachments
(which the buyer may download too, once the sealed-bid rule allows)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import money, uk_datetime
from commonweal.frontend.listing import listing
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import (
    selectors,
    selectors_bidding,
    selectors_clarifications,
    selectors_planning,
    services_bidding,
    services_clarifications,
)
from .forms_bidding import BidForm, OpportunityFilters, QuestionForm
from .models import Bid, BidState, Procurement
from .rules import scored_criteria


@login_required
@require_GET
def opportunity_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BID)
    found = listing(request, OpportunityFilters, selectors.opportunity_list(member=member), defaults={"status": "open"})
    return render(
        request,
        "procurement/bidding/opportunity_list.html",
        {"member": member, "rows": selectors_bidding.opportunity_rows(list(found.page.object_list)), "listing": found},
    )


def _opportunity_page(
    request: HttpRequest, member: Member, procurement: Procurement, form: QuestionForm, refusal: str = ""
) -> HttpResponse:
    return render(
        request,
        "procurement/bidding/opportunity_detail.html",
        {
            "member": member,
            "procurement": procurement,
            "open": selectors.open_for_bids(procurement),
            "deadline_label": uk_datetime(procurement.tender_deadline),
            "days_left": selectors_bidding.days_left(procurement.tender_deadline),
            "lots": selectors_bidding.lot_rows(member=member, procurement=procurement),
            "methodology": selectors_planning.methodology(procurement),
            "clarifications": selectors_clarifications.clarifications_published(procurement=procurement),
            "my_questions": selectors_clarifications.clarifications_asked_by(member=member, procurement=procurement),
            "questions_closed": selectors_clarifications.clarification_deadline_passed(procurement),
            "form": form,
            "refusal": refusal,
        },
    )


@login_required
@require_GET
def opportunity_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BID)
    procurement = selectors.opportunity_get(member=member, pk=pk)
    return _opportunity_page(request, member, procurement, QuestionForm(prefix="bid_question"))


@login_required
@require_POST
def opportunity_ask(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BID)
    procurement = selectors.opportunity_get(member=member, pk=pk)
    form = QuestionForm(request.POST, prefix="bid_question")
    if form.is_valid():
        try:
            services_clarifications.clarification_ask(
                actor=member.user, member=member, procurement=procurement, question=form.cleaned_data["question"]
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, "Your question has been sent to the buyer. Its answer will be published to every bidder."
            )
            return redirect("procurement:opportunity-detail", org=org, pk=procurement.pk)
    return _opportunity_page(request, member, procurement, form)


@login_required
@require_POST
def bid_start(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BID)
    procurement = selectors.opportunity_get(member=member, pk=pk)
    lot = selectors_bidding.lot_get(procurement=procurement, pk=request.POST.get("bid_lot"))
    try:
        bid = services_bidding.bid_start(actor=member.user, member=member, procurement=procurement, lot=lot)
    except ApplicationError as error:
        return _opportunity_page(
            request, member, procurement, QuestionForm(prefix="bid_question"), refusal=error.message
        )
    return redirect("procurement:bid-edit", org=org, pk=bid.pk)


@login_required
@require_GET
def bid_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BID)
    bids = selectors.bid_list_for_supplier(member=member).select_related("procurement__organisation")
    return render(
        request, "procurement/bidding/bid_list.html", {"member": member, "bids": bids.order_by("-updated_at")}
    )


def _bid_form(request: HttpRequest | None, bid: Bid, data: Any = None) -> BidForm:
    procurement = bid.procurement
    return BidForm(
        data,
        request.FILES if request is not None and data is not None else None,
        bid=bid,
        criteria=scored_criteria(procurement),
        measures=selectors_bidding.measure_list(procurement),
        prefix="bid",
        initial=BidForm.initial_for(bid),
    )


def _saved_form(bid: Bid) -> BidForm:
    """A form bound to what the bid now holds, so submission problems can be shown against its fields
    without re-sending what was just saved (a new commitment, a file)."""
    data: dict[str, Any] = {
        f"bid-{name}": "" if value is None else str(value) for name, value in BidForm.initial_for(bid).items()
    }
    form = _bid_form(None, bid, data)
    form.is_valid()
    return form


def _form_rows(form: BidForm, rows: list[Any]) -> list[tuple[Any, Any, Any]]:
    """Each criterion's saved response with its two fields, which a template cannot look up by name."""
    return [(row, form[f"response_{row.criterion.pk}"], form[f"attachment_{row.criterion.pk}"]) for row in rows]


def _bid_page(request: HttpRequest, member: Member, bid: Bid, form: BidForm | None, refusal: str = "") -> HttpResponse:
    context = selectors_bidding.bid_page_context(bid)
    return render(
        request,
        "procurement/bidding/bid_edit.html",
        {
            "member": member,
            "form": form,
            "refusal": refusal,
            "form_rows": _form_rows(form, context["rows"]) if form is not None else [],
            **context,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bid_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BID)
    bid = selectors.bid_get_for_supplier(member=member, pk=pk)
    if request.method == "GET":
        return _bid_page(request, member, bid, _bid_form(request, bid) if bid.state == BidState.DRAFT else None)
    action = request.POST.get("bid_action", "save")
    if action == "reopen":
        try:
            services_bidding.bid_reopen(actor=member.user, member=member, bid=bid)
        except ApplicationError as error:
            return _bid_page(request, member, bid, None, refusal=error.message)
        messages.success(
            request, "Your bid is a draft again. It is not a tender until you submit it again before the deadline."
        )
        return redirect("procurement:bid-edit", org=org, pk=bid.pk)
    form = _bid_form(request, bid, request.POST)
    if bid.state != BidState.DRAFT:
        form.is_valid()
        form.add_application_error(ApplicationError("Your bid has been submitted. Reopen it to change it."))
        return _bid_page(request, member, bid, form)
    if not form.is_valid():
        return _bid_page(request, member, bid, form)
    try:
        bid = services_bidding.bid_save(actor=member.user, member=member, bid=bid, **form.service_arguments())
    except ApplicationError as error:
        form.add_application_error(error)
        return _bid_page(request, member, bid, form)
    if action != "submit":
        messages.success(request, "Your draft bid has been saved. It is not a tender until you submit it.")
        return redirect("procurement:bid-edit", org=org, pk=bid.pk)
    try:
        services_bidding.bid_submit(actor=member.user, member=member, bid=bid)
    except ApplicationError as error:
        form = _saved_form(bid)
        form.add_error(None, "Your changes have been saved as a draft, but the bid cannot be submitted yet.")
        form.add_application_error(error)
        return _bid_page(request, member, bid, form)
    messages.success(
        request,
        "Your bid has been submitted. You can reopen and change it until the deadline for tenders.",
    )
    return redirect("procurement:bid-edit", org=org, pk=bid.pk)


@login_required
@require_GET
def bid_preview(request: HttpRequest, org: str, pk: int) -> JsonResponse:
    """The gross and net £ of one commitment, as the supplier types it (the page works without it)."""
    member = member_require(user=request.user, slug=org, permission=Permission.BID)
    bid = selectors.bid_get_for_supplier(member=member, pk=pk)
    procurement = bid.procurement
    measure_pk = _int(request.GET.get("measure"))
    measures = selectors_bidding.measure_list(procurement)
    measure = measures.filter(pk=measure_pk).first() if measure_pk is not None else None
    try:
        quantity = Decimal(request.GET.get("quantity", "").strip() or "x")
    except InvalidOperation:
        quantity = None
    if measure is None or quantity is None or not quantity.is_finite() or quantity <= 0:
        return JsonResponse({"valued": False, "message": "Choose a measure and enter a quantity to see its value."})
    if procurement.value_set is None:
        return JsonResponse({"valued": False, "message": "This procurement has no value set: no £ figures are shown."})
    try:
        line = selectors_bidding.preview_line(procurement, measure, quantity)
    except ApplicationError as error:
        return JsonResponse({"valued": False, "message": error.message})
    if line.gross is None or line.net is None:
        return JsonResponse({"valued": False, "message": f"The value set has no value for {measure.code}."})
    return JsonResponse(
        {
            "valued": True,
            "measure": measure.code,
            "quantity": str(quantity),
            "gross": str(line.gross),
            "net": str(line.net),
            "message": f"This commitment: {money(line.gross)} gross, {money(line.net)} net.",
        }
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@login_required
@require_GET
def bid_attachment(request: HttpRequest, org: str, pk: int) -> FileResponse:
    """An attachment for its supplier, or for the buyer's people the sealed-bid rule lets open the bid;
    a buyer's opening is recorded in the audit log, as every opening of sealed tender content is."""
    member = member_require(user=request.user, slug=org)
    attachment, buyer_opening = selectors_bidding.attachment_get(member=member, pk=pk)
    if buyer_opening:
        services_bidding.attachment_opened_record(actor=member.user, member=member, attachment=attachment)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
