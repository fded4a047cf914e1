"""The member's pages under /o/<org>/networks/: its invitations and networks, what it lets each network
see, its quarterly figures and pledges, the lines of its own the one count left out, and recording
participants of joint programmes it is a partner in. Read by every member of the public body; changed by
its social value lead."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require

from . import (
    selectors_membership,
    selectors_metrics,
    selectors_programmes,
    selectors_reports,
    services_membership,
    services_metrics,
    services_programmes,
)
from .forms_membership import AnswerForm, SharingForm
from .forms_metrics import PledgeForm, SubmissionForm
from .forms_programmes import ParticipantForm
from .models import MetricKind
from .rules import Quarter


def _detail_url(org: str, pk: int) -> str:
    return reverse("networks:membership-detail", kwargs={"org": org, "pk": pk})


@login_required
@require_GET
def network_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    return render(
        request,
        "networks/member_list.html",
        {
            "member": member,
            "memberships": selectors_membership.membership_list(member=member),
            "partners": selectors_programmes.partner_list(member=member),
        },
    )


@login_required
@require_GET
def membership_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    membership = selectors_membership.membership_get(member=member, pk=pk)
    try:
        quarter = (
            Quarter.parse(request.GET["quarter"]) if request.GET.get("quarter") else selectors_reports.quarter_current()
        )
    except ApplicationError:
        quarter = selectors_reports.quarter_current()
    return render(
        request,
        "networks/member_detail.html",
        {
            "member": member,
            "membership": membership,
            "quarter": quarter,
            "metrics": selectors_metrics.member_metric_list(membership=membership),
            "submissions": selectors_metrics.own_submission_list(membership=membership)[:20],
            "pledges": selectors_metrics.own_pledge_list(membership=membership),
            "left_out": selectors_reports.member_left_out(membership=membership, quarter=quarter),
            "reports": selectors_reports.member_report_list(membership=membership),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_answer(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    membership = selectors_membership.membership_get(member=member, pk=pk)
    form = AnswerForm(request.POST or None, prefix="nw")
    return form_page(
        request,
        form,
        save=lambda: services_membership.invitation_answer(
            actor=member.user, member=member, membership=membership, accept=form.cleaned_data["answer"] == "accept"
        ),
        message=lambda m: (
            f"You have joined {m.network.name}: choose what it may see."
            if m.is_active
            else f"You declined the invitation to {m.network.name}."
        ),
        success_url=_detail_url(org, membership.pk),
        template="networks/member_answer.html",
        context={"member": member, "membership": membership},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_sharing(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    membership = selectors_membership.membership_get(member=member, pk=pk)
    form = SharingForm(
        request.POST or None,
        prefix="nw",
        initial={"sharing": membership.sharing, "named_in_benchmarks": membership.named_in_benchmarks},
    )
    return form_page(
        request,
        form,
        save=lambda: services_membership.sharing_set(
            actor=member.user,
            member=member,
            membership=membership,
            sharing=form.cleaned_data["sharing"],
            named_in_benchmarks=form.cleaned_data["named_in_benchmarks"],
        ),
        message=lambda m: f"{m.network.name} may now see: {m.get_sharing_display().split(':')[0].lower()}.",
        success_url=_detail_url(org, membership.pk),
        template="networks/member_sharing.html",
        context={"member": member, "membership": membership},
    )


@login_required
@require_http_methods(["GET", "POST"])
def figure_submit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    membership = selectors_membership.membership_get(member=member, pk=pk)
    metrics = selectors_metrics.member_metric_list(membership=membership).filter(kind=MetricKind.SUBMITTED)
    form = SubmissionForm(
        request.POST or None,
        prefix="nw",
        metrics=metrics,
        initial={"quarter": str(selectors_reports.quarter_current())},
    )
    return form_page(
        request,
        form,
        save=lambda: services_metrics.figure_submit(
            actor=member.user,
            member=member,
            metric=form.cleaned_data["metric"],
            quarter=form.cleaned_data["quarter"],
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
        ),
        message=lambda s: f"Your figure for {s.metric.title}, {s.quarter}, is submitted.",
        success_url=_detail_url(org, membership.pk),
        template="networks/member_form.html",
        context={
            "member": member,
            "membership": membership,
            "heading": "Submit a quarterly figure",
            "button": "Submit the figure",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_set(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    membership = selectors_membership.membership_get(member=member, pk=pk)
    form = PledgeForm(
        request.POST or None, prefix="nw", metrics=selectors_metrics.member_metric_list(membership=membership)
    )
    return form_page(
        request,
        form,
        save=lambda: services_metrics.pledge_set(
            actor=member.user,
            member=member,
            metric=form.cleaned_data["metric"],
            baseline=form.cleaned_data["baseline"],
            target=form.cleaned_data["target"],
            target_date=form.cleaned_data["target_date"],
        ),
        message=lambda p: f"Your pledge on {p.metric.title} is saved.",
        success_url=_detail_url(org, membership.pk),
        template="networks/member_form.html",
        context={"member": member, "membership": membership, "heading": "Make a pledge", "button": "Save the pledge"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_record(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    partner = selectors_programmes.partner_get(member=member, pk=pk)
    form = ParticipantForm(request.POST or None, prefix="nw")
    return form_page(
        request,
        form,
        save=lambda: services_programmes.participant_record(
            actor=member.user,
            member=member,
            partner=partner,
            participant_id=form.cleaned_data["participant_id"],
            stage=form.cleaned_data["stage"],
            reached_on=form.cleaned_data["reached_on"],
        ),
        message="The participant's stage is recorded.",
        success_url=reverse("networks:participant-record", kwargs={"org": org, "pk": partner.pk}),
        template="networks/participant_form.html",
        context={"member": member, "partner": partner},
    )
