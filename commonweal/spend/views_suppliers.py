"""Pages for the supplier registry, its classification, the spend policy, the Real Living Wage list and
flags files. Any member of a public body reads (`can_read_spend`); only a social value lead or
procurement officer (`can_manage_spend`) changes anything. Everyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.selectors import Member, member_access

from . import places
from . import selectors_suppliers as selectors
from . import services_suppliers as services
from .forms_suppliers import (
    FlagsUploadForm,
    LivingWageUploadForm,
    OverrideForm,
    OverrideRemoveForm,
    PolicyForm,
    SupplierSearchForm,
)
from .models import Label, Supplier

SUPPLIERS_PER_PAGE = 50


def _reader(request: HttpRequest, org: str) -> Member:
    member = member_access(user=request.user, slug=org)
    selectors.spend_reader(member)
    return member


def _manager_required(member: Member) -> None:
    if not member.can_manage_spend:
        raise Http404("Only a social value lead or procurement officer can change supplier classifications.")


@login_required
@require_GET
def supplier_list(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    form = SupplierSearchForm(request.GET or None)
    filters = form.filters() if request.GET else {"query": "", "label": "", "value": ""}
    paginator = Paginator(selectors.supplier_list(member=member, **filters), SUPPLIERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
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
            "rows": selectors.supplier_rows(list(page.object_list)),
            "query_string": query.urlencode(),
            "counts": selectors.supplier_counts(member=member),
            "labels": Label.choices,
        },
    )


def _detail_page(
    request: HttpRequest, member: Member, supplier: Supplier, form: OverrideForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "spend/supplier_detail.html",
        {
            "member": member,
            "detail": selectors.supplier_detail(member=member, supplier=supplier),
            "form": form or OverrideForm(),
        },
        status=status,
    )


@login_required
@require_GET
def supplier_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _reader(request, org)
    supplier = selectors.supplier_get(member=member, pk=pk)
    return _detail_page(request, member, supplier)


@login_required
@require_POST
def supplier_override(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _reader(request, org)
    supplier = selectors.supplier_get(member=member, pk=pk)
    _manager_required(member)
    form = OverrideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.supplier_override_set(
                actor=request.user,
                supplier=supplier,
                label=data["override_label"],
                value=data["override_value"],
                reason=data["override_reason"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            label = Label(data["override_label"]).label
            messages.success(request, f"{label} is now set by hand for {supplier.name}.")
            return redirect("spend:supplier-detail", org=org, pk=supplier.pk)
    return _detail_page(request, member, supplier, form)


@login_required
@require_POST
def supplier_override_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = _reader(request, org)
    supplier = selectors.supplier_get(member=member, pk=pk)
    _manager_required(member)
    form = OverrideRemoveForm(request.POST)
    if not form.is_valid():
        raise Http404("No such override.")
    label = form.cleaned_data["remove_label"]
    try:
        services.supplier_override_remove(actor=request.user, supplier=supplier, label=label)
    except ApplicationError:
        raise Http404("No such override.") from None
    messages.success(request, f"The override of {Label(label).label} for {supplier.name} has been removed.")
    return redirect("spend:supplier-detail", org=org, pk=supplier.pk)


@login_required
@require_POST
def supplier_classify(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    _manager_required(member)
    counts = services.supplier_classify(actor=request.user, organisation=member.organisation)
    messages.success(
        request,
        f"{counts.suppliers} suppliers classified again: {counts.labels_created} labels added, "
        f"{counts.labels_changed} changed, {counts.labels_removed} removed.",
    )
    return redirect("spend:supplier-list", org=org)


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    if request.method == "POST":
        _manager_required(member)
    current = selectors.spend_policy_get(member=member)
    form = PolicyForm(request.POST if request.method == "POST" else None, policy=current)
    if request.method == "POST" and form.is_valid():
        entries = form.district_entries()
        codes = []
        for entry in entries:
            district = places.district_find(entry)
            codes.append(district.code if district else entry)
        try:
            services.spend_policy_update(
                actor=request.user, organisation=member.organisation, local_district_codes=codes, rules=form.rules()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "The spend policy has been saved and suppliers classified again.")
            return redirect("spend:policy", org=org)
    districts = [places.district_get(code) for code in current.local_district_codes or []]
    return render(
        request,
        "spend/policy.html",
        {
            "member": member,
            "policy": current,
            "form": form,
            "districts": [district for district in districts if district is not None],
            "rule_fields": services.RULE_FIELDS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def living_wage(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    if request.method == "POST":
        _manager_required(member)
    form = LivingWageUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["living_wage_file"]
        try:
            result = services.living_wage_list_load(
                actor=request.user, organisation=member.organisation, content=upload.read(), filename=upload.name
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                f"The list of {result.employers} employers has been loaded: {result.matched_suppliers} of your "
                "suppliers are on it.",
            )
            return redirect("spend:living-wage", org=org)
    return render(
        request,
        "spend/living_wage.html",
        {"member": member, "form": form, "summary": selectors.living_wage_summary(member=member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def flags(request: HttpRequest, org: str) -> HttpResponse:
    member = _reader(request, org)
    if request.method == "POST":
        _manager_required(member)
    form = FlagsUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["flags_file"]
        try:
            result = services.supplier_flags_apply(
                actor=request.user, organisation=member.organisation, files=[(upload.name, upload.read())]
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                f"{upload.name}: {result.records} organisations read, {result.matched_records} matched your "
                f"suppliers; {result.labels_created} labels added and {result.labels_changed} changed.",
            )
            return redirect("spend:flags", org=org)
    return render(
        request, "spend/flags.html", {"member": member, "form": form, "summary": selectors.flags_summary(member=member)}
    )
