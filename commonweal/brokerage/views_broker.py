"""The broker's pages under /o/<org>/wish-list/: the queue, moderating a need (approve or return, publish,
close, introduce a supplier), the policy, and the figures with their downloads."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.exports import csv_write
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require

from . import downloads, services_needs
from . import selectors_needs as selectors
from .forms_needs import CloseForm, IntroduceForm, ModerateForm, PolicyForm, PublishForm
from .models import Need, NeedState
from .rules import place_text
from .services_needs import Decision


def _queue_need_url(org: str, need: Need) -> str:
    return reverse("brokerage:broker-need", kwargs={"org": org, "pk": need.pk})


@login_required
@require_GET
def broker_queue(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BROKER_NEEDS)
    return render(
        request,
        "brokerage/broker_queue.html",
        {
            "member": member,
            "groups": selectors.broker_need_list(member=member),
            "limit": services_needs.live_needs_limit(member.organisation),
        },
    )


def _need_context(member: object, need: Need) -> dict[str, object]:
    return {
        "member": member,
        "need": need,
        "place": place_text(need.place_code),
        "eligibility": getattr(need.organisation, "eligibility", None),
        "pledges": selectors.need_pledge_list(need=need),
        "suppliers": selectors.supplier_match_list(need=need),
        "introductions": need.introductions.select_related("supplier"),
        "states": NeedState,
        "audit_events": selectors.need_history(need=need),
    }


@login_required
@require_http_methods(["GET", "POST"])
def broker_need(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """A need in the queue: approve it (checking eligibility the first time) or return it with a reason."""
    member = member_require(user=request.user, slug=org, permission=Permission.BROKER_NEEDS)
    need = selectors.broker_need_get(member=member, pk=pk)
    form = ModerateForm(request.POST or None, prefix="moderate")
    return form_page(
        request,
        form,
        save=lambda: services_needs.need_moderate(
            actor=member.user, member=member, need=need, decision=Decision(**form.cleaned_data)
        ),
        message=lambda done: f"The need is {done.get_state_display().lower()}.",
        success_url=_queue_need_url(org, need),
        template="brokerage/broker_need.html",
        context={
            **_need_context(member, need),
            "publish_form": PublishForm(prefix="publish"),
            "close_form": CloseForm(prefix="close"),
            "introduce_form": IntroduceForm(
                suppliers=selectors.supplier_choice_list(member=member), prefix="introduce"
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def broker_publish(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BROKER_NEEDS)
    need = selectors.broker_need_get(member=member, pk=pk)
    form = PublishForm(request.POST if request.method == "POST" else None, prefix="publish")
    return form_page(
        request,
        form,
        save=lambda: services_needs.need_moderate(
            actor=member.user, member=member, need=need, decision=Decision(decision="publish")
        ),
        message="The need is published on the wish list.",
        success_url=_queue_need_url(org, need),
        template="brokerage/broker_action.html",
        context={**_need_context(member, need), "action": "publish"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def broker_close(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BROKER_NEEDS)
    need = selectors.broker_need_get(member=member, pk=pk)
    form = CloseForm(request.POST or None, prefix="close")
    return form_page(
        request,
        form,
        save=lambda: services_needs.need_close(
            actor=member.user, member=member, need=need, reason=form.cleaned_data["close_reason"]
        ),
        message="The need is closed.",
        success_url=_queue_need_url(org, need),
        template="brokerage/broker_action.html",
        context={**_need_context(member, need), "action": "close"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def broker_introduce(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BROKER_NEEDS)
    need = selectors.broker_need_get(member=member, pk=pk)
    form = IntroduceForm(
        request.POST or None, suppliers=selectors.supplier_choice_list(member=member), prefix="introduce"
    )
    return form_page(
        request,
        form,
        save=lambda: services_needs.need_introduce(actor=member.user, member=member, need=need, **form.cleaned_data),
        message=lambda introduction: f"{introduction.supplier.name} is introduced to the need.",
        success_url=_queue_need_url(org, need),
        template="brokerage/broker_action.html",
        context={**_need_context(member, need), "action": "introduce"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.BROKER_NEEDS)
    form = PolicyForm(
        request.POST or None,
        initial={"live_needs_limit": services_needs.live_needs_limit(member.organisation)},
        prefix="policy",
    )
    return form_page(
        request,
        form,
        save=lambda: services_needs.policy_set(actor=member.user, member=member, **form.cleaned_data),
        message="The wish list's policy is saved.",
        success_url=reverse("brokerage:broker-queue", kwargs={"org": org}),
        template="brokerage/policy.html",
        context={"member": member},
    )


@login_required
@require_GET
def figures(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_BROKERAGE_FIGURES)
    return render(
        request, "brokerage/figures.html", {"member": member, "figures": selectors.figures_for(member=member)}
    )


@login_required
@require_GET
def figures_csv(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_BROKERAGE_FIGURES)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-wish-list-figures.csv"'
    csv_write(response, downloads.FIELDS, downloads.figures_rows(selectors.figures_for(member=member)))
    return response


@login_required
@require_GET
def figures_xlsx(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_BROKERAGE_FIGURES)
    response = HttpResponse(
        downloads.figures_xlsx(selectors.figures_for(member=member)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{org}-wish-list-figures.xlsx"'
    return response
