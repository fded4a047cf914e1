"""Reads for the public hub: the lead's pages and stories, the snapshot a publication keeps, and what
anyone may read (only the latest publication of an organisation, never anything else)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from commonweal.delivery.models import (
    Agreement,
    CaseStudy,
    Commitment,
    CommitmentState,
    PerformanceAssessment,
    ReturnLine,
)
from commonweal.frameworks.models import FocusArea, PlanPublication, UnitKind
from commonweal.procurement.models import Award
from commonweal.spend.places import place_name
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import hub
from .annual import content_from_dict
from .annual_files import ReportView
from .models import Publication, PublicPage, ReportVersion, Story
from .selectors_budget import suppression_threshold
from .selectors_report import case_study_choice_list

ZERO = Decimal("0")


def boundaries_dir() -> str:
    return str(settings.BOUNDARIES_DIR)


# --- The lead's side ---------------------------------------------------------------------------------------


def page_list(*, member: Member) -> QuerySet[PublicPage]:
    return PublicPage.objects.filter(organisation=member.organisation)


def page_get(*, member: Member, pk: int) -> PublicPage:
    page = page_list(member=member).filter(pk=pk).first()
    if page is None:
        raise Http404("No such page.")
    return page


def story_list(*, member: Member) -> QuerySet[Story]:
    return Story.objects.filter(organisation=member.organisation).select_related(
        "case_study__delivery_return__agreement__supplier", "taken_down_by"
    )


def story_get(*, member: Member, pk: int) -> Story:
    story = story_list(member=member).filter(pk=pk).first()
    if story is None:
        raise Http404("No such story.")
    return story


def story_candidate_list(*, member: Member) -> QuerySet[CaseStudy]:
    """Case studies with the participant's consent that are not yet offered as a story."""
    return case_study_choice_list(member=member).filter(public_story__isnull=True)


def publication_list(*, member: Member) -> QuerySet[Publication]:
    return Publication.objects.filter(organisation=member.organisation).select_related("published_by")


# --- The snapshot --------------------------------------------------------------------------------------------


def _ocid_prefix() -> str:
    return str(settings.OCDS_OCID_PREFIX or "ocds-commonweal")


def _party(organisation: Organisation) -> dict[str, Any]:
    """As the procurement OCDS export names a party (`<prefix>-org-<slug>`)."""
    return {
        "id": f"{_ocid_prefix()}-org-{organisation.slug}",
        "name": organisation.name,
        "companies_house_number": organisation.companies_house_number,
        "charity_number": organisation.charity_number,
        "sme": organisation.is_sme,
        "vcse": organisation.is_vcse,
    }


