"""`commonweal evaluation simulate` and the simulator page (/o/<org>/evaluation/simulate/)."""

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from commonweal.procurement import scoring
from commonweal.procurement.forms_simulate import SimulateForm
from commonweal.procurement.views_simulate import example_query
from tests.conftest import Tenant

EXAMPLE = Path(scoring.__file__).parent / "data" / "example-scenario.yaml"


def simulate(*args: str) -> str:
    out = io.StringIO()
    call_command("evaluation", "simulate", *args, stdout=out)
    return out.getvalue()


def refusal(tmp_path: Path, text: str) -> CommandError:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        simulate(str(path))
    assert caught.value.returncode == 2
    return caught.value


# --- The command -----------------------------------------------------------------------------------


def test_simulate_json_gives_every_figure_for_the_example_file() -> None:
    data = json.loads(simulate(str(EXAMPLE), "--json"))
    assert data["price_method"] == "lowest_over_bid"
    assert [(bid["bidder"], bid["total"], bid["rank"]) for bid in data["bids"]] == [
        ("Alder Community Services", "83.55", 1),
        ("Cedar Group plc", "82.67", 2),
        ("Birch Facilities Ltd", "76.75", 3),
        ("Damson Ltd", "0.00", None),
    ]
    assert data["bids"][0] == {
        "bidder": "Alder Community Services",
        "price": "1000000",
        "points": {"P": "36.80", "Q1": "24.00", "Q2": "9.00", "SV1": "10.00", "SV2": "3.75"},
        "price_points": "36.80",
        "quality_points": "33.00",
        "social_value_points": "13.75",
        "total": "83.55",
        "price_per_quality_point": None,
        "rank": 1,
        "disqualified": [],
    }
    assert data["bids"][1]["points"]["P"] == "30.67"  # 40 × 920,000 / 1,200,000 = 30.666…
    assert data["bids"][3]["disqualified"] == ["scored 1 on Q1, below its minimum score of 2"]
    assert (data["winner"], data["tied"]) == ("Alder Community Services", [])
    assert data["winner_without_social_value"] == "Birch Facilities Ltd"
    assert data["social_value_changed_winner"] is True


def test_simulate_prints_a_readable_table() -> None:
    text = simulate(str(EXAMPLE))
    assert "Price method: Lowest price ÷ bid price" in text
    assert "Alder Community Services" in text and "83.55" in text and "£1,000,000.00" in text
    assert "Winner: Alder Community Services" in text
    assert "Social value changed the winner: without it the winner would be Birch Facilities Ltd." in text


def test_simulate_with_price_per_quality_point(tmp_path: Path) -> None:
    path = tmp_path / "pqp.yaml"
    path.write_text(
        "price_method: price_per_quality_point\n"
        "criteria:\n"
        "  - {code: Q1, kind: quality, weight: 60, max_score: 5}\n"
        "  - {code: SV1, kind: social_value, weight: 40, max_score: 100}\n"
        "bids:\n"
        "  - {bidder: A, price: 90000, scores: {Q1: 4, SV1: 50}}\n"
        "  - {bidder: B, price: 100000.0, scores: {Q1: 5, SV1: 75}}\n",
        encoding="utf-8",
    )
    data = json.loads(simulate(str(path), "--json"))
    assert [(b["bidder"], b["total"], b["price_per_quality_point"], b["rank"]) for b in data["bids"]] == [
        ("B", "90.00", "1111.11", 1),
        ("A", "68.00", "1323.53", 2),
    ]
    assert data["bids"][0]["price"] == "100000.0"
    assert "£ per point" in simulate(str(path))


def test_a_bad_value_exits_2_naming_where_it_is(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        "price_method: lowest_over_bid\n"
        "criteria: [{code: P, kind: price, weight: 100}]\n"
        "bids:\n  - {bidder: A, price: 10}\n  - {bidder: B, price: ten}\n",
    )
    assert str(error).endswith("scenario.yaml:\n  bids[2].price: must be a number (it is “ten”).")


def test_an_unsound_model_exits_2_with_its_problems(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        "price_method: lowest_over_bid\n"
        "criteria:\n  - {code: P, kind: price, weight: 60}\n  - {code: Q, kind: quality, weight: 30, max_score: 5}\n"
        "bids: [{bidder: A, price: 10, scores: {Q: 3}}]\n",
    )
    assert "the evaluation model is not sound" in str(error)
    assert "The weights add up to 90%, not 100%." in str(error)
    assert "Social value carries 0% of the total score, below the minimum of 10%." in str(error)


def test_a_score_outside_its_scale_exits_2(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        "price_method: lowest_over_bid\nmin_social_value_weight: 0\n"
        "criteria:\n  - {code: P, kind: price, weight: 60}\n  - {code: Q, kind: quality, weight: 40, max_score: 5}\n"
        "bids: [{bidder: A, price: 10, scores: {Q: 7}}]\n",
    )
    assert str(error).endswith("A: the score 7 on Q is outside its scale (0 to 5).")


def test_invalid_yaml_and_a_missing_file_exit_2(tmp_path: Path) -> None:
    assert "not valid YAML at line 2" in str(refusal(tmp_path, "criteria: [\n"))
    assert "must be a mapping" in str(refusal(tmp_path, "- just a list\n"))
    with pytest.raises(CommandError, match="no such file") as caught:
        simulate(str(tmp_path / "missing.yaml"))
    assert caught.value.returncode == 2


# --- The page --------------------------------------------------------------------------------------


