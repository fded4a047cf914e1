"""Delivery reports: per measure, what was proposed (the target) against what was achieved (claimed and
verified), the % delivered and the money equivalents; as rows for CSV and JSON, and as a printable page and
PDF in the form councils publish (activity, proposed output, benefits achieved), with case studies."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import Http404
from django.template.loader import render_to_string

from commonweal.core.exports import Writable, csv_write
from commonweal.core.pdf import html_to_pdf
from commonweal.frameworks.models import Measure, ValueType
from commonweal.frameworks.valuation import pennies
from commonweal.tenancy.selectors import Member

from . import selectors_status
from . import status as status_rules
from .models import Agreement, CaseStudy
from .selectors_agreements import agreement_get, agreement_list
from .selectors_status import AgreementStatus, CommitmentProgress, MoneySummary
from .status import CommitmentStatus

REPORT_FIELDS = [
    "agreement_reference",
    "agreement_title",
    "buyer",
    "supplier",
    "measure_code",
    "measure_title",
    "unit",
    "value_type",
    "proposed_quantity",
    "target_in_force",
    "claimed_quantity",
    "evidenced_quantity",
    "verified_quantity",
    "percent_delivered",
    "status",
    "value_set",
    "committed_gross",
    "committed_net",
    "claimed_gross",
    "claimed_net",
    "verified_gross",
    "verified_net",
]
ZERO = Decimal("0")


@dataclass(frozen=True)
class Money:
    gross: Decimal
    net: Decimal


@dataclass(frozen=True)
class ReportRow:
    """One measure of one agreement: its commitments' quantities added up, and their money equivalents
    (None when the agreement has no value set, or the value set has no figure for the measure)."""

    agreement: Agreement
    measure: Measure
    proposed: Decimal
    target_in_force: Decimal
    claimed: Decimal
    evidenced: Decimal
    verified: Decimal
    status: CommitmentStatus
    value_set: str
    committed: Money | None
    claimed_money: Money | None
    verified_money: Money | None

    @property
    def percent_delivered(self) -> Decimal | None:
        """Verified ÷ the target in force."""
        return status_rules.percent_of(self.verified, self.target_in_force)

    @property
    def status_tag(self) -> str:
        return selectors_status.STATUS_TAG_CLASSES[self.status]

    def as_dict(self) -> dict[str, str]:
        """The row as CSV and JSON carry it: decimal strings, "" for what is not there."""

        def money(value: Money | None, part: str) -> str:
            return str(getattr(value, part)) if value is not None else ""

        percent = self.percent_delivered
        return {
            "agreement_reference": self.agreement.reference,
            "agreement_title": self.agreement.title,
            "buyer": self.agreement.organisation.name,
            "supplier": self.agreement.supplier.name,
            "measure_code": self.measure.code,
            "measure_title": self.measure.title,
            "unit": self.measure.get_unit_display(),
            "value_type": self.measure.get_value_type_display(),
            "proposed_quantity": str(self.proposed),
            "target_in_force": str(self.target_in_force),
            "claimed_quantity": str(self.claimed),
            "evidenced_quantity": str(self.evidenced),
            "verified_quantity": str(self.verified),
            "percent_delivered": str(percent) if percent is not None else "",
            "status": self.status.label,
            "value_set": self.value_set,
            "committed_gross": money(self.committed, "gross"),
            "committed_net": money(self.committed, "net"),
            "claimed_gross": money(self.claimed_money, "gross"),
            "claimed_net": money(self.claimed_money, "net"),
            "verified_gross": money(self.verified_money, "gross"),
            "verified_net": money(self.verified_money, "net"),
        }


def _measure_status(rows: list[CommitmentProgress]) -> CommitmentStatus:
    """The worst active commitment's status; substituted only when every commitment was substituted."""
    return status_rules.worst_status(row.status for row in rows) or CommitmentStatus.SUBSTITUTED


def _money_by_code(money: MoneySummary, state: str) -> dict[str, Money]:
    valuation = money.valuations.get(state)
    if valuation is None:
        return {}
    return {line.measure_code: Money(pennies(line.gross), pennies(line.net)) for line in valuation.lines}


def agreement_report_rows(*, agreement: Agreement, status: AgreementStatus, money: MoneySummary) -> list[ReportRow]:
    by_measure: dict[int, list[CommitmentProgress]] = {}
    for row in status.progress:
        by_measure.setdefault(row.commitment.measure_id, []).append(row)
    committed, claimed, verified = (_money_by_code(money, state) for state in ("committed", "claimed", "verified"))
    rows = []
    for progress in by_measure.values():
        measure = progress[0].commitment.measure
        rows.append(
            ReportRow(
                agreement=agreement,
                measure=measure,
                proposed=sum((row.target for row in progress), ZERO),
                target_in_force=sum((row.effective_target for row in progress), ZERO),
                claimed=sum((row.claimed for row in progress), ZERO),
                evidenced=sum((row.evidenced for row in progress), ZERO),
                verified=sum((row.verified for row in progress), ZERO),
                status=_measure_status(progress),
                value_set=money.value_set,
                committed=committed.get(measure.code),
                claimed_money=claimed.get(measure.code),
                verified_money=verified.get(measure.code),
            )
        )
    return sorted(rows, key=lambda row: (row.measure.code, row.measure.pk))


def report_row_list(*, member: Member, reference: str | None = None, today: date | None = None) -> list[ReportRow]:
    """Report rows for the agreements with `reference`, or for every agreement the member's organisation
    owns or supplies. References are unique per buyer, so a supplier may get one from each of its buyers."""
    found = agreement_list(member=member).select_related("value_set")
    agreements = list(found if reference is None else found.filter(reference=reference))
    if reference is not None and not agreements:
        raise Http404(f"No such agreement: none has the reference “{reference}”.")
    rows: list[ReportRow] = []
    for each in agreements:
        progress = selectors_status.commitment_progress_list(agreement=each, today=today)
        status = AgreementStatus(agreement=each, progress=progress)
        money = selectors_status.money_summary(agreement=each, progress=progress)
        rows.extend(agreement_report_rows(agreement=each, status=status, money=money))
    return rows


def report_csv_write(out: Writable, rows: Iterable[ReportRow]) -> None:
    csv_write(out, REPORT_FIELDS, (row.as_dict() for row in rows))


def report_json(rows: Iterable[ReportRow]) -> str:
    return json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class AgreementReport:
    """Everything the printable agreement report shows."""

    agreement: Agreement
    as_at: date
    status: AgreementStatus
    rows: list[ReportRow]
    money: MoneySummary
    case_studies: list[CaseStudy]

    @property
    def value_types(self) -> list[tuple[str, str]]:
        return list(ValueType.choices)


def agreement_report(*, member: Member, agreement: Agreement, today: date | None = None) -> AgreementReport:
    agreement = agreement_get(member=member, pk=agreement.pk)
    today = today or selectors_status.today_local()
    progress = selectors_status.commitment_progress_list(agreement=agreement, today=today)
    status = AgreementStatus(agreement=agreement, progress=progress)
    money = selectors_status.money_summary(agreement=agreement, progress=progress)
    return AgreementReport(
        agreement=agreement,
        as_at=today,
        status=status,
        rows=agreement_report_rows(agreement=agreement, status=status, money=money),
        money=money,
        case_studies=list(selectors_status.case_study_list(member=member, agreement=agreement)),
    )


def report_pdf_render(report: AgreementReport) -> bytes:
    """The report as a tagged A4 PDF (core.pdf)."""
    return html_to_pdf(render_to_string("delivery/report_print.html", {"report": report}))