def _line_totals(organisation: Organisation) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Claimed and verified quantities by commitment, summed by the database."""
    lines = ReturnLine.objects.filter(organisation=organisation, delivery_return__agreement__organisation=organisation)

    def totals(queryset: Any) -> dict[int, Decimal]:
        rows = queryset.values("commitment").annotate(total=Sum("quantity")).values_list("commitment", "total")
        return {pk: Decimal(total or 0).quantize(Decimal("0.01")) for pk, total in rows}

    return totals(lines.claimed()), totals(lines.verified())


def _unit_label(unit: str) -> str:
    return UnitKind(unit).label if unit in UnitKind.values else unit


def _place_label(code: str) -> str:
    if not code:
        return "Across the area (no place given)"
    name = place_name(code)
    return f"{name} ({code})" if name else code


def _contracts(organisation: Organisation, *, threshold: int, today: Any) -> list[dict[str, Any]]:
    claimed, verified = _line_totals(organisation)
    awards = {
        award.agreement_id: award
        for award in Award.objects.filter(agreement__organisation=organisation).select_related("procurement")
    }
    commitments: dict[int, list[Commitment]] = defaultdict(list)
    for commitment in (
        Commitment.objects.filter(
            organisation=organisation, agreement__organisation=organisation, state=CommitmentState.ACTIVE
        )
        .select_related("measure")
        .order_by("due_date", "pk")
    ):
        commitments[commitment.agreement_id].append(commitment)
    prefix = _ocid_prefix()
    out = []
    for agreement in (
        Agreement.objects.filter(organisation=organisation).select_related("supplier").order_by("reference")
    ):
        award = awards.get(agreement.pk)
        if award is not None:
            procurement = award.procurement
            ocid = procurement.ocid or f"{prefix}-{organisation.slug}-{procurement.reference}"
            award_id = award.ocds_award_id or f"{ocid}-award-{award.pk}"
            award_date = award.awarded_at
        else:
            ocid = f"{prefix}-{organisation.slug}-{agreement.reference}"
            award_id = f"{ocid}-award"
            award_date = datetime.combine(
                agreement.start_date, datetime.min.time(), tzinfo=timezone.get_current_timezone()
            )
        items = []
        for commitment in commitments.get(agreement.pk, []):
            unit = commitment.measure.unit
            done = verified.get(commitment.pk, ZERO)
            status = hub.commitment_status(
                target=commitment.target_quantity, verified=done, due_date=commitment.due_date, today=today
            )
            items.append(
                {
                    "id": commitment.pk,
                    "ocds_id": f"{ocid}-commitment-{commitment.pk}",
                    "measure_code": commitment.measure.code,
                    "measure_title": commitment.measure.title,
                    "unit": unit,
                    "unit_label": _unit_label(unit),
                    "target": str(commitment.target_quantity),
                    "due_date": commitment.due_date.isoformat(),
                    "place_code": commitment.place_code,
                    "place_label": _place_label(commitment.place_code),
                    "beneficiary_group": commitment.beneficiary_group,
                    "claimed": hub.count_cell(claimed.get(commitment.pk, ZERO), unit=unit, threshold=threshold),
                    "verified": hub.count_cell(done, unit=unit, threshold=threshold),
                    "status": status,
                    "status_label": hub.STATUS_LABELS[status],
                }
            )
        out.append(
            {
                "id": agreement.pk,
                "reference": agreement.reference,
                "title": agreement.title,
                "kind_label": agreement.get_kind_display(),
                "supplier": agreement.supplier.name,
                "supplier_party": _party(agreement.supplier),
                "value": str(agreement.value),
                "start_date": agreement.start_date.isoformat(),
                "end_date": agreement.end_date.isoformat(),
                "status": "terminated" if agreement.end_date < today else "active",
                "ocid": ocid,
                "contract_id": f"{ocid}-contract-{agreement.reference}",
                "award_id": award_id,
                "award_date": award_date.isoformat(),
                "commitments": items,
            }
        )
    return out


def _delivered(contracts: list[dict[str, Any]], organisation: Organisation, threshold: int) -> list[dict[str, Any]]:
    """Committed, claimed and verified by measure, over every public contract (claimed shown apart)."""
    claimed, verified = _line_totals(organisation)
    sums: dict[str, dict[str, Any]] = {}
    for contract in contracts:
        for item in contract["commitments"]:
            row = sums.setdefault(
                item["measure_code"],
                {"item": item, "committed": ZERO, "claimed": ZERO, "verified": ZERO},
            )
            row["committed"] += Decimal(item["target"])
            row["claimed"] += claimed.get(item["id"], ZERO)
            row["verified"] += verified.get(item["id"], ZERO)
    out = []
    for code, row in sorted(sums.items()):
        item = row["item"]
        out.append(
            {
                "measure_code": code,
                "measure_title": item["measure_title"],
                "unit": item["unit"],
                "unit_label": item["unit_label"],
                "committed": hub.cell_dump(row["committed"]),
                "claimed": hub.count_cell(row["claimed"], unit=item["unit"], threshold=threshold),
                "verified": hub.count_cell(row["verified"], unit=item["unit"], threshold=threshold),
            }
        )
    return out


def _where(contracts: list[dict[str, Any]], organisation: Organisation, threshold: int) -> list[dict[str, Any]]:
    """Committed and verified by place for each measure, small counts suppressed column by column."""
    _claimed, verified = _line_totals(organisation)
    by_measure: dict[str, dict[str, Any]] = {}
    for contract in contracts:
        for item in contract["commitments"]:
            measure = by_measure.setdefault(item["measure_code"], {"item": item, "places": {}})
            place = measure["places"].setdefault(
                item["place_code"], {"label": item["place_label"], "committed": ZERO, "verified": ZERO}
            )
            place["committed"] += Decimal(item["target"])
            place["verified"] += verified.get(item["id"], ZERO)
    out = []
    for code, measure in sorted(by_measure.items()):
        item = measure["item"]
        keys = sorted(measure["places"], key=lambda key: (key == "", measure["places"][key]["label"]))
        # Targets are contract terms, published whole (as in the OCDS); what was delivered is suppressed.
        committed = [measure["places"][key]["committed"] for key in keys]
        columns = {"committed": [hub.cell_dump(value) for value in committed]}
        totals = {"committed": hub.cell_dump(sum(committed, ZERO))}
        verified_values = [measure["places"][key]["verified"] for key in keys]
        columns["verified"], totals["verified"] = hub.column_cells(
            verified_values, unit=item["unit"], threshold=threshold
        )
        out.append(
            {
                "measure_code": code,
                "measure_title": item["measure_title"],
                "unit": item["unit"],
                "unit_label": item["unit_label"],
                "rows": [
                    {
                        "code": key,
                        "level": hub.place_level(key),
                        "label": measure["places"][key]["label"],
                        "committed": columns["committed"][index],
                        "verified": columns["verified"][index],
                    }
                    for index, key in enumerate(keys)
                ],
                "totals": totals,
            }
        )
    return out


def _map(organisation: Organisation, where: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The council's districts' wards, shaded where delivery was verified or only promised."""
    focus = FocusArea.objects.filter(organisation=organisation).values_list("gss_code", flat=True)
    codes = {row["code"] for measure in where for row in measure["rows"]}
    districts = {code for code in [*codes, *focus] if hub.place_level(code) == "district"}
    classes: dict[str, str] = {}
    for measure in where:
        for row in measure["rows"]:
            verified = row["verified"]
            delivered = verified["value"] is None or Decimal(verified["value"]) > 0
            if delivered:
                classes[row["code"]] = "delivered"
            else:
                classes.setdefault(row["code"], "promised")
    svg = hub.map_svg(
        boundaries_dir=boundaries_dir(),
        districts=districts,
        classes=classes,
        title=f"Map of the wards of {organisation.name}'s area, shaded where social value was promised or delivered",
    )
    return None if svg is None else {"svg": svg, "attribution": hub.MAP_ATTRIBUTION}


