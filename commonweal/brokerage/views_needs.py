"""A community organisation's wish-list pages under /o/<org>/needs/: its needs, posting and changing one,
submitting or withdrawing it, its eligibility, confirming what it received, and taking up offers."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.frontend.pages import form_page
from commonweal.reporting.models import PanelNeed
from commonweal.tenancy.permissions import Permission, member_require

from . import selectors_needs as selectors
from . import services_needs, services_pledges
from .forms_needs import ConfirmForm, EligibilityForm, NeedForm, SubmitForm, TakeUpForm, WithdrawForm
from .models import Need, NeedState, PledgeState
from .rules import place_text
from .services_needs import NeedInput


def _need_url(org: str, need: Need) -> str:
    return reverse("brokerage:need-detail", kwargs={"org": org, "pk": need.pk})


@login_required
@require_GET
def need_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
    return render(
        request,
        "brokerage/need_list.html",
        {
            "member": member,
            "needs": selectors.own_need_list(member=member),
            "eligibility": selectors.eligibility_get(member=member),
            "offers": selectors.open_offer_list(member=member)[:20],
            "panel_needs": selectors.panel_need_list(member=member),
        },
    )


def _need_input(form: NeedForm) -> NeedInput:
    data = form.cleaned_data
    return NeedInput(
        host=data["host"],
        title=data["title"],
        description=data["description"],
        kind=data["kind"],
        quantity=data["quantity"],
        unit=data["unit"],
        estimate=data["estimate"],
        outcomes=list(data["outcomes"]),
        place=data["place"],
        beneficiary_group=data["beneficiary_group"],
        expires_on=data["expires_on"],
    )


def _need_form(request: HttpRequest, need: Need | None = None, panel_need: PanelNeed | None = None) -> NeedForm:
    hosts = selectors.host_choice_list()
    initial: dict[str, object] = {}
    if panel_need is not None:
        initial = {
            "host": panel_need.meeting.panel.organisation_id,
            "description": panel_need.description,
            "kind": panel_need.kind,
            "outcomes": list(panel_need.outcomes.values_list("pk", flat=True)),
            "place": place_text(panel_need.place_code) if panel_need.place_code else "",
        }
    if need is not None:
        initial = {
            "host": need.host_id,
            "title": need.title,
            "description": need.description,
            "kind": need.kind,
            "quantity": need.quantity,
            "unit": need.unit,
            "estimate": need.estimate,
            "outcomes": list(need.outcomes.values_list("pk", flat=True)),
            "place": place_text(need.place_code),
            "beneficiary_group": need.beneficiary_group,
            "expires_on": need.expires_on,
        }
    return NeedForm(
        request.POST or None,
        hosts=hosts,
        outcomes=selectors.outcome_choice_list(hosts=hosts),
        initial=initial,
        prefix="need",
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
    panel = request.GET.get("panel", "")
    panel_need = selectors.panel_need_get(member=member, pk=int(panel) if panel.isdigit() else None)
    form = _need_form(request, panel_need=panel_need)

    def save() -> Need:
        if panel_need is None:
            return services_needs.need_save(actor=member.user, member=member, data=_need_input(form))
        return services_needs.need_from_panel(
            actor=member.user, member=member, panel_need=panel_need, data=_need_input(form)
        )

    return form_page(
        request,
        form,
        save=save,
        message="The need is saved as a draft: check it, then submit it to the wish list's broker.",
        success_url=lambda need: _need_url(org, need),
        template="brokerage/need_form.html",
        context={"member": member, "need": None, "panel_need": panel_need},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
    need = selectors.own_need_get(member=member, pk=pk)
    form = _need_form(request, need)
    return form_page(
        request,
        form,
        save=lambda: services_needs.need_save(actor=member.user, member=member, data=_need_input(form), need=need),
        message="The need is saved as a draft.",
        success_url=_need_url(org, need),
        template="brokerage/need_form.html",
        context={"member": member, "need": need},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The need as its organisation sees it, its pledges, and (for a draft) the button to submit it."""
    member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
    need = selectors.own_need_get(member=member, pk=pk)
    form = SubmitForm(request.POST if request.method == "POST" else None, prefix="submit")
    return form_page(
        request,
        form,
        save=lambda: services_needs.need_submit(actor=member.user, member=member, need=need),
        message="The need is submitted: the wish list's broker will approve it or return it to you.",
        success_url=_need_url(org, need),
        template="brokerage/need_detail.html",
        context={
            "member": member,
            "need": need,
            "place": place_text(need.place_code),
            "pledges": selectors.need_pledge_list(need=need),
            "eligibility": selectors.eligibility_get(member=member),
            "editable": need.state in (NeedState.DRAFT, NeedState.RETURNED),
            "delivered": PledgeState.DELIVERED,
            "limit": services_needs.live_needs_limit(need.host),
            "audit_events": selectors.need_history(need=need),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_withdraw(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
    need = selectors.own_need_get(member=member, pk=pk)
    form = WithdrawForm(request.POST or None, prefix="withdraw")
    return form_page(
        request,
        form,
        save=lambda: services_needs.need_withdraw(
            actor=member.user, member=member, need=need, reason=form.cleaned_data["reason"]
        ),
        message="The need is withdrawn.",
        success_url=_need_url(org, need),
        template="brokerage/need_withdraw.html",
        context={"member": member, "need": need},
    )


@login_required
@require_http_methods(["GET", "POST"])
def eligibility(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
    current = selectors.eligibility_get(member=member)
    initial = (
        {"evidence_kind": current.evidence_kind, "evidence_reference": current.evidence_reference} if current else {}
    )
    form = EligibilityForm(request.POST or None, initial=initial, prefix="eligibility")
    return form_page(
        request,
        form,
        save=lambda: services_needs.eligibility_give(actor=member.user, member=member, **form.cleaned_data),
        message="Your evidence is saved: a broker checks it once, before your first need is approved.",
        success_url=reverse("brokerage:need-list", kwargs={"org": org}),
        template="brokerage/eligibility.html",
        context={"member": member, "eligibility": current},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_confirm(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The recipient confirms what it received of a pledge: how much, when, and a word of feedback."""
    member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
    pledge = selectors.recipient_pledge_get(member=member, pk=pk)
    form = ConfirmForm(request.POST or None, initial={"received_quantity": pledge.quantity}, prefix="confirm")
    return form_page(
        request,
        form,
        save=lambda: services_pledges.pledge_confirm(
            actor=member.user, member=member, pledge=pledge, **form.cleaned_data
        ),
        message=f"Thank you: pledge {pledge.reference} is confirmed, and counts on the supplier's return.",
        success_url=_need_url(org, pledge.need),
        template="brokerage/pledge_confirm.html",
        context={"member": member, "pledge": pledge, "need": pledge.need},
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_take_up(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
    offer = selectors.offer_get_open(member=member, pk=pk)
    form = TakeUpForm(request.POST if request.method == "POST" else None, prefix="take")
    return form_page(
        request,
        form,
        save=lambda: services_needs.offer_take_up(actor=member.user, member=member, offer=offer),
        message=f"You have taken up the offer: {offer.organisation.name} will be in touch.",
        success_url=reverse("brokerage:need-list", kwargs={"org": org}),
        template="brokerage/offer_take_up.html",
        context={"member": member, "offer": offer},
    )
