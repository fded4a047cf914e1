"""Reads for the annual impact report: reports, their sections and published versions, the case studies a
report may use, and a report's content (a draft's gathered live from the budget; a version's from its
snapshot). Every read is through the member's organisation: another's report is a 404."""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from commonweal.delivery.models import CaseStudy, ReturnState
from commonweal.frameworks.models import ValueSet
from commonweal.frameworks.selectors_value_sets import value_set_label
from commonweal.tenancy.selectors import Member

from . import annual
from .annual import (
    CaseStudyText,
    Methodology,
    ReportContent,
    Section,
    ValueEntryText,
    ValueSetText,
    content_from_dict,
)
from .annual_files import ReportView, VersionNote
from .budget import Budget
from .models import BudgetLine, FinancialYear, ImpactReport, ReportSection, ReportVersion
from .selectors_budget import budget_get


def report_list(*, member: Member) -> QuerySet[ImpactReport]:
    return (
        ImpactReport.objects.filter(organisation=member.organisation)
        .select_related("year")
        .prefetch_related("versions")
        .order_by("-year__start_year")
    )


def report_get(*, member: Member, pk: int) -> ImpactReport:
    report = (
        ImpactReport.objects.filter(organisation=member.organisation, pk=pk)
        .select_related("year__value_set", "created_by", "submitted_by", "signed_off_by")
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    return report


def report_for_year(*, member: Member, start_year: int) -> ImpactReport | None:
    return report_list(member=member).filter(year__start_year=start_year).first()


def section_get(*, member: Member, pk: int) -> ReportSection:
    section = (
        ReportSection.objects.filter(organisation=member.organisation, pk=pk, report__organisation=member.organisation)
        .select_related("report__year")
        .first()
    )
    if section is None:
        raise Http404("No such section.")
    return section


def version_list(*, member: Member, report: ImpactReport) -> QuerySet[ReportVersion]:
    return ReportVersion.objects.filter(organisation=member.organisation, report=report).select_related(
        "published_by", "signed_off_by"
    )


def version_get(*, member: Member, pk: int) -> ReportVersion:
    version = (
        ReportVersion.objects.filter(organisation=member.organisation, pk=pk)
        .select_related("report__year", "published_by", "signed_off_by")
        .first()
    )
    if version is None:
        raise Http404("No such version.")
    return version


def version_latest(*, member: Member, report: ImpactReport) -> ReportVersion | None:
    return version_list(member=member, report=report).order_by("-number").first()


def years_without_report(*, member: Member) -> QuerySet[FinancialYear]:
    """The organisation's financial years that have no report yet (one report a year)."""
    return FinancialYear.objects.filter(organisation=member.organisation, report__isnull=True).order_by("-start_year")


def case_study_choice_list(*, member: Member, year: FinancialYear | None = None) -> QuerySet[CaseStudy]:
    """Case studies a report may publish: on the organisation's agreements' submitted returns (a draft is
    the supplier's own), with the consent to publish recorded (who gave it, and when); for a `year`, those
    whose return's period ends in it (a return with no period: submitted in it)."""
    cases = CaseStudy.objects.all()
    if year is not None:
        within = (year.start_date, year.end_date)
        cases = cases.filter(
            Q(delivery_return__period__end_date__range=within)
            | Q(delivery_return__period__isnull=True, delivery_return__submitted_at__date__range=within)
        )
    return (
        cases.filter(
            organisation=member.organisation,
            delivery_return__agreement__organisation=member.organisation,
            delivery_return__state=ReturnState.SUBMITTED,
        )
        .exclude(consent_given_by="")
        .filter(consent_date__isnull=False)
        .select_related("delivery_return__agreement__supplier", "commitment__measure")
        .order_by("-consent_date", "-id")
    )


def _case_study_text(case: CaseStudy) -> CaseStudyText:
    agreement = case.delivery_return.agreement
    return CaseStudyText(
        title=case.title,
        story=case.story,
        consent_given_by=case.consent_given_by,
        consent_date=case.consent_date,
        agreement=f"{agreement.reference} {agreement.title}",
        supplier=agreement.supplier.name,
        measure=case.commitment.measure.title if case.commitment else "",
    )


def _value_sets_used(report: ImpactReport, budget: Budget) -> tuple[ValueSetText, ...]:
    """The year's value set and those of its £ budget lines, with the entries of the measures they valued."""
    year = report.year
    used: dict[int, tuple[ValueSet, list[str], set[str]]] = {}
    codes = {measure.code for measure in budget.measures}
    if year.value_set is not None:
        used[year.value_set.pk] = (year.value_set, ["the year's figures"], set(codes))
    for line in BudgetLine.objects.filter(year=year, value_set__isnull=False).select_related(
        "value_set", "measure", "department"
    ):
        assert line.value_set is not None
        value_set, uses, measure_codes = used.setdefault(line.value_set.pk, (line.value_set, [], set()))
        uses.append(f"the £ budget line {line.measure.code} of {line.department.name}")
        measure_codes.add(line.measure.code)
    texts = []
    for value_set, uses, measure_codes in used.values():
        entries = value_set.entries.filter(measure_code__in=measure_codes).order_by("measure_code")
        texts.append(
            ValueSetText(
                title=value_set_label(value_set),
                code=value_set.code,
                source=value_set.source,
                licence=value_set.licence,
                base_year=value_set.base_year,
                valid_from=value_set.valid_from,
                valid_to=value_set.valid_to,
                used_for="; ".join(uses),
                entries=tuple(
                    ValueEntryText(
                        measure_code=entry.measure_code,
                        value_per_unit=entry.value_per_unit,
                        source=entry.source,
                        base_year=entry.base_year,
                        deadweight=entry.deadweight,
                        attribution=entry.attribution,
                        displacement=entry.displacement,
                        drop_off=entry.drop_off,
                        duration_years=entry.duration_years,
                    )
                    for entry in entries
                ),
            )
        )
    return tuple(texts)


def report_content(*, member: Member, report: ImpactReport, as_at: date | None = None) -> ReportContent:
    """The report as it would publish now: the year's figures (live, or frozen if the year is closed), the
    narrative in order, the chosen case studies and the methodology appendix."""
    report = report_get(member=member, pk=report.pk)
    budget = budget_get(member=member, year=report.year, shares=True, as_at=as_at)
    cases = case_study_choice_list(member=member).filter(pk__in=report.case_studies.values("pk"))
    return ReportContent(
        title=report.title,
        summary=report.summary,
        organisation=member.organisation.name,
        year_label=report.year.label,
        budget=budget,
        sections=tuple(Section(section.heading, section.body) for section in report.sections.all()),
        case_studies=tuple(_case_study_text(case) for case in cases.order_by("consent_date", "id")),
        methodology=Methodology(
            value_sets=_value_sets_used(report, budget),
            rules=annual.counting_rules(),
            valuation=annual.valuation_rules(),
        ),
    )


def version_content(*, member: Member, version: ReportVersion) -> ReportContent:
    """A published version exactly as it was published: read from its snapshot alone."""
    version = version_get(member=member, pk=version.pk)
    return content_from_dict(version.snapshot)


def _person_label(user: object) -> str:
    return str(getattr(user, "email", "")) if user is not None else ""


def _history(member: Member, report: ImpactReport, up_to: int | None = None) -> list[VersionNote]:
    versions = version_list(member=member, report=report)
    if up_to is not None:
        versions = versions.filter(number__lte=up_to)
    return [
        VersionNote(number, published_at, change_note)
        for number, published_at, change_note in versions.values_list("number", "published_at", "change_note")
    ]


def report_view(*, member: Member, report: ImpactReport, as_at: date | None = None) -> ReportView:
    """The draft as it would publish now (the preview)."""
    return ReportView(
        content=report_content(member=member, report=report, as_at=as_at),
        draft=True,
        history=_history(member, report),
    )


def version_view(*, member: Member, version: ReportVersion) -> ReportView:
    """A published version, from its snapshot alone."""
    version = version_get(member=member, pk=version.pk)
    return ReportView(
        content=content_from_dict(version.snapshot),
        draft=False,
        version=version.number,
        published_at=version.published_at,
        published_by=_person_label(version.published_by),
        signed_off_by=_person_label(version.signed_off_by),
        change_note=version.change_note,
        history=_history(member, version.report, up_to=version.number),
    )


def annual_view(*, member: Member, start_year: int) -> ReportView | None:
    """The year's report as the command line and the API give it: its latest published version, else the
    draft (marked as a draft); None when the year has no report."""
    report = report_for_year(member=member, start_year=start_year)
    if report is None:
        return None
    latest = version_latest(member=member, report=report)
    if latest is not None:
        return version_view(member=member, version=latest)
    return report_view(member=member, report=report)
