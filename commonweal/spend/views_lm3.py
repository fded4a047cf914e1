"""LM3 pages, /o/<org>/spend/lm3/: surveys, their answers (one by one or from a CSV file) and the
result with its workings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.core.http import SignedInRequest
from commonweal.core.uploads import FileType, upload_check
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import selectors_lm3 as selectors
from . import services_lm3 as services
from .forms_lm3 import Lm3ResponseForm, Lm3SurveyForm, Lm3UploadForm
from .models import Lm3Response, Lm3Survey
from .rules import LM3_UPLOAD_COLUMNS, LM3_UPLOAD_MAX_BYTES

# A CSV file, perhaps saved with a .txt name by a spreadsheet program.
CSV_ONLY = {".csv": FileType("text/csv"), ".txt": FileType("text/plain")}


def _reader(request: HttpRequest, org: str) -> Member:
    return member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)


def _manager(request: HttpRequest, org: str) -> Member:
    """The member, if they may change LM3 surveys; otherwise the page does not exist for them."""
    return member_require(user=request.user, slug=org, permission=Permission.MANAGE_SPEND)


def _detail_url(org: str, survey: Lm3Survey) -> str:
    return reverse("spend:lm3-detail", kwargs={"org": org, "pk": survey.pk})


@login_required
@require_GET
def lm3_survey_list(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    return render(
        request,
        "spend/lm3_list.html",
        {"member": member, "surveys": selectors.lm3_survey_list(member=member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lm3_survey_create(request: SignedInRequest, org: str) -> HttpResponse:
    member = _manager(request, org)
    form = Lm3SurveyForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.lm3_survey_create(actor=request.user, member=member, **form.cleaned_data),
        message=lambda survey: f"The survey {survey.title} has been created.",
        success_url=lambda survey: _detail_url(org, survey),
        template="spend/lm3_survey_form.html",
        context={"member": member},
    )


@login_required
@require_GET
def lm3_survey_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _reader(request, org)
    survey = selectors.lm3_survey_get(member=member, pk=pk)
    return render(
        request,
        "spend/lm3_detail.html",
        {
            "member": member,
            "survey": survey,
            "period": selectors.survey_period(survey),
            "result": selectors.lm3_result(member=member, survey=survey),
            "responses": selectors.lm3_response_list(member=member, survey=survey),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lm3_response_add(request: SignedInRequest, org: str, pk: int) -> HttpResponse:
    member = _manager(request, org)
    survey = selectors.lm3_survey_get(member=member, pk=pk)
    form = Lm3ResponseForm(request.POST or None, suppliers=selectors.lm3_local_suppliers(member=member, survey=survey))

    def save() -> Lm3Response:
        return services.lm3_response_add(actor=request.user, member=member, survey=survey, **form.service_arguments())

    return form_page(
        request,
        form,
        save=save,
        message=lambda response: f"The answer from {response.respondent} has been added.",
        success_url=_detail_url(org, survey),
        template="spend/lm3_response_form.html",
        context={"member": member, "survey": survey, "period": selectors.survey_period(survey)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lm3_responses_upload(request: SignedInRequest, org: str, pk: int) -> HttpResponse:
    member = _manager(request, org)
    survey = selectors.lm3_survey_get(member=member, pk=pk)
    form = Lm3UploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["responses_file"]
        try:
            upload_check(file, types=CSV_ONLY, max_bytes=LM3_UPLOAD_MAX_BYTES, field="responses_file")
            added = services.lm3_responses_upload(
                actor=request.user, member=member, survey=survey, content=file.read(), filename=file.name or ""
            )
        except services.Lm3UploadError as error:
            form.add_application_error(error)
            problems = error.problems
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"{added} answer{'s' if added != 1 else ''} added from {file.name}.")
            return redirect("spend:lm3-detail", org=org, pk=survey.pk)
    return render(
        request,
        "spend/lm3_upload.html",
        {
            "member": member,
            "survey": survey,
            "form": form,
            "problems": problems,
            "columns": LM3_UPLOAD_COLUMNS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lm3_response_remove(request: SignedInRequest, org: str, pk: int) -> HttpResponse:
    member = _manager(request, org)
    response = selectors.lm3_response_get(member=member, pk=pk)
    survey = response.survey
    error = None
    if request.method == "POST":
        try:
            services.lm3_response_remove(actor=request.user, member=member, response=response)
        except ApplicationError as refused:
            error = refused.message
        else:
            messages.success(request, f"The answer from {response.respondent} has been removed.")
            return redirect("spend:lm3-detail", org=org, pk=survey.pk)
    return render(
        request,
        "spend/lm3_response_remove.html",
        {"member": member, "survey": survey, "response": response, "error": error},
    )
