"""Isolation registrations for the annual impact report (commonweal/reporting/urls_report.py,
commonweal/api/reporting_report.py).

Each tenant gets four reports, one a financial year, each in the state its routes act on: a draft with a
section (2025/26: editing, sections, case studies, submitting, the preview), one waiting for sign-off that
another lead submitted (2024/25: signing off, sending back), one signed off (2023/24: publishing) and one
published (2022/23: the version's page and files), and a year with no report yet (2021/22: starting one).
The manager is the tenant's social value lead, so it writes, signs off and publishes."""

from typing import Any

from django.db.models import Model

from commonweal.reporting import services_report
from commonweal.reporting.models import FinancialYear, ImpactReport, ReportSection, ReportVersion
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import member_access
from tests import factories
from tests.conftest import Tenant

REPORT_ROUTES = [
    "report-detail",
    "report-edit",
    "report-section-add",
    "report-case-studies",
    "report-preview",
    "report-preview-pdf",
    "report-submit",
    "report-sign-off",
    "report-return",
    "report-publish",
]
SECTION_ROUTES = ["report-section-edit", "report-section-remove", "report-section-move"]
VERSION_ROUTES = ["version-detail", "version-pdf", "version-csv", "version-xlsx", "version-json"]

PK_MODELS: dict[str, type[Model]] = {
    **{f"reporting:{name}": ImpactReport for name in REPORT_ROUTES},
    **{f"reporting:{name}": ReportSection for name in SECTION_ROUTES},
    **{f"reporting:{name}": ReportVersion for name in VERSION_ROUTES},
    "api:report-detail": ImpactReport,
    "api:report-version": ReportVersion,
}

# A supplier holds no role in a public body's reports: its own slug gets a 404 on every report page.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    name: {"supplier": 404}
    for name in [
        *PK_MODELS,
        "reporting:report-list",
        "reporting:report-create",
        "api:report-list",
    ]
}

OWNER_POST: dict[str, tuple[str, int]] = {
    "reporting:report-create": ("manager", 302),
    **{
        f"reporting:{name}": ("manager", 302)
        for name in [
            "report-edit",
            "report-section-add",
            "report-case-studies",
            "report-submit",
            "report-sign-off",
            "report-return",
            "report-publish",
            *SECTION_ROUTES,
        ]
    },
}

A_TITLE = "Tenant A impact report"
A_SECTION = "Tenant A narrative of the year"
LEAK_MARKERS = [A_TITLE, A_SECTION]


def _reports(tenant: Tenant, label: str) -> dict[Any, int]:
    lead = tenant.manager_member()
    other = factories.member_user(tenant.buyer, Role.SOCIAL_VALUE_LEAD)
    other_lead = member_access(user=other, slug=tenant.buyer.slug)
    years = {
        start: FinancialYear.objects.create(organisation=tenant.buyer, start_year=start) for start in range(2021, 2026)
    }

    def report(start: int, author: Any = tenant.manager, member: Any = lead) -> ImpactReport:
        made = services_report.report_create(
            actor=author, member=member, year=years[start], title=f"{label} impact report {start}", summary=""
        )
        services_report.section_add(
            actor=author, member=member, report=made, heading=f"{label} narrative of the year", body="Words."
        )
        return made

    draft = report(2025)
    awaiting = report(2024, other, other_lead)
    services_report.report_submit(actor=other, member=other_lead, report=awaiting)
    signed = report(2023, other, other_lead)
    services_report.report_submit(actor=other, member=other_lead, report=signed)
    services_report.report_sign_off(actor=tenant.manager, member=lead, report=signed)
    published = report(2022, other, other_lead)
    services_report.report_submit(actor=other, member=other_lead, report=published)
    services_report.report_sign_off(actor=tenant.manager, member=lead, report=published)
    version = services_report.report_publish(actor=other, member=other_lead, report=published)
    section = draft.sections.get()
    later = services_report.section_add(
        actor=tenant.manager, member=lead, report=draft, heading="Looking ahead", body="More."
    )
    return {
        ImpactReport: draft.pk,
        ReportSection: section.pk,
        ReportVersion: version.pk,
        "reporting:report-sign-off": awaiting.pk,
        "reporting:report-return": awaiting.pk,
        "reporting:report-publish": signed.pk,
        "reporting:report-section-move": later.pk,  # the second section, which moves up
    }


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    objects = _reports(a, "Tenant A")
    _reports(b, "Tenant B")
    return objects


def post_data(tenant: Tenant) -> dict[str, Any]:
    """A free year to start a report for, a section's heading and text, and a direction to move the second section."""
    free = (
        FinancialYear.objects.filter(organisation=tenant.buyer, report__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    return {"year": free or "", "heading": "Tenant section heading", "body": "Tenant section text", "direction": "up"}
