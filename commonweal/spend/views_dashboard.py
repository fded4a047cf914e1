"""The spend dashboard, /o/<org>/spend/: filters, headline figures, charts with their tables, and
downloads of each table as CSV or XLSX."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import analytics
from .dashboard import (
    CONTENT_TYPES,
    COUNTING_NOTES,
    FORMATS,
    TABLE_KEYS,
    dashboard_build,
    download_name,
    download_tables,
    table_csv,
    tables_xlsx,
)
from .forms_dashboard import SpendFilterForm


def import_url(member: Member) -> str | None:
    """The page to import a spend file, where the organisation has one and the member may use it."""
    if not member.may(Permission.MANAGE_SPEND):
        return None
    try:
        return reverse("spend:import-upload", kwargs={"org": member.organisation.slug})
    except NoReverseMatch:
        return None


@login_required
@require_GET
def dashboard(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    organisation = member.organisation
    context: dict[str, object] = {
        "member": member,
        "import_url": import_url(member),
        "counting_notes": COUNTING_NOTES,
    }
    if not analytics.has_spend(organisation=organisation):
        return render(request, "spend/dashboard_empty.html", context)
    data: QueryDict = request.GET
    if not data and (year := analytics.latest_financial_year(organisation=organisation)):
        # The dashboard opens on the latest financial year; clearing the dates shows every year.
        data = QueryDict(mutable=True)
        data.update(_dates_query(*year))
    form = SpendFilterForm(
        data or None,
        choices=analytics.filter_choices(organisation=organisation),
    )
    spend_filter = analytics.ALL_SPEND
    if form.is_bound:
        if not form.is_valid():
            return render(request, "spend/dashboard.html", {**context, "form": form})
        spend_filter = form.spend_filter()
    query = spend_filter.query()
    context.update(
        {
            "form": form,
            "spend_filter": spend_filter,
            "filtered": bool(query),
            "query": urlencode(query),
            "board": dashboard_build(organisation=organisation, spend_filter=spend_filter),
        }
    )
    return render(request, "spend/dashboard.html", context)


def _dates_query(start: date, end: date) -> dict[str, str]:
    return {"date_from": f"{start.day}/{start.month}/{start.year}", "date_to": f"{end.day}/{end.month}/{end.year}"}


@login_required
@require_GET
def dashboard_download(request: HttpRequest, org: str) -> HttpResponse:
    """?table=<key>|all&format=csv|xlsx with the dashboard's filters. Every table at once only as XLSX."""
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    organisation = member.organisation
    key = request.GET.get("table", "all")
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS or (key != "all" and key not in TABLE_KEYS) or (key == "all" and fmt == "csv"):
        raise Http404("No such download.")
    form = SpendFilterForm(request.GET, choices=analytics.filter_choices(organisation=organisation))
    if not form.is_valid():
        problems = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponseBadRequest(f"There is a problem with the filter: {problems}", content_type="text/plain")
    spend_filter = form.spend_filter()
    tables = download_tables(organisation=organisation, spend_filter=spend_filter, key=key)
    if fmt == "csv":
        content: bytes = table_csv(tables[0]).encode("utf-8")
    else:
        content = tables_xlsx(organisation=organisation, spend_filter=spend_filter, tables=tables)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = download_name(organisation=organisation, key=key, fmt=fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
