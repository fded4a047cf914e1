"""Spend's part of the home page's to-do list: imports waiting for their columns to be confirmed."""

from django.urls import reverse

from commonweal.core.formatting import uk_date
from commonweal.core.worklist import LINKS_SHOWN, WorkItem, WorkLink
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from .models import ImportStatus, SpendImport


def buyer_items(*, member: Member) -> list[WorkItem]:
    if not member.may(Permission.MANAGE_SPEND):
        return []
    waiting = SpendImport.objects.filter(
        organisation=member.organisation, status=ImportStatus.AWAITING_MAPPING
    ).order_by("created_at", "id")
    slug = member.organisation.slug
    links = [
        WorkLink(
            item.original_name,
            reverse("spend:import-mapping", kwargs={"org": slug, "pk": item.pk}),
            f"Uploaded {uk_date(item.created_at)}",
        )
        for item in waiting[:LINKS_SHOWN]
    ]
    count = waiting.count()
    url = links[0].url if count == 1 else reverse("spend:import-list", kwargs={"org": slug})
    return [WorkItem("spend-mapping", "Spend files waiting for a column mapping", url, count, links=links)]
