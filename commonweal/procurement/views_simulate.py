"""The evaluation simulator page: try a weighting and a price method on made-up tenders before
publishing them. A GET form (results can be bookmarked) that stores nothing."""

from functools import cache
from pathlib import Path

import yaml
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from commonweal.tenancy.permissions import Permission, member_require

from . import scoring
from .forms_simulate import SimulateForm, scenario_query

EXAMPLE_SCENARIO = Path(__file__).resolve().parent / "data" / "example-scenario.yaml"


@cache
def example_query() -> dict[str, str]:
    return scenario_query(scoring.scenario_from_data(yaml.safe_load(EXAMPLE_SCENARIO.read_text(encoding="utf-8"))))


@login_required
@require_GET
def simulate(request: HttpRequest, org: str) -> HttpResponse:
    """For a public body's people; a supplier's get a 404. The first visit shows the example scenario."""
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    form = SimulateForm(request.GET if "price_method" in request.GET else example_query())
    result = None
    scenario = form.scenario()
    if scenario is not None:
        try:
            result = scoring.evaluate(scenario)
        except ValueError as error:
            form.add_error(None, str(error))
            form.widget_attrs_apply()
    criteria = scenario.criteria if scenario is not None else ()
    context = {
        "member": member,
        "form": form,
        "result": result,
        "criteria": criteria,
        "rows": [(row, [row.points.get(c.code) for c in criteria]) for row in result.bids] if result else [],
        "per_point": result is not None and result.price_method == scoring.PRICE_PER_QUALITY_POINT,
        "method_label": scoring.PRICE_METHOD_LABELS.get(result.price_method, "") if result is not None else "",
    }
    return render(request, "procurement/simulate/simulate.html", context)
