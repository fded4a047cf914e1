"""Reads for panels: the organisation's panels, their meetings and the needs raised, the organisations a
meeting may list as attending, and counts of meetings and needs by state."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from commonweal.spend.places import place_label
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .models import NeedState, Panel, PanelMeeting, PanelNeed


def panel_list(*, member: Member) -> QuerySet[Panel]:
    """The organisation's panels, each with `meeting_count`, `need_count` and `open_need_count`."""
    return Panel.objects.filter(organisation=member.organisation).annotate(
        meeting_count=Count("meetings", distinct=True),
        need_count=Count("meetings__needs", distinct=True),
        open_need_count=Count("meetings__needs", filter=Q(meetings__needs__state=NeedState.OPEN), distinct=True),
    )


def panel_get(*, member: Member, pk: int) -> Panel:
    panel = panel_list(member=member).filter(pk=pk).first()
    if panel is None:
        raise Http404("No such panel.")
    return panel


def meeting_list(*, panel: Panel) -> QuerySet[PanelMeeting]:
    return panel.meetings.prefetch_related("attending").annotate(need_count=Count("needs"))


def meeting_get(*, member: Member, pk: int) -> PanelMeeting:
    meeting = (
        PanelMeeting.objects.filter(organisation=member.organisation, pk=pk)
        .select_related("panel")
        .prefetch_related("attending")
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def need_list(*, meeting: PanelMeeting) -> list[PanelNeed]:
    """The meeting's needs, each with `place_text` naming its ward or district."""
    needs = list(meeting.needs.select_related("raised_by").prefetch_related("outcomes"))
    for need in needs:
        need.place_text = place_label(need.place_code) if need.place_code else ""  # type: ignore[attr-defined]
    return needs


def need_get(*, member: Member, pk: int) -> PanelNeed:
    need = (
        PanelNeed.objects.filter(organisation=member.organisation, pk=pk)
        .select_related("meeting__panel", "raised_by")
        .first()
    )
    if need is None:
        raise Http404("No such need.")
    return need


def attendee_choice_list() -> QuerySet[Organisation]:
    """Organisations in Commonweal a meeting may list as attending (their names are not private)."""
    return Organisation.objects.order_by("name")
