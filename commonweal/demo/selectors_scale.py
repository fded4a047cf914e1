"""Reads of the `commonweal demo scale` dataset for the load benchmark: who signs in, and what they can do."""

from typing import Any

from django.db.models import Count, Exists, OuterRef

from commonweal.delivery.models import Agreement, DeliveryReturn, ReportingPeriod
from commonweal.delivery.selectors_status import today_local
from commonweal.tenancy.models import Organisation

# The password of every generated account (load tests sign in with it); never a real account's.
SCALE_PASSWORD = "scale-demo-password"


def body_slug(number: int) -> str:
    return f"scale-body-{number:03d}"


def supplier_slug(number: int) -> str:
    return f"scale-supplier-{number:05d}"


def plan_for_load(*, organisations: int, agreements_per_body: int = 50) -> dict[str, Any]:
    """The bodies (their accounts and some agreements) and every return that can be submitted now: one entry
    for each started period without a return, with the supplier's contact and the commitments to report on."""
    slugs = [body_slug(number) for number in range(1, organisations + 1)]
    bodies = []
    for organisation in Organisation.objects.filter(slug__in=slugs).order_by("slug"):
        agreements = list(
            Agreement.objects.filter(organisation=organisation)
            .order_by("reference")
            .values_list("pk", flat=True)[:agreements_per_body]
        )
        bodies.append(
            {
                "slug": organisation.slug,
                "name": organisation.name,
                "lead": f"lead@{organisation.slug}.example",
                "manager": f"manager@{organisation.slug}.example",
                "agreements": agreements,
            }
        )
    returned = DeliveryReturn.objects.filter(period=OuterRef("pk"))
    open_periods = (
        ReportingPeriod.objects.filter(agreement__organisation__slug__in=slugs, start_date__lte=today_local())
        .filter(~Exists(returned))
        .values("agreement")
        .annotate(open=Count("pk"))
    )
    opened = {row["agreement"]: row["open"] for row in open_periods}
    returns = []
    for agreement in (
        Agreement.objects.filter(pk__in=opened)
        .select_related("supplier")
        .prefetch_related("commitments")
        .order_by("pk")
    ):
        work = {
            "email": f"contact@{agreement.supplier.slug}.example",
            "supplier": agreement.supplier.slug,
            "agreement": agreement.pk,
            "commitments": [commitment.pk for commitment in agreement.commitments.all()],
        }
        returns.extend([work] * opened[agreement.pk])
    return {"password": SCALE_PASSWORD, "bodies": bodies, "returns": returns}