def _stories(organisation: Organisation, previous: dict[str, Any] | None, now: datetime) -> list[dict[str, Any]]:
    """Stories not taken down whose participant and supplier both consented, on submitted returns."""
    earlier = {story["id"]: story["first_published_at"] for story in (previous or {}).get("stories", [])}
    consented = case_study_choice_list(member=Member.system(organisation)).values_list("pk", flat=True)
    stories = (
        Story.objects.filter(organisation=organisation, taken_down_at__isnull=True, case_study__in=consented)
        .exclude(supplier_consent_given_by="")
        .select_related("case_study__delivery_return__agreement__supplier", "case_study__commitment__measure")
        .order_by("-created_at", "-id")
    )
    out = []
    for story in stories:
        case = story.case_study
        agreement = case.delivery_return.agreement
        out.append(
            {
                "id": story.pk,
                "title": case.title,
                "story": case.story,
                "supplier": agreement.supplier.name,
                "contract_reference": agreement.reference,
                "contract_title": agreement.title,
                "measure_title": case.commitment.measure.title if case.commitment else "",
                "consent_date": case.consent_date.isoformat(),
                "supplier_consent_date": story.supplier_consent_date.isoformat(),
                "has_image": bool(story.image),
                "image_alt": story.image_alt,
                "video_url": story.video_url,
                "first_published_at": earlier.get(story.pk, now.isoformat()),
            }
        )
    return out


def _reports(organisation: Organisation) -> list[dict[str, Any]]:
    return [
        {
            "id": version.pk,
            "number": version.number,
            "title": version.snapshot.get("title", version.report.title),
            "summary": version.snapshot.get("summary", ""),
            "year_label": version.report.year.label,
            "published_at": version.published_at.isoformat(),
            "change_note": version.change_note,
        }
        for version in ReportVersion.objects.filter(organisation=organisation)
        .select_related("report__year")
        .order_by("-published_at", "-number")
    ]


