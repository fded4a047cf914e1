"""Delivery's part of each home page's to-do list: for the buyer, returns to review, answered queries,
proposed substitutions, overdue returns and commitments at risk; for the supplier, returns to submit and
queries to answer. A fixed number of queries, whatever the amount of data."""

from datetime import date

from django.urls import reverse

from commonweal.core.formatting import uk_date
from commonweal.core.worklist import LINKS_SHOWN, WorkItem, WorkLink
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from . import selectors_returns, selectors_status
from .models import Substitution, SubstitutionState
from .status import CommitmentStatus

WORRYING = (CommitmentStatus.AT_RISK, CommitmentStatus.BEHIND, CommitmentStatus.MISSED)


def _url(name: str, member: Member, **kwargs: object) -> str:
    return reverse(name, kwargs={"org": member.organisation.slug, **kwargs})


def _waiting_url(member: Member) -> str:
    """The returns list, filtered to those with lines awaiting review, the oldest submission first."""
    return _url("delivery:return-list", member) + "?review=waiting&sort=submitted_at"


def _returns_to_review(member: Member) -> WorkItem:
    waiting = selectors_returns.returns_waiting_query(member=member)
    count = waiting.count()
    first = list(waiting[:LINKS_SHOWN])
    links = [
        WorkLink(
            text=f"{r.agreement.reference}: {r.period.label if r.period else f'return {r.pk}'}",
            url=_url("delivery:return-review", member, pk=r.pk),
            hint=f"{r.agreement.supplier.name}, submitted {uk_date(r.submitted_at)}",
        )
        for r in first
    ]
    url = links[0].url if count == 1 else _waiting_url(member)
    return WorkItem("returns-to-review", "Returns waiting for review", url, count, links=links)


def _queries_answered(member: Member) -> WorkItem:
    answered = selectors_returns.answered_lines_query(member=member)
    count = answered.count()
    links = [
        WorkLink(
            text=f"{line.delivery_return.agreement.reference}: {line.commitment.measure.title}",
            url=_url("delivery:return-review", member, pk=line.delivery_return_id) + f"#line-{line.pk}",
            hint=line.delivery_return.period.label if line.delivery_return.period else "",
        )
        for line in answered[:LINKS_SHOWN]
    ]
    url = links[0].url if links else _waiting_url(member)
    if count > 1:
        url = _waiting_url(member)
    return WorkItem("queries-answered", "Queries the supplier has answered", url, count, "Lines to verify again", links)


def _substitutions_proposed(member: Member) -> WorkItem:
    proposed = (
        Substitution.objects.filter(agreement__organisation=member.organisation, state=SubstitutionState.PROPOSED)
        .select_related("agreement", "commitment__measure")
        .order_by("created_at", "id")
    )
    count = proposed.count()
    links = [
        WorkLink(
            text=f"{s.agreement.reference}: {s.commitment.measure.title}",
            url=_url("delivery:substitution-detail", member, pk=s.pk),
            hint=f"Proposed {uk_date(s.created_at)}",
        )
        for s in proposed[:LINKS_SHOWN]
    ]
    url = links[0].url if links else _url("delivery:agreement-list", member)
    return WorkItem("substitutions-proposed", "Substitutions proposed", url, count, "Agree or refuse each", links)


def _overdue_returns(member: Member, today: date) -> WorkItem:
    overdue = selectors_status.overdue_period_query(member=member, today=today)
    count = overdue.count()
    links = [
        WorkLink(
            text=f"{p.agreement.reference}: {p.label}",
            url=_url("delivery:agreement-detail", member, pk=p.agreement_id) + "#returns",
            hint=f"{p.agreement.supplier.name}, due {uk_date(p.return_due_date)}",
        )
        for p in overdue[:LINKS_SHOWN]
    ]
    return WorkItem("overdue-returns", "Overdue returns", _url("delivery:overdue-returns", member), count, links=links)


def _commitments_at_risk(member: Member, today: date) -> WorkItem:
    rows = selectors_status.agreement_status_list(member=member, today=today)
    count = sum(1 for row in rows for progress in row.progress if progress.status in WORRYING)
    worrying = [row for row in rows if row.status in WORRYING]
    links = [
        WorkLink(
            text=f"{row.agreement.reference}: {row.agreement.title}",
            url=_url("delivery:agreement-detail", member, pk=row.agreement.pk) + "#commitments",
            hint=", ".join(f"{label}: {n}" for label, n in row.status_counts if label in {s.label for s in WORRYING}),
        )
        for row in worrying[:LINKS_SHOWN]
    ]
    url = links[0].url if len(worrying) == 1 else _url("delivery:agreement-list", member)
    return WorkItem(
        "commitments-at-risk",
        "Commitments at risk, behind or missed",
        url,
        count,
        "Against their schedules today",
        links,
    )


def buyer_items(*, member: Member, today: date) -> list[WorkItem]:
    """The buyer's delivery work: reviewing for those who manage contracts; following up for everyone."""
    if not member.organisation.is_public_body:
        return []
    items = []
    if member.may(Permission.MANAGE_CONTRACTS):
        items += [_returns_to_review(member), _queries_answered(member), _substitutions_proposed(member)]
    items += [_overdue_returns(member, today), _commitments_at_risk(member, today)]
    return items


def _returns_due(member: Member, today: date) -> WorkItem:
    periods = selectors_returns.periods_to_report_query(member=member, today=today)
    count = periods.count()
    first = list(periods[:LINKS_SHOWN])
    drafts = selectors_returns.drafts_for_periods(member=member, periods=first)
    links = []
    for period in first:
        draft = drafts.get(period.pk)
        if draft is not None:
            url, action = _url("delivery:return-edit", member, pk=draft.pk), "continue your draft"
        else:
            url = _url("delivery:return-submit", member, pk=period.agreement_id) + f"?period={period.pk}"
            action = "start"
        late = " (overdue)" if period.return_due_date < today else ""
        links.append(
            WorkLink(
                text=f"{period.agreement.reference}: {period.label}",
                url=url,
                hint=f"For {period.agreement.organisation.name}, due {uk_date(period.return_due_date)}{late}: {action}",
            )
        )
    url = links[0].url if count == 1 else _url("delivery:agreement-list", member)
    return WorkItem("returns-due", "Returns to submit", url, count, "Each period that has started", links)


def _queries_to_answer(member: Member) -> WorkItem:
    queried = selectors_returns.queried_lines_query(member=member)
    count = queried.count()
    links = [
        WorkLink(
            text=f"{line.delivery_return.agreement.reference}: {line.commitment.measure.title}",
            url=_url("delivery:return-line-answer", member, pk=line.pk),
            hint=line.reason[:120],
        )
        for line in queried[:LINKS_SHOWN]
    ]
    url = links[0].url if links else _url("delivery:agreement-list", member)
    return WorkItem("queries-to-answer", "Queries to answer", url, count, "Questions about your returns", links)


def supplier_items(*, member: Member, today: date) -> list[WorkItem]:
    if not member.may(Permission.SUBMIT_RETURNS):
        return []
    return [_returns_due(member, today), _queries_to_answer(member)]
