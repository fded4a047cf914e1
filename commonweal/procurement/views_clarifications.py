"""The buyer's clarifications page: every question with who asked, and publishing an answer to all
bidders in wording the officer has made anonymous."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require

from . import selectors, selectors_clarifications, services_clarifications
from .forms_bidding import AnswerForm


@login_required
@require_GET
def clarification_list(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    procurement = selectors.procurement_get(member=member, pk=pk)
    clarifications = selectors_clarifications.clarification_list_for_buyer(member=member, procurement=procurement)
    rows = [
        (
            clarification,
            AnswerForm(
                prefix="clar",
                auto_id=f"clar{clarification.pk}_%s",
                initial={
                    "published_question": clarification.published_question or clarification.question,
                    "answer": clarification.answer,
                },
            ),
        )
        for clarification in clarifications
    ]
    return render(
        request,
        "procurement/bidding/clarification_list.html",
        {
            "member": member,
            "procurement": procurement,
            "rows": rows,
            "awaiting": sum(1 for clarification, _ in rows if not clarification.answer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def clarification_answer(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    clarification = selectors_clarifications.clarification_get_for_buyer(member=member, pk=pk)
    form = AnswerForm(
        request.POST or None,
        prefix="clar",
        initial={
            "published_question": clarification.published_question or clarification.question,
            "answer": clarification.answer,
        },
    )
    return form_page(
        request,
        form,
        save=lambda: services_clarifications.clarification_answer(
            actor=member.user,
            member=member,
            clarification=clarification,
            published_question=form.cleaned_data["published_question"],
            answer=form.cleaned_data["answer"],
        ),
        message="The answer has been published to every bidder.",
        success_url=reverse("procurement:clarification-list", kwargs={"org": org, "pk": clarification.procurement_id}),
        template="procurement/bidding/clarification_answer.html",
        context={"member": member, "clarification": clarification, "procurement": clarification.procurement},
    )
