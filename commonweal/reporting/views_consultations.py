"""Consultations: the lead's pages under /o/<org>/consultations/ and the public pages under
/public/<org>/have-your-say/ (no sign-in; only consultations the organisation has opened)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import member_require

from . import selectors_consultations as selectors
from . import services_consultations as services
from .access import READ, page_member
from .forms_consultations import (
    ConsultationForm,
    OptionForm,
    PaperResponseForm,
    PublicResponseForm,
    YouSaidWeDidForm,
)
from .forms_report import ConfirmForm
from .models import Consultation
from .selectors_budget import suppression_threshold
from .selectors_public import Hub, hub_get


def _detail_url(org: str, consultation: Consultation) -> str:
    return reverse("reporting:consultation-detail", kwargs={"org": org, "pk": consultation.pk})


def _demographics(data: dict[str, Any]) -> dict[str, str]:
    return {"age_band": data.get("age_band") or ""}


# --- The lead's pages ---------------------------------------------------------------------------------------


@login_required
@require_GET
def consultation_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    return render(
        request,
        "reporting/consultations/list.html",
        {"member": member, "consultations": selectors.consultation_list(member=member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest, org: str) -> HttpResponse:
    member = page_member(request, org)
    form = ConsultationForm(request.POST or None, prefix="consultation")
    return form_page(
        request,
        form,
        save=lambda: services.consultation_create(actor=member.user, member=member, **form.cleaned_data),
        message="The consultation is set up: add its options, then open it.",
        success_url=lambda consultation: _detail_url(org, consultation),
        template="reporting/consultations/form.html",
        context={"member": member},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The consultation, its options (and a form to add one), its results."""
    member = page_member(request, org)
    consultation = selectors.consultation_get(member=member, pk=pk)
    form = OptionForm(request.POST or None, outcomes=selectors.outcome_choice_list(member=member), prefix="option")
    return form_page(
        request,
        form,
        save=lambda: services.option_add(
            actor=member.user, member=member, consultation=consultation, **form.cleaned_data
        ),
        message="The option is added.",
        success_url=_detail_url(org, consultation),
        template="reporting/consultations/detail.html",
        context={
            "member": member,
            "consultation": consultation,
            "results": selectors.consultation_results(consultation=consultation),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_open(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    consultation = selectors.consultation_get(member=member, pk=pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        save=lambda: services.consultation_open(actor=member.user, member=member, consultation=consultation),
        message="The consultation is open to the public.",
        success_url=_detail_url(org, consultation),
        template="reporting/consultations/open.html",
        context={"member": member, "consultation": consultation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_paper(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    consultation = selectors.consultation_get(member=member, pk=pk)
    labels = selectors.place_labels(consultation)
    form = PaperResponseForm(request.POST or None, consultation=consultation, labels=labels, prefix="paper")

    def save() -> Any:
        data = form.cleaned_data
        return services.response_enter_paper(
            actor=member.user,
            member=member,
            consultation=consultation,
            options=list(data["options"]),
            place_code=data["place_code"],
            comment=data["comment"],
            received_on=data["received_on"],
            demographics=_demographics(data),
            demographics_consent=data["demographics_consent"],
        )

    return form_page(
        request,
        form,
        save=save,
        message="The paper response is entered.",
        success_url=reverse("reporting:consultation-paper", kwargs={"org": org, "pk": consultation.pk}),
        template="reporting/consultations/paper.html",
        context={"member": member, "consultation": consultation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_you_said(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    consultation = selectors.consultation_get(member=member, pk=pk)
    form = YouSaidWeDidForm(request.POST or None, initial={"text": consultation.you_said_we_did}, prefix="said")
    return form_page(
        request,
        form,
        save=lambda: services.you_said_we_did_write(
            actor=member.user, member=member, consultation=consultation, text=form.cleaned_data["text"]
        ),
        message="“You said, we did” is saved.",
        success_url=_detail_url(org, consultation),
        template="reporting/consultations/you_said.html",
        context={"member": member, "consultation": consultation},
    )


# --- Public pages ---------------------------------------------------------------------------------------------


def _public_context(name: str, org: str) -> dict[str, Any]:
    """What the hub's page frame needs; its links to the hub only while the hub is published."""
    try:
        the_hub: Hub | None = hub_get(slug=org)
    except Http404:
        the_hub = None
    return {
        "data": {"organisation": {"name": name, "slug": org}, "threshold": suppression_threshold()},
        "org": org,
        "hub": the_hub,
    }


@require_GET
def public_list(request: HttpRequest, org: str) -> HttpResponse:
    """Opened consultations; a 404 while the organisation has neither one nor a published hub."""
    consultations = list(selectors.public_consultation_list(slug=org))
    context = _public_context(consultations[0].organisation.name if consultations else "", org)
    if not consultations:
        if context["hub"] is None:
            raise Http404("Nothing is published.")
        context["data"]["organisation"]["name"] = context["hub"].organisation["name"]
    return render(
        request,
        "reporting/consultations/public_list.html",
        {**context, "consultations": consultations, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def public_respond(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    consultation = selectors.public_consultation_get(slug=org, pk=pk)
    today = timezone.localdate()
    labels = selectors.place_labels(consultation)
    form = PublicResponseForm(request.POST or None, consultation=consultation, labels=labels, prefix="response")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.response_submit(
                consultation=consultation,
                options=list(data["options"]),
                place_code=data["place_code"],
                comment=data["comment"],
                demographics=_demographics(data),
                demographics_consent=data["demographics_consent"],
                honeypot=data["website"],
                address=request.META.get("REMOTE_ADDR", ""),
                today=today,
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return HttpResponseRedirect(reverse("hub:consultation-thanks", kwargs={"org": org, "pk": consultation.pk}))
    return render(
        request,
        "reporting/consultations/public_respond.html",
        {
            **_public_context(consultation.organisation.name, org),
            "consultation": consultation,
            "form": form,
            "open": consultation.is_open_on(today),
            "closed": consultation.is_closed_on(today),
        },
    )


@require_GET
def public_thanks(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    consultation = selectors.public_consultation_get(slug=org, pk=pk)
    return render(
        request,
        "reporting/consultations/public_thanks.html",
        {**_public_context(consultation.organisation.name, org), "consultation": consultation},
    )


@require_GET
def public_results(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Results by ward and option, and "you said, we did": only once the consultation has closed."""
    consultation = selectors.public_consultation_get(slug=org, pk=pk)
    if not consultation.is_closed_on(timezone.localdate()):
        raise Http404("The results are published when the consultation closes.")
    return render(
        request,
        "reporting/consultations/public_results.html",
        {
            **_public_context(consultation.organisation.name, org),
            "consultation": consultation,
            "results": selectors.consultation_results(consultation=consultation),
        },
    )