def _performance(organisation: Organisation, contracts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_agreement = {contract["id"]: contract for contract in contracts}
    out = []
    for assessment in PerformanceAssessment.objects.filter(
        organisation=organisation, agreement__organisation=organisation
    ).order_by("-as_at", "-id"):
        contract = by_agreement[assessment.agreement_id]
        out.append(
            {
                "id": assessment.pk,
                "contract_reference": contract["reference"],
                "contract_title": contract["title"],
                "supplier": contract["supplier"],
                "ocid": contract["ocid"],
                "contract_id": contract["contract_id"],
                "as_at": assessment.as_at.isoformat(),
                "rating": assessment.rating,
                "rating_label": assessment.get_rating_display(),
                "confirmed_at": assessment.created_at.date().isoformat(),
            }
        )
    return out


def hub_snapshot(*, organisation: Organisation, now: datetime, previous: dict[str, Any] | None) -> dict[str, Any]:
    """Everything the hub will show, as plain JSON data: what a publication keeps."""
    threshold = suppression_threshold()
    today = timezone.localdate(now)
    contracts = _contracts(organisation, threshold=threshold, today=today)
    where = _where(contracts, organisation, threshold)
    delivered = _delivered(contracts, organisation, threshold)
    hub.hide_what_would_reveal_places(contracts=contracts, delivered=delivered, where=where, threshold=threshold)
    return {
        "organisation": {"name": organisation.name, "slug": organisation.slug},
        "buyer_party": _party(organisation),
        "published_at": now.isoformat(),
        "threshold": threshold,
        "plan_published": PlanPublication.objects.filter(
            organisation=organisation, published_at__isnull=False
        ).exists(),
        "pages": [
            {
                "id": page.pk,
                "slug": page.slug,
                "kind": page.kind,
                "kind_label": page.get_kind_display(),
                "title": page.title,
                "summary": page.summary,
                "body": page.body,
            }
            for page in PublicPage.objects.filter(organisation=organisation, ready=True)
        ],
        "contracts": contracts,
        "delivered": delivered,
        "where": where,
        "map": _map(organisation, where),
        "stories": _stories(organisation, previous, now),
        "reports": _reports(organisation),
        "performance": _performance(organisation, contracts),
    }


# --- What anyone may read ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hub:
    publication: Publication
    snapshot: dict[str, Any]

    @property
    def organisation(self) -> dict[str, Any]:
        return dict(self.snapshot["organisation"])

    @property
    def slug(self) -> str:
        return str(self.snapshot["organisation"]["slug"])

    def page(self, slug: str) -> dict[str, Any]:
        page = next((page for page in self.snapshot["pages"] if page["slug"] == slug), None)
        if page is None:
            raise Http404("No such page.")
        return dict(page, html=hub.markdown_lite(page["body"]))

    def story(self, pk: int) -> dict[str, Any]:
        story = next((story for story in self.snapshot["stories"] if story["id"] == pk), None)
        if story is None:
            raise Http404("No such story.")
        return dict(story)

    def report(self, pk: int) -> dict[str, Any]:
        report = next((report for report in self.snapshot["reports"] if report["id"] == pk), None)
        if report is None:
            raise Http404("No such report.")
        return dict(report)


def hub_get(*, slug: str) -> Hub:
    """An organisation's hub as its latest publication keeps it, for anyone; a 404 until it is published,
    and after it is withdrawn."""
    publication = Publication.objects.filter(organisation__slug=slug).order_by("-number").first()
    if publication is None or publication.withdrawn:
        raise Http404("No such hub.")
    return Hub(publication=publication, snapshot=publication.snapshot)


def hub_story_image(*, hub_: Hub, pk: int) -> Story:
    """A story's image, only while the story is on the hub."""
    hub_.story(pk)
    story = Story.objects.filter(
        organisation=hub_.publication.organisation_id, pk=pk, taken_down_at__isnull=True
    ).first()
    if story is None or not story.image:
        raise Http404("No such image.")
    return story


def hub_report_view(*, hub_: Hub, pk: int) -> ReportView:
    """A published report version on the hub, from its own snapshot."""
    hub_.report(pk)
    version = ReportVersion.objects.filter(organisation=hub_.publication.organisation_id, pk=pk).first()
    if version is None:
        raise Http404("No such report.")
    return ReportView(
        content=content_from_dict(version.snapshot),
        draft=False,
        version=version.number,
        published_at=version.published_at,
        change_note=version.change_note,
    )
