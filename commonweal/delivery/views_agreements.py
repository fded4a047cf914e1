"""Pages for agreements (the list, one agreement, creating and changing one), their commitments (on a page
or from a file) and substitutions.

Anyone of the buyer or the supplier reads; the buyer's contract managers (`MANAGE_CONTRACTS`) change
agreements and commitments and decide on substitutions; the supplier's contacts (`SUBMIT_RETURNS`) propose
substitutions.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.brokerage.selectors_needs import open_need_choice_list
from commonweal.core.errors import ApplicationError
from commonweal.frontend.forms import GovukForm
from commonweal.frontend.listing import listing
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require

from . import (
    commitments_import,
    selectors_agreements,
    selectors_grants,
    selectors_returns,
    selectors_status,
    services_agreements,
)
from .forms_agreements import (
    AgreementFilters,
    AgreementForm,
    CalledOffForm,
    CommitmentForm,
    CommitmentImportForm,
    SubstitutionDecisionForm,
    SubstitutionForm,
)
from .models import PRO_RATA_KINDS, Agreement, Commitment, Substitution, SubstitutionState
from .rules import may_manage

AGREEMENT_FORM = "delivery/agreement_form.html"


def _agreement_url(org: str, agreement: Agreement) -> str:
    return reverse("delivery:agreement-detail", kwargs={"org": org, "pk": agreement.pk})


def _commitments_url(org: str, agreement: Agreement) -> str:
    return reverse("delivery:commitment-list", kwargs={"org": org, "pk": agreement.pk})


@login_required
def agreement_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    agreements = listing(
        request, AgreementFilters, selectors_agreements.agreement_list(member=member), per_page=50, member=member
    )
    return render(
        request,
        "delivery/agreement_list.html",
        {
            "member": member,
            "listing": agreements,
            "agreements": selectors_status.agreement_statuses(list(agreements.page.object_list)),
            "grant_count": selectors_grants.grant_agreement_count(member=member),
        },
    )


@login_required
def agreement_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    agreement = selectors_agreements.agreement_get(member=member, pk=pk)
    # Each section of the page (commitments and their status, substitutions, returns) gathers its own data.
    context = {
        "member": member,
        "agreement": agreement,
        "audit_events": selectors_agreements.audit_event_list(member=member, agreement=agreement),
        **selectors_status.commitment_section(member=member, agreement=agreement),
        **selectors_agreements.substitution_section(member=member, agreement=agreement),
        **selectors_returns.return_section(member=member, agreement=agreement),
    }
    return render(request, "delivery/agreement_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    form = AgreementForm(request.POST or None, member=member, prefix="agreement")
    return form_page(
        request,
        form,
        save=lambda: services_agreements.agreement_create(actor=member.user, member=member, **form.service_arguments()),
        message=lambda agreement: f"The agreement {agreement.reference} has been created. Add its commitments.",
        success_url=lambda agreement: _agreement_url(org, agreement),
        template=AGREEMENT_FORM,
        context={
            "member": member,
            "heading": "Create an agreement",
            "button": "Create the agreement",
            "intro": "A contract, call-off, grant, planning obligation, asset transfer or employment programme "
            "in which the other party commits to deliver social value.",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_update(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    agreement = selectors_agreements.agreement_owned_get(member=member, pk=pk)
    form = AgreementForm(
        request.POST or None, member=member, prefix="agreement", initial=AgreementForm.initial_for(agreement)
    )
    return form_page(
        request,
        form,
        save=lambda: services_agreements.agreement_update(
            actor=member.user, member=member, agreement=agreement, **form.service_arguments()
        ),
        message=f"The agreement {agreement.reference} has been saved.",
        success_url=_agreement_url(org, agreement),
        template=AGREEMENT_FORM,
        context={
            "member": member,
            "agreement": agreement,
            "heading": "Change the agreement",
            "button": "Save the agreement",
            "intro": "Every change is recorded in the agreement’s history, with what it was before.",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_called_off(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    agreement = selectors_agreements.agreement_owned_get(member=member, pk=pk)
    context = {
        "member": member,
        "agreement": agreement,
        "heading": "Update the called-off value",
        "button": "Save the called-off value",
    }
    if agreement.kind not in PRO_RATA_KINDS:
        # Nothing to change: the page says why, and a POST changes nothing.
        intro = "Only a call-off under a framework has a called-off value. Change the agreement’s kind first."
        return render(request, AGREEMENT_FORM, {**context, "intro": intro, "form": None})
    form = CalledOffForm(
        request.POST or None, prefix="called_off", initial={"called_off_value": agreement.called_off_value}
    )
    return form_page(
        request,
        form,
        save=lambda: services_agreements.agreement_update(
            actor=member.user,
            member=member,
            agreement=agreement,
            called_off_value=form.cleaned_data["called_off_value"],
        ),
        message="The called-off value has been saved and the targets pro-rated to it.",
        success_url=_agreement_url(org, agreement),
        template=AGREEMENT_FORM,
        context={
            **context,
            "intro": f"Targets are pro-rated to the spend called off: each effective target is the target × the "
            f"called-off value ÷ the agreement’s value (£{agreement.value:,.2f}), to 2 decimal places.",
        },
    )


# --- Commitments -----------------------------------------------------------------------------------


@login_required
@require_GET
def commitment_list(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    agreement = selectors_agreements.agreement_get(member=member, pk=pk)
    return render(
        request,
        "delivery/commitment_list.html",
        {
            "member": member,
            "agreement": agreement,
            "rows": selectors_agreements.commitment_rows(member=member, agreement=agreement),
            "pro_rata": selectors_agreements.pro_rata(agreement),
            "can_change": may_manage(member, agreement),
        },
    )


def _commitment_saved(commitment: Commitment, done: str) -> str:
    return f"The commitment to {commitment.measure.title} has been {done}."


def _commitment_values(form: CommitmentForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "measure": data["measure"],
        "target_quantity": data["target_quantity"],
        "due_date": data["due_date"],
        "place_code": data["place_code"],
        "beneficiary_group": data["beneficiary_group"],
        "milestones": data["milestones"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    agreement = selectors_agreements.agreement_owned_get(member=member, pk=pk)
    form = CommitmentForm(
        request.POST or None, measures=selectors_agreements.measure_list(agreement=agreement), prefix="commitment"
    )
    return form_page(
        request,
        form,
        save=lambda: services_agreements.commitment_create(
            actor=member.user, member=member, agreement=agreement, **_commitment_values(form)
        ),
        message=lambda commitment: _commitment_saved(commitment, "added"),
        success_url=_commitments_url(org, agreement),
        template="delivery/commitment_form.html",
        context={"member": member, "agreement": agreement, "heading": "Add a commitment"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_update(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    commitment = selectors_agreements.commitment_get(member=member, pk=pk)
    agreement = selectors_agreements.agreement_owned_get(member=member, pk=commitment.agreement_id)
    form = CommitmentForm(
        request.POST or None,
        measures=selectors_agreements.measure_list(agreement=agreement),
        prefix="commitment",
        initial=CommitmentForm.initial_for(commitment),
    )
    return form_page(
        request,
        form,
        save=lambda: services_agreements.commitment_update(
            actor=member.user, member=member, commitment=commitment, **_commitment_values(form)
        ),
        message=lambda saved: _commitment_saved(saved, "saved"),
        success_url=_commitments_url(org, agreement),
        template="delivery/commitment_form.html",
        context={"member": member, "agreement": agreement, "commitment": commitment, "heading": "Change a commitment"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    commitment = selectors_agreements.commitment_get(member=member, pk=pk)
    agreement = selectors_agreements.agreement_owned_get(member=member, pk=commitment.agreement_id)
    return form_page(
        request,
        # Nothing to fill in: any POST asks for the removal.
        GovukForm(data=request.POST if request.method == "POST" else None),
        save=lambda: services_agreements.commitment_remove(actor=member.user, member=member, commitment=commitment),
        message=_commitment_saved(commitment, "removed"),
        success_url=_commitments_url(org, agreement),
        template="delivery/commitment_remove.html",
        context={
            "member": member,
            "agreement": agreement,
            "commitment": commitment,
            # Why it cannot be removed (the page then offers no button), as the service would refuse it.
            "error": selectors_agreements.commitment_removal_problem(commitment),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_import(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    agreement = selectors_agreements.agreement_owned_get(member=member, pk=pk)
    form = CommitmentImportForm(request.POST or None, request.FILES or None, prefix="import")
    problems: list[tuple[int | None, str]] = []  # each refused row, shown under the form

    def save() -> services_agreements.ImportResult:
        try:
            return services_agreements.commitments_file_import(
                actor=member.user, member=member, agreement=agreement, file=form.cleaned_data["file"]
            )
        except services_agreements.ImportRefused as refused:
            problems.extend(refused.problems)
            raise ApplicationError(refused.message, field_errors={"file": refused.message.rstrip(".")}) from None

    def imported(result: services_agreements.ImportResult) -> str:
        created, unchanged = len(result.created), len(result.unchanged)
        return (
            f"{created} commitment{'s' if created != 1 else ''} imported; "
            f"{unchanged} already there and left as they were."
        )

    return form_page(
        request,
        form,
        save=save,
        message=imported,
        success_url=_commitments_url(org, agreement),
        template="delivery/commitment_import.html",
        context={
            "member": member,
            "agreement": agreement,
            "problems": problems,
            "measures": selectors_agreements.measure_list(agreement=agreement),
        },
    )


@login_required
@require_GET
def commitment_import_template(request: HttpRequest, org: str) -> HttpResponse:
    member_require(user=request.user, slug=org)
    response = HttpResponse(commitments_import.TEMPLATE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="commitments-template.csv"'
    return response


# --- Substitutions ---------------------------------------------------------------------------------

NO_COMMITMENT = "Choose the commitment to replace"


@login_required
@require_http_methods(["GET", "POST"])
def substitution_propose(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The supplier's proposal. “Check the values” shows the comparison and stores nothing; “Propose”
    sends it to the contract manager."""
    member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
    agreement = selectors_agreements.agreement_supplied_get(member=member, pk=pk)
    commitments = selectors_agreements.substitutable_commitments(member=member, agreement=agreement)
    measures = selectors_agreements.measure_list(agreement=agreement)
    form = SubstitutionForm(
        request.POST or None,
        commitments=commitments,
        measures=measures,
        needs=open_need_choice_list(member=member),
        prefix="substitution",
    )
    context = {
        "member": member,
        "agreement": agreement,
        "comparison": None,
        "has_commitments": bool(commitments),
        "tolerance_percent": selectors_agreements.tolerance_percent(),
    }
    if request.method == "POST" and request.POST.get("action") == "check":
        if form.is_valid():
            data = form.cleaned_data
            if data["commitment"] is None:
                form.add_error("commitment", NO_COMMITMENT)
            else:
                context["comparison"] = selectors_agreements.substitution_comparison(
                    commitment=data["commitment"],
                    proposed_measure=None if data["pledge"].strip() or data.get("need") else data["proposed_measure"],
                    proposed_quantity=None if data["pledge"].strip() or data.get("need") else data["proposed_quantity"],
                )
        return render(request, "delivery/substitution_form.html", {**context, "form": form})

    def save() -> Substitution:
        data = form.cleaned_data
        if data["commitment"] is None:
            raise ApplicationError(NO_COMMITMENT + ".", field_errors={"commitment": NO_COMMITMENT})
        return services_agreements.substitution_propose(
            actor=member.user,
            member=member,
            commitment=data["commitment"],
            proposed_measure=data["proposed_measure"],
            proposed_quantity=data["proposed_quantity"],
            pledge=data["pledge"],
            reason=data["reason"],
            need=data.get("need"),
        )

    return form_page(
        request,
        form,
        save=save,
        message="Your substitution has been sent to the contract manager to decide.",
        success_url=lambda substitution: reverse(
            "delivery:substitution-detail", kwargs={"org": org, "pk": substitution.pk}
        ),
        template="delivery/substitution_form.html",
        context=context,
    )


