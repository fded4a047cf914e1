"""Pages for agreements, their commitments (on a page or from a file) and substitutions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.selectors import Member, member_access

from . import commitments_import, selectors, selectors_agreements, services, services_agreements
from .forms_agreements import (
    AgreementForm,
    CalledOffForm,
    CommitmentForm,
    CommitmentImportForm,
    SubstitutionDecisionForm,
    SubstitutionForm,
)
from .models import PRO_RATA_KINDS, Agreement, Substitution, SubstitutionState


def _contract_manager(request: HttpRequest, org: str) -> Member:
    """The member, if they manage the buyer's contracts; otherwise the page does not exist for them."""
    member = member_access(user=request.user, slug=org)
    if not member.can_manage_contracts:
        raise Http404("Only the buyer's contract managers change agreements.")
    return member


def _owned_agreement(member: Member, pk: int) -> Agreement:
    agreement = selectors.agreement_get(member=member, pk=pk)
    if agreement.organisation_id != member.organisation.pk:
        raise Http404("Only the buyer changes its agreements.")
    return agreement


def _form_page(request: HttpRequest, member: Member, form: Any, **context: Any) -> HttpResponse:
    return render(request, "delivery/agreement_form.html", {"member": member, "form": form, **context})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, org: str) -> HttpResponse:
    member = _contract_manager(request, org)
    form = AgreementForm(request.POST or None, member=member, prefix="agreement")
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request.user, member=member, organisation=member.organisation, **form.service_arguments()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The agreement {agreement.reference} has been created. Add its commitments.")
            return redirect("delivery:agreement-detail", org=org, pk=agreement.pk)
    return _form_page(
        request,
        member,
        form,
        heading="Create an agreement",
        button="Create the agreement",
        intro="A contract, call-off, grant, planning obligation, asset transfer or employment programme in which "
        "the other party commits to deliver social value.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_update(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _contract_manager(request, org)
    agreement = _owned_agreement(member, pk)
    form = AgreementForm(
        request.POST or None, member=member, prefix="agreement", initial=AgreementForm.initial_for(agreement)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_agreements.agreement_update(
                actor=request.user, member=member, agreement=agreement, **form.service_arguments()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The agreement {agreement.reference} has been saved.")
            return redirect("delivery:agreement-detail", org=org, pk=agreement.pk)
    return _form_page(
        request,
        member,
        form,
        agreement=agreement,
        heading="Change the agreement",
        button="Save the agreement",
        intro="Every change is recorded in the agreement’s history, with what it was before.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_called_off(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _contract_manager(request, org)
    agreement = _owned_agreement(member, pk)
    form = CalledOffForm(
        request.POST or None, prefix="called_off", initial={"called_off_value": agreement.called_off_value}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_agreements.agreement_update(
                actor=request.user,
                member=member,
                agreement=agreement,
                called_off_value=form.cleaned_data["called_off_value"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "The called-off value has been saved and the targets pro-rated to it.")
            return redirect("delivery:agreement-detail", org=org, pk=agreement.pk)
    is_call_off = agreement.kind in PRO_RATA_KINDS
    return _form_page(
        request,
        member,
        form if is_call_off else None,
        agreement=agreement,
        heading="Update the called-off value",
        button="Save the called-off value",
        intro=(
            f"Targets are pro-rated to the spend called off: each effective target is the target × the called-off "
            f"value ÷ the agreement’s value (£{agreement.value:,.2f}), to 2 decimal places."
            if is_call_off
            else "Only a call-off under a framework has a called-off value. Change the agreement’s kind first."
        ),
    )


# --- Commitments -----------------------------------------------------------------------------------


@login_required
@require_GET
def commitment_list(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    agreement = selectors.agreement_get(member=member, pk=pk)
    return render(
        request,
        "delivery/commitment_list.html",
        {
            "member": member,
            "agreement": agreement,
            "rows": selectors_agreements.commitment_rows(member=member, agreement=agreement),
            "pro_rata": selectors_agreements.pro_rata(agreement),
            "can_change": member.can_manage_contracts and agreement.organisation_id == member.organisation.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _contract_manager(request, org)
    agreement = _owned_agreement(member, pk)
    form = CommitmentForm(
        request.POST or None, measures=selectors_agreements.measure_list(agreement=agreement), prefix="commitment"
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commitment = services.commitment_create(
                actor=request.user,
                member=member,
                agreement=agreement,
                measure=data["measure"],
                target_quantity=data["target_quantity"],
                due_date=data["due_date"],
                place_code=data["place_code"],
                beneficiary_group=data["beneficiary_group"],
                milestones=data["milestones"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The commitment to {commitment.measure.title} has been added.")
            return redirect("delivery:commitment-list", org=org, pk=agreement.pk)
    return render(
        request,
        "delivery/commitment_form.html",
        {"member": member, "agreement": agreement, "form": form, "heading": "Add a commitment"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_update(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _contract_manager(request, org)
    commitment = selectors_agreements.commitment_get(member=member, pk=pk)
    agreement = _owned_agreement(member, commitment.agreement_id)
    form = CommitmentForm(
        request.POST or None,
        measures=selectors_agreements.measure_list(agreement=agreement),
        prefix="commitment",
        initial=CommitmentForm.initial_for(commitment),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_agreements.commitment_update(
                actor=request.user,
                member=member,
                commitment=commitment,
                measure=data["measure"],
                target_quantity=data["target_quantity"],
                due_date=data["due_date"],
                place_code=data["place_code"],
                beneficiary_group=data["beneficiary_group"],
                milestones=data["milestones"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The commitment to {commitment.measure.title} has been saved.")
            return redirect("delivery:commitment-list", org=org, pk=agreement.pk)
    return render(
        request,
        "delivery/commitment_form.html",
        {
            "member": member,
            "agreement": agreement,
            "commitment": commitment,
            "form": form,
            "heading": "Change a commitment",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _contract_manager(request, org)
    commitment = selectors_agreements.commitment_get(member=member, pk=pk)
    agreement = _owned_agreement(member, commitment.agreement_id)
    error = services_agreements.commitment_removal_problem(commitment)
    if request.method == "POST":
        try:
            services_agreements.commitment_remove(actor=request.user, member=member, commitment=commitment)
        except ApplicationError as refused:
            error = refused.message
        else:
            messages.success(request, f"The commitment to {commitment.measure.title} has been removed.")
            return redirect("delivery:commitment-list", org=org, pk=agreement.pk)
    return render(
        request,
        "delivery/commitment_remove.html",
        {"member": member, "agreement": agreement, "commitment": commitment, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_import(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _contract_manager(request, org)
    agreement = _owned_agreement(member, pk)
    form = CommitmentImportForm(request.POST or None, request.FILES or None, prefix="import")
    problems: list[tuple[int | None, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services_agreements.commitments_file_import(
                actor=request.user, member=member, agreement=agreement, file=form.cleaned_data["file"]
            )
        except services_agreements.ImportRefused as refused:
            problems = refused.problems
            form.add_error("file", refused.message.rstrip("."))
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            created, unchanged = len(result.created), len(result.unchanged)
            messages.success(
                request,
                f"{created} commitment{'s' if created != 1 else ''} imported; "
                f"{unchanged} already there and left as they were.",
            )
            return redirect("delivery:commitment-list", org=org, pk=agreement.pk)
    return render(
        request,
        "delivery/commitment_import.html",
        {
            "member": member,
            "agreement": agreement,
            "form": form,
            "problems": problems,
            "measures": selectors_agreements.measure_list(agreement=agreement),
        },
    )


@login_required
@require_GET
def commitment_import_template(request: HttpRequest, org: str) -> HttpResponse:
    member_access(user=request.user, slug=org)
    response = HttpResponse(commitments_import.TEMPLATE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="commitments-template.csv"'
    return response


# --- Substitutions ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def substitution_propose(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The supplier's proposal. “Check the values” shows the comparison and stores nothing; “Propose”
    sends it to the contract manager."""
    member = member_access(user=request.user, slug=org)
    agreement = selectors.agreement_get(member=member, pk=pk)
    if not member.can_submit_returns or agreement.supplier_id != member.organisation.pk:
        raise Http404("Only the supplier proposes substitutions.")
    commitments = selectors_agreements.substitutable_commitments(member=member, agreement=agreement)
    measures = selectors_agreements.measure_list(agreement=agreement)
    form = SubstitutionForm(request.POST or None, commitments=commitments, measures=measures, prefix="substitution")
    comparison = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["commitment"] is None:
            form.add_error("commitment", "Choose the commitment to replace")
        elif request.POST.get("action") == "check":
            comparison = selectors_agreements.substitution_comparison(
                commitment=data["commitment"],
                proposed_measure=None if data["pledge"].strip() else data["proposed_measure"],
                proposed_quantity=None if data["pledge"].strip() else data["proposed_quantity"],
            )
        else:
            try:
                substitution = services_agreements.substitution_propose(
                    actor=request.user,
                    member=member,
                    commitment=data["commitment"],
                    proposed_measure=data["proposed_measure"],
                    proposed_quantity=data["proposed_quantity"],
                    pledge=data["pledge"],
                    reason=data["reason"],
                )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, "Your substitution has been sent to the contract manager to decide.")
                return redirect("delivery:substitution-detail", org=org, pk=substitution.pk)
    return render(
        request,
        "delivery/substitution_form.html",
        {
            "member": member,
            "agreement": agreement,
            "form": form,
            "comparison": comparison,
            "has_commitments": bool(commitments),
            "tolerance_percent": selectors_agreements.tolerance_percent(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def substitution_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """A substitution and its comparison, for both parties; the buyer's contract manager decides here."""
    member = member_access(user=request.user, slug=org)
    substitution = selectors_agreements.substitution_get(member=member, pk=pk)
    agreement = substitution.agreement
    can_decide = (
        member.can_manage_contracts
        and agreement.organisation_id == member.organisation.pk
        and substitution.state == SubstitutionState.PROPOSED
    )
    if request.method == "POST" and not can_decide:
        raise Http404("Only the buyer's contract manager decides on a proposed substitution.")
    form = SubstitutionDecisionForm(request.POST or None, prefix="decision") if can_decide else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            substitution = services_agreements.substitution_decide(
                actor=request.user,
                member=member,
                substitution=substitution,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The substitution has been {substitution.get_state_display().lower()}.")
            return redirect("delivery:agreement-detail", org=org, pk=agreement.pk)
    return render(
        request,
        "delivery/substitution_detail.html",
        {
            "member": member,
            "agreement": agreement,
            "substitution": substitution,
            "comparison": _current_comparison(substitution),
            "verdict": selectors_agreements.value_verdict(
                substitution.original_net_value, substitution.proposed_net_value
            )[1],
            "form": form,
        },
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
