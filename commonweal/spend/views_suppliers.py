"""Pages for the supplier registry, its classification, the spend policy, the Real Living Wage list and
flags files. Any member of a public body reads (READ_PUBLIC_BODY); only a social value lead or
procurement officer (MANAGE_SPEND) changes anything. Everyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonweal.core.errors import ApplicationError
from commonweal.core.exports import csv_write
from commonweal.core.http import SignedInRequest
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import places
from . import selectors_suppliers as selectors
from . import services_suppliers as services
from .forms_suppliers import (
    ClassificationSheetForm,
    FlagsUploadForm,
    LivingWageUploadForm,
    OverrideForm,
    OverrideRemoveForm,
    PolicyForm,
    SupplierSearchForm,
)
from .models import Label
from .rules import RULE_FIELDS


def _reader(request: HttpRequest, org: str) -> Member:
    return member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)


def _reader_or_manager(request: HttpRequest, org: str) -> Member:
    """Anyone at a public body reads the page; only those who manage spend post to it."""
    permission = Permission.MANAGE_SPEND if request.method == "POST" else Permission.READ_PUBLIC_BODY
    return member_require(user=request.user, slug=org, permission=permission)


def _manager(request: HttpRequest, org: str) -> Member:
    return member_require(user=request.user, slug=org, permission=Permission.MANAGE_SPEND)


@login_required
@require_GET
def supplier_list(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    form = SupplierSearchForm(request.GET or None)
    filters = form.filters() if request.GET else {"query": "", "label": "", "value": "", "sort": "spend"}
    page, rows = selectors.suppliers_page(member=member, **filters, page=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "spend/supplier_list.html",
        {
            "member": member,
            "search_form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "query_string": query.urlencode(),
            "counts": selectors.supplier_counts(member=member),
            "labels": Label.choices,
        },
    )


@login_required
@require_GET
def supplier_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _reader(request, org)
    supplier = selectors.supplier_get(member=member, pk=pk)
    return render(
        request,
        "spend/supplier_detail.html",
        {
            "member": member,
            "detail": selectors.supplier_detail(member=member, supplier=supplier),
            "form": OverrideForm(),
        },
    )


@login_required
@require_POST
def supplier_override(request: SignedInRequest, org: str, pk: int) -> HttpResponse:
    member = _manager(request, org)
    supplier = selectors.supplier_get(member=member, pk=pk)
    form = OverrideForm(request.POST)

    def save() -> None:
        data = form.cleaned_data
        services.supplier_override_set(
            actor=request.user,
            member=member,
            supplier=supplier,
            label=data["override_label"],
            value=data["override_value"],
            reason=data["override_reason"],
        )

    return form_page(
        request,
        form,
        save=save,
        message=lambda _: f"{Label(form.cleaned_data['override_label']).label} is now set by hand for {supplier.name}.",
        success_url=reverse("spend:supplier-detail", kwargs={"org": org, "pk": supplier.pk}),
        template="spend/supplier_detail.html",
        context={"member": member, "detail": selectors.supplier_detail(member=member, supplier=supplier)},
    )


@login_required
@require_POST
def supplier_override_remove(request: SignedInRequest, org: str, pk: int) -> HttpResponse:
    member = _manager(request, org)
    supplier = selectors.supplier_get(member=member, pk=pk)
    form = OverrideRemoveForm(request.POST)
    if not form.is_valid():
        raise Http404("No such override.")
    label = form.cleaned_data["remove_label"]
    try:
        services.supplier_override_remove(actor=request.user, member=member, supplier=supplier, label=label)
    except ApplicationError:
        raise Http404("No such override.") from None
    messages.success(request, f"The override of {Label(label).label} for {supplier.name} has been removed.")
    return redirect("spend:supplier-detail", org=org, pk=supplier.pk)


@login_required
@require_POST
def supplier_classify(request: SignedInRequest, org: str) -> HttpResponse:
    member = _manager(request, org)
    counts = services.supplier_classify(actor=request.user, member=member)
    messages.success(
        request,
        f"{counts.suppliers} suppliers classified again: {counts.labels_created} labels added, "
        f"{counts.labels_changed} changed, {counts.labels_removed} removed.",
    )
    return redirect("spend:supplier-list", org=org)


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: SignedInRequest, org: str) -> HttpResponse:
    member = _reader_or_manager(request, org)
    current = selectors.spend_policy_get(member=member)
    form = PolicyForm(request.POST if request.method == "POST" else None, policy=current)

    def save() -> None:
        codes = []
        for entry in form.district_entries():
            district = places.district_find(entry)
            codes.append(district.code if district else entry)
        services.spend_policy_update(actor=request.user, member=member, local_district_codes=codes, rules=form.rules())

    districts = [places.district_get(code) for code in current.local_district_codes or []]
    return form_page(
        request,
        form,
        save=save,
        message="The spend policy has been saved and suppliers classified again.",
        success_url=reverse("spend:policy", kwargs={"org": org}),
        template="spend/policy.html",
        context={
            "member": member,
            "policy": current,
            "districts": [district for district in districts if district is not None],
            "rule_fields": RULE_FIELDS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def living_wage(request: SignedInRequest, org: str) -> HttpResponse:
    member = _reader_or_manager(request, org)
    form = LivingWageUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))

    def save() -> services.LivingWageLoad:
        upload = form.cleaned_data["living_wage_file"]
        return services.living_wage_list_load(
            actor=request.user, member=member, content=upload.read(), filename=upload.name
        )

    return form_page(
        request,
        form,
        save=save,
        message=lambda result: (
            f"The list of {result.employers} employers has been loaded: {result.matched_suppliers} of your "
            "suppliers are on it."
        ),
        success_url=reverse("spend:living-wage", kwargs={"org": org}),
        template="spend/living_wage.html",
        context={"member": member, "summary": selectors.living_wage_summary(member=member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def flags(request: SignedInRequest, org: str) -> HttpResponse:
    member = _reader_or_manager(request, org)
    form = FlagsUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))

    def save() -> services.FlagsApplied:
        upload = form.cleaned_data["flags_file"]
        return services.supplier_flags_apply(actor=request.user, member=member, files=[(upload.name, upload.read())])

    return form_page(
        request,
        form,
        save=save,
        message=lambda result: (
            f"{form.cleaned_data['flags_file'].name}: {result.records} organisations read, {result.matched_records} "
            f"matched your suppliers; {result.labels_created} labels added and {result.labels_changed} changed."
        ),
        success_url=reverse("spend:flags", kwargs={"org": org}),
        template="spend/flags.html",
        context={"member": member, "summary": selectors.flags_summary(member=member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def classification_sheet(request: SignedInRequest, org: str) -> HttpResponse:
    member = _manager(request, org)
    form = ClassificationSheetForm(*((request.POST, request.FILES) if request.method == "POST" else ()))

    def save() -> services.ClassificationsLoaded:
        upload = form.cleaned_data["sheet_file"]
        try:
            return services.supplier_classifications_load(
                actor=request.user, member=member, content=upload.read(), filename=upload.name
            )
        except ApplicationError as error:  # each line's problem on the upload, linked from the summary
            for problem in error.field_errors.values():
                form.add_error("sheet_file", problem)
            raise ApplicationError(error.message) from None

    return form_page(
        request,
        form,
        save=save,
        message=lambda result: (
            f"{form.cleaned_data['sheet_file'].name}: {result.rows} suppliers read; {result.suppliers_changed} "
            f"postcodes or company numbers changed and {result.labels_set} classifications set. Every supplier "
            "has been classified again."
        ),
        success_url=reverse("spend:supplier-list", kwargs={"org": org}) + "?label=local&value=unknown&sort=spend",
        template="spend/classification_sheet.html",
        context={"member": member},
    )


@login_required
@require_GET
def classification_sheet_template(request: HttpRequest, org: str) -> HttpResponse:
    _manager(request, org)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="classification-sheet.csv"'
    header, example = services.CLASSIFICATION_SHEET_EXAMPLE
    csv_write(response, header, [dict(zip(header, example, strict=True))])
    return response
