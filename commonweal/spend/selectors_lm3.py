"""Reads for LM3 surveys: an organisation's surveys and answers, and the LM3 result with its workings.

Surveys belong to a public body; only its members may read them (READ_PUBLIC_BODY), and another
organisation's survey or answer is a 404."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import analytics
from .lm3 import Lm3Result, Receipt, StaffAnswer, SupplierAnswer, lm3_calculate
from .models import Lm3Response, Lm3Survey, RespondentKind


def _reader(member: Member) -> None:
    permission_require(member, Permission.READ_PUBLIC_BODY)


def lm3_survey_list(*, member: Member) -> QuerySet[Lm3Survey]:
    _reader(member)
    return Lm3Survey.objects.filter(organisation=member.organisation).annotate(
        supplier_answers=Count("responses", filter=Q(responses__kind=RespondentKind.SUPPLIER)),
        staff_answers=Count("responses", filter=Q(responses__kind=RespondentKind.STAFF)),
    )


def lm3_survey_get(*, member: Member, pk: int) -> Lm3Survey:
    _reader(member)
    try:
        return Lm3Survey.objects.get(pk=pk, organisation=member.organisation)
    except Lm3Survey.DoesNotExist:
        raise Http404("No such survey.") from None


def lm3_response_get(*, member: Member, pk: int) -> Lm3Response:
    _reader(member)
    try:
        return Lm3Response.objects.select_related("survey", "supplier").get(pk=pk, organisation=member.organisation)
    except Lm3Response.DoesNotExist:
        raise Http404("No such answer.") from None


def lm3_response_list(*, member: Member, survey: Lm3Survey) -> QuerySet[Lm3Response]:
    survey = lm3_survey_get(member=member, pk=survey.pk)
    return survey.responses.select_related("supplier").order_by("kind", "respondent", "pk")


def survey_filter(survey: Lm3Survey) -> analytics.SpendFilter:
    """The payments a survey's rounds 1 and 2 count: every payment in its period."""
    return analytics.SpendFilter(date_from=survey.period_start, date_to=survey.period_end)


def survey_period(survey: Lm3Survey) -> str:
    return f"{survey.period_start:%-d %B %Y} to {survey.period_end:%-d %B %Y}"


def lm3_local_suppliers(*, member: Member, survey: Lm3Survey) -> list[analytics.SupplierReceipt]:
    """The local suppliers paid in the survey's period, largest first: those whose answers count."""
    survey = lm3_survey_get(member=member, pk=survey.pk)
    if not analytics.has_spend(organisation=member.organisation):
        return []
    return analytics.local_supplier_receipts(organisation=member.organisation, spend_filter=survey_filter(survey))


def lm3_result(*, member: Member, survey: Lm3Survey) -> Lm3Result:
    """LM3 for the survey's period, from the organisation's payments and the survey's answers."""
    survey = lm3_survey_get(member=member, pk=survey.pk)
    organisation = member.organisation
    round1 = analytics.ZERO
    receipts: list[Receipt] = []
    if analytics.has_spend(organisation=organisation):
        spend_filter = survey_filter(survey)
        with analytics.spend_data(organisation=organisation) as data:
            round1 = analytics.spend_headline(organisation=organisation, spend_filter=spend_filter, data=data).total
            receipts = [
                Receipt(supplier_id=item.supplier_id, name=item.name, amount=item.amount)
                for item in analytics.local_supplier_receipts(
                    organisation=organisation, spend_filter=spend_filter, data=data
                )
            ]
    responses = list(survey.responses.order_by("pk"))
    return lm3_calculate(
        round1=round1,
        receipts=receipts,
        supplier_answers=[
            SupplierAnswer(
                respondent=response.respondent,
                supplier_id=response.supplier_id,
                local_supplier_share=response.local_supplier_share,
                local_staff_share=response.local_staff_share,
            )
            for response in responses
            if response.kind == RespondentKind.SUPPLIER
        ],
        staff_answers=[
            StaffAnswer(
                respondent=response.respondent,
                supplier_id=response.supplier_id,
                local_respend_share=response.local_respend_share,
            )
            for response in responses
            if response.kind == RespondentKind.STAFF
        ],
        period=survey_period(survey),
    )
