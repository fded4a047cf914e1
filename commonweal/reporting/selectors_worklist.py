"""Reporting's part of the home page's to-do list: impact reports waiting for sign-off."""

from django.urls import reverse

from commonweal.core.worklist import LINKS_SHOWN, WorkItem, WorkLink
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from .models import ImpactReport, ReportState


def buyer_items(*, member: Member) -> list[WorkItem]:
    if not member.may(Permission.SIGN_OFF_REPORTS):
        return []
    waiting = ImpactReport.objects.filter(
        organisation=member.organisation, state=ReportState.AWAITING_SIGN_OFF
    ).order_by("submitted_at", "id")
    slug = member.organisation.slug
    links = [
        WorkLink(report.title, reverse("reporting:report-detail", kwargs={"org": slug, "pk": report.pk}))
        for report in waiting[:LINKS_SHOWN]
    ]
    count = waiting.count()
    url = links[0].url if count == 1 else reverse("reporting:report-list", kwargs={"org": slug})
    return [WorkItem("reports-to-sign-off", "Impact reports waiting for sign-off", url, count, links=links)]