@login_required
@require_http_methods(["GET", "POST"])
def substitution_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """A substitution and its comparison, for both parties; the buyer's contract manager decides here."""
    deciding = request.method == "POST"
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS if deciding else None)
    substitution = selectors_agreements.substitution_get(member=member, pk=pk)
    agreement = substitution.agreement
    can_decide = may_manage(member, agreement) and substitution.state == SubstitutionState.PROPOSED
    if deciding and not can_decide:
        raise Http404("Only the buyer's contract manager decides on a proposed substitution.")
    _verdict, explanation = selectors_agreements.value_verdict(
        substitution.original_net_value, substitution.proposed_net_value
    )
    context = {
        "member": member,
        "agreement": agreement,
        "substitution": substitution,
        "comparison": _current_comparison(substitution),
        "verdict": explanation,
    }
    if not can_decide:
        return render(request, "delivery/substitution_detail.html", {**context, "form": None})
    form = SubstitutionDecisionForm(request.POST or None, prefix="decision")
    return form_page(
        request,
        form,
        save=lambda: services_agreements.substitution_decide(
            actor=member.user,
            member=member,
            substitution=substitution,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        ),
        message=lambda decided: f"The substitution has been {decided.get_state_display().lower()}.",
        success_url=_agreement_url(org, agreement),
        template="delivery/substitution_detail.html",
        context=context,
    )


def _current_comparison(substitution: Substitution) -> selectors_agreements.SubstitutionComparison | None:
    """While it waits for a decision, the comparison as it stands now (claims may have been verified since)."""
    if substitution.state != SubstitutionState.PROPOSED:
        return None
    return selectors_agreements.substitution_comparison(
        commitment=substitution.commitment,
        proposed_measure=substitution.proposed_measure,
        proposed_quantity=substitution.proposed_quantity,
    )
