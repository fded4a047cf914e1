"""The buyer's clarifications page: every question with who asked, and publishing an answer to all
bidders in wording the officer has made anonymous."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.selectors import Member, member_access

from . import selectors, selectors_bidding, services_bidding
from .forms_bidding import AnswerForm


def _planner(request: HttpRequest, org: str) -> Member:
    member = member_access(user=request.user, slug=org)
    if not member.can_plan_procurements:
        raise Http404("Only the buyer's procurement officers answer clarification questions.")
    return member


@login_required
@require_GET
def clarification_list(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _planner(request, org)
    procurement = selectors.procurement_get(member=member, pk=pk)
    clarifications = selectors_bidding.clarification_list_for_buyer(member=member, procurement=procurement)
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
    member = _planner(request, org)
    clarification = selectors_bidding.clarification_get_for_buyer(member=member, pk=pk)
    form = AnswerForm(
        request.POST or None,
        prefix="clar",
        initial={
            "published_question": clarification.published_question or clarification.question,
            "answer": clarification.answer,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_bidding.clarification_answer(
                actor=request.user,
                member=member,
                clarification=clarification,
                published_question=form.cleaned_data["published_question"],
                answer=form.cleaned_data["answer"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "The answer has been published to every bidder.")
            return redirect("procurement:clarification-list", org=org, pk=clarification.procurement_id)
    return render(
        request,
        "procurement/bidding/clarification_answer.html",
        {"member": member, "clarification": clarification, "procurement": clarification.procurement, "form": form},
    )
