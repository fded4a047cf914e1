"""A supplier's wish-list pages under /o/<org>/pledges/: its pledges and suggested needs, pledging to a need,
saying a pledge is delivered, withdrawing one, and posting an offer."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require

from . import selectors_needs as selectors
from . import services_needs, services_pledges
from .forms_needs import DeliverForm, OfferForm, PledgeForm, PledgeWithdrawForm
from .models import Pledge
from .rules import place_text


def _pledge_url(org: str, pledge: Pledge) -> str:
    return reverse("brokerage:pledge-detail", kwargs={"org": org, "pk": pledge.pk})


@login_required
@require_GET
def pledge_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLEDGE)
    return render(
        request,
        "brokerage/pledge_list.html",
        {
            "member": member,
            "pledges": selectors.own_pledge_list(member=member),
            "matches": selectors.need_match_list(member=member),
            "offers": selectors.own_offer_list(member=member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Pledge to a published need, against one of the supplier's commitments."""
    member = member_require(user=request.user, slug=org, permission=Permission.PLEDGE)
    need = selectors.pledgeable_need_get(member=member, pk=pk)
    form = PledgeForm(
        request.POST or None,
        commitments=selectors.commitment_choice_list(member=member),
        initial={"quantity": need.remaining_quantity()},
        prefix="pledge",
    )
    return form_page(
        request,
        form,
        save=lambda: services_pledges.pledge_make(actor=member.user, member=member, need=need, **form.cleaned_data),
        message=lambda pledge: f"Thank you: your pledge {pledge.reference} is made. Tell us when it is delivered.",
        success_url=lambda pledge: _pledge_url(org, pledge),
        template="brokerage/pledge_form.html",
        context={
            "member": member,
            "need": need,
            "place": place_text(need.place_code),
            "remaining": need.remaining_quantity(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """A pledge, and the form to say it is delivered."""
    member = member_require(user=request.user, slug=org, permission=Permission.PLEDGE)
    pledge = selectors.own_pledge_get(member=member, pk=pk)
    form = DeliverForm(request.POST or None, prefix="deliver")
    return form_page(
        request,
        form,
        save=lambda: services_pledges.pledge_deliver(
            actor=member.user, member=member, pledge=pledge, delivered_on=form.cleaned_data["delivered_on"]
        ),
        message="The pledge is marked delivered: the organisation is asked to confirm what it received.",
        success_url=_pledge_url(org, pledge),
        template="brokerage/pledge_detail.html",
        context={"member": member, "pledge": pledge, "need": pledge.need, "place": place_text(pledge.need.place_code)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_withdraw(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLEDGE)
    pledge = selectors.own_pledge_get(member=member, pk=pk)
    form = PledgeWithdrawForm(request.POST or None, prefix="withdraw")
    return form_page(
        request,
        form,
        save=lambda: services_pledges.pledge_withdraw(
            actor=member.user, member=member, pledge=pledge, reason=form.cleaned_data["withdraw_reason"]
        ),
        message="The pledge is withdrawn.",
        success_url=_pledge_url(org, pledge),
        template="brokerage/pledge_withdraw.html",
        context={"member": member, "pledge": pledge},
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLEDGE)
    form = OfferForm(request.POST or None, hosts=selectors.supplier_host_choice_list(member=member), prefix="offer")
    return form_page(
        request,
        form,
        save=lambda: services_needs.offer_post(actor=member.user, member=member, **form.cleaned_data),
        message="Your offer is on the wish list.",
        success_url=reverse("brokerage:pledge-list", kwargs={"org": org}),
        template="brokerage/offer_form.html",
        context={"member": member},
    )