def page_url(tenant: Tenant) -> str:
    return reverse("procurement:simulate", kwargs={"org": tenant.buyer.slug})


def test_the_first_visit_shows_the_example_and_its_results(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.manager)
    response = client.get(page_url(tenant_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Evaluation simulator" in html
    assert 'value="Alder Community Services"' in html
    assert "Winner: Alder Community Services" in html
    assert "Social value changed the winner: yes. Without it the winner would be Birch Facilities Ltd." in html
    assert "<strong>83.55</strong>" in html
    assert "Scored 1 on Q1, below its minimum score of 2" in html
    assert response.context["result"].winner == "Alder Community Services"


def query(**changes: str) -> dict[str, str]:
    return {**example_query(), **changes}


def test_submitted_figures_are_scored(client: Client, tenant_a: Tenant) -> None:
    # Alder's social value drops to the minimum and deviation from the lowest replaces lowest ÷ bid.
    client.force_login(tenant_a.manager)
    data = query(price_method="deviation_from_lowest", b1_scores="Q1=4; Q2=3; SV1=25; SV2=0")
    response = client.get(page_url(tenant_a), data)
    result = response.context["result"]
    # Deviation from the lowest eligible price (Birch £920,000), 40 points:
    # Alder 40 × (1 − 80/920) = 36.52; Q1 24, Q2 9, SV1 2.5, SV2 0 → 72.02.
    # Cedar 40 × (1 − 280/920) = 27.83; 30 + 12 + 7.5 + 2.5 → 79.83.  Birch 40 + 24 + 9 + 2.5 + 1.25 = 76.75.
    assert [(row.bidder, row.total, row.rank) for row in result.bids[:3]] == [
        ("Cedar Group plc", Decimal("79.83"), 1),
        ("Birch Facilities Ltd", Decimal("76.75"), 2),
        ("Alder Community Services", Decimal("72.02"), 3),
    ]
    html = response.content.decode()
    assert "Winner: Cedar Group plc" in html
    # Without social value (× 100/85): Birch 47.06 + 28.24 + 10.59 = 85.88 beats Cedar 32.74 + 35.29 + 14.12 = 82.15.
    assert "Social value changed the winner: yes. Without it the winner would be Birch Facilities Ltd." in html


def test_errors_name_the_row_and_the_title_says_error(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.manager)
    response = client.get(
        page_url(tenant_a),
        query(c2_weight="thirty", b3_price="0", b2_scores="Q1=4; Q9=3", c6_code="X1"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Evaluation simulator" in html
    assert "Criterion 2: the weight must be a number, like 40" in html
    assert "Tender 3: the price must be more than £0" in html
    assert "Tender 2: Q9 is not the code of a quality or social value criterion" in html
    assert "Criterion 6: select price, quality or social value" in html
    assert 'href="#id_c2_weight"' in html and 'aria-describedby="id_c2_weight-error"' in html
    assert response.context["result"] is None
    assert "Correct the problems above to see the results." in html


def test_an_unsound_model_is_shown_as_errors(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.manager)
    response = client.get(page_url(tenant_a), query(c1_weight="45"))
    html = response.content.decode()
    assert "The weights add up to 105%, not 100%." in html
    assert response.context["result"] is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price_method": ""}, "Select a price method"),
        ({"min_sv_weight": "lots"}, "The minimum social value weight must be a number, like 10"),
        ({"b1_scores": "Q1 three"}, "Tender 1: write each score as code=score, like Q1=3; “Q1 three” is not"),
        ({"b1_scores": "Q1=9; Q2=3; SV1=100; SV2=75"}, "Tender 1: the score on Q1 must be between 0 and 5"),
        (
            {"b2_bidder": "Alder Community Services"},
            "Tender 2: Alder Community Services is the bidder of another tender",
        ),
        ({"c3_code": "Q1"}, "Criterion 3: the code Q1 is used by another criterion"),
        ({"c1_max": "5"}, "Criterion 1: price has no maximum or minimum score: leave them empty"),
        ({"c2_min": "6"}, "Criterion 2: the minimum score must not be above the maximum"),
    ],
)
def test_each_row_problem_is_reported(client: Client, tenant_a: Tenant, changes: dict[str, str], message: str) -> None:
    form = SimulateForm(query(**changes))
    assert not form.is_valid()
    assert message in [str(error) for errors in form.errors.values() for error in errors]


def test_the_page_writes_nothing_and_refuses_post(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.manager)
    assert client.post(page_url(tenant_a), query()).status_code == 405


def test_a_supplier_gets_404_even_for_its_own_organisation(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.supplier_user)
    url = reverse("procurement:simulate", kwargs={"org": tenant_a.supplier.slug})
    assert client.get(url).status_code == 404
    assert client.get(page_url(tenant_a)).status_code == 404


def test_another_organisation_gets_404(client: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    client.force_login(tenant_b.manager)
    response = client.get(page_url(tenant_a), query())
    assert response.status_code == 404
    assert tenant_a.buyer.name not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, tenant_a: Tenant) -> None:
    response = client.get(page_url(tenant_a))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_the_example_query_fills_the_form_rows(tenant_a: Tenant) -> None:
    data: dict[str, Any] = example_query()
    assert (data["c1_code"], data["c1_kind"], data["c1_weight"], data["c1_max"]) == ("P", "price", "40", "")
    assert data["b1_scores"] == "Q1=4; Q2=3; SV1=100; SV2=75"
    assert data["min_sv_weight"] == "10"
