"""Panels: the lead's pages under /o/<org>/panels/ (VCSE forums, poverty truth commissions), read by every
member, written by the social value lead."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import member_require

from . import selectors_panels as selectors
from . import services_panels as services
from .access import READ, page_member
from .forms_panels import MeetingForm, NeedForm, NeedStateForm, PanelForm
from .models import Panel, PanelMeeting
from .selectors_consultations import outcome_choice_list


def _panel_url(org: str, panel: Panel) -> str:
    return reverse("reporting:panel-detail", kwargs={"org": org, "pk": panel.pk})


def _meeting_url(org: str, meeting: PanelMeeting) -> str:
    return reverse("reporting:panel-meeting", kwargs={"org": org, "pk": meeting.pk})


@login_required
@require_GET
def panel_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    return render(
        request, "reporting/panels/list.html", {"member": member, "panels": selectors.panel_list(member=member)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_create(request: HttpRequest, org: str) -> HttpResponse:
    member = page_member(request, org)
    form = PanelForm(request.POST or None, prefix="panel")
    return form_page(
        request,
        form,
        save=lambda: services.panel_create(actor=member.user, member=member, **form.cleaned_data),
        message="The panel is set up: record its meetings.",
        success_url=lambda panel: _panel_url(org, panel),
        template="reporting/panels/form.html",
        context={"member": member},
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The panel, its meetings, and a form to record a meeting."""
    member = page_member(request, org)
    panel = selectors.panel_get(member=member, pk=pk)
    form = MeetingForm(request.POST or None, organisations=selectors.attendee_choice_list(), prefix="meeting")
    return form_page(
        request,
        form,
        save=lambda: services.meeting_record(
            actor=member.user,
            member=member,
            panel=panel,
            held_on=form.cleaned_data["held_on"],
            place=form.cleaned_data["place"],
            notes=form.cleaned_data["notes"],
            attending=list(form.cleaned_data["attending"]),
            other_attendees=form.cleaned_data["other_attendees"],
        ),
        message="The meeting is recorded: add the needs raised at it.",
        success_url=lambda meeting: _meeting_url(org, meeting),
        template="reporting/panels/detail.html",
        context={"member": member, "panel": panel, "meetings": selectors.meeting_list(panel=panel)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """A meeting: who attended, the needs raised, and a form to record a need."""
    member = page_member(request, org)
    meeting = selectors.meeting_get(member=member, pk=pk)
    form = NeedForm(
        request.POST or None,
        attendees=meeting.attending.order_by("name"),
        outcomes=outcome_choice_list(member=member),
        prefix="need",
    )
    return form_page(
        request,
        form,
        save=lambda: services.need_record(
            actor=member.user,
            member=member,
            meeting=meeting,
            description=form.cleaned_data["description"],
            kind=form.cleaned_data["kind"],
            raised_by=form.cleaned_data["raised_by"],
            outcomes=list(form.cleaned_data["outcomes"]),
            place_code=form.cleaned_data["place_code"],
        ),
        message="The need is recorded.",
        success_url=_meeting_url(org, meeting),
        template="reporting/panels/meeting.html",
        context={"member": member, "meeting": meeting, "needs": selectors.need_list(meeting=meeting)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_state(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    need = selectors.need_get(member=member, pk=pk)
    form = NeedStateForm(request.POST or None, initial={"state": need.state, "note": need.state_note}, prefix="state")
    return form_page(
        request,
        form,
        save=lambda: services.need_state_set(actor=member.user, member=member, need=need, **form.cleaned_data),
        message="The need is updated.",
        success_url=_meeting_url(org, need.meeting),
        template="reporting/panels/need_state.html",
        context={"member": member, "need": need},
    )
