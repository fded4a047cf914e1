"""Places are chosen by name: a ward with its district, a district, or a code, stored as the GSS code;
suggestions come from /places/ as a person types, and every form works without them."""

import pytest
from django.test import Client

from commonweal.delivery.forms_agreements import CommitmentForm
from commonweal.reporting.forms_consultations import ConsultationForm
from commonweal.spend import places


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Trafford", "E08000009"),
        ("  trafford ", "E08000009"),
        ("Altrincham, Trafford", "E05015239"),
        ("altrincham,  TRAFFORD", "E05015239"),
        ("Altrincham", "E05015239"),  # only one ward has the name
        ("e05015239", "E05015239"),
        ("E08000009", "E08000009"),
        ("Greater Manchester", "E47000001"),
        ("greater manchester combined authority", "E47000001"),
        ("North East", "E47000014"),
    ],
)
def test_a_place_is_found_by_its_name_or_code(typed: str, code: str) -> None:
    assert places.place_find(typed) == code


def test_a_name_many_wards_share_asks_for_the_district_and_an_unknown_name_says_how_to_type_one() -> None:
    with pytest.raises(
        places.PlaceNotFound, match=r"^\d+ wards are called “Central”: add the district, like “Central, "
    ):
        places.place_find("Central")
    with pytest.raises(places.PlaceNotFound, match="No ward or district is called “Atlantis”"):
        places.place_find("Atlantis")


def test_a_stored_code_reads_back_as_the_place_name() -> None:
    assert places.place_text("E05015239") == "Altrincham, Trafford"
    assert places.place_text("E08000009") == "Trafford"
    assert places.place_text("E47000001") == "Greater Manchester Combined Authority"
    assert places.place_label("E47000001") == "E47000001 (Greater Manchester Combined Authority)"
    assert places.place_name("E47000007") == "West Midlands"
    assert places.place_text("E99999999") == "E99999999"


def test_suggestions_put_names_that_start_with_the_text_first(client: Client) -> None:
    response = client.get("/places/", {"q": "trafford"})
    assert response.status_code == 200
    found = response.json()["places"]
    assert found[0] == {"code": "E08000009", "name": "Trafford"}
    assert {"code": "E05015239", "name": "Altrincham, Trafford"} in found
    assert len(found) == 10
    assert client.get("/places/", {"q": "t"}).json() == {"places": []}
    combined = client.get("/places/", {"q": "greater man"}).json()["places"]
    assert combined[0] == {"code": "E47000001", "name": "Greater Manchester Combined Authority"}
    assert client.post("/places/", {"q": "trafford"}).status_code in (403, 405)


def test_the_commitment_form_takes_a_name_and_shows_a_stored_code_by_name() -> None:
    field = CommitmentForm.base_fields["place_code"]
    assert field.clean("Altrincham, Trafford") == "E05015239"
    assert field.clean("") == ""
    assert field.prepare_value("E05015239") == "Altrincham, Trafford"
    assert field.prepare_value("Altrinch") == "Altrinch"  # what was typed stays, to be corrected
    assert field.widget.attrs["data-module"] == "app-place-autocomplete"


def test_a_consultation_lists_its_places_by_name_one_a_line() -> None:
    data = {
        "consultation-title": "Parks",
        "consultation-summary": "Which parks first?",
        "consultation-place_codes": "Altrincham, Trafford\n\nTrafford\nAtlantis\nE05015239",
        "consultation-opens_on_day": "1",
        "consultation-opens_on_month": "5",
        "consultation-opens_on_year": "2027",
        "consultation-closes_on_day": "1",
        "consultation-closes_on_month": "6",
        "consultation-closes_on_year": "2027",
    }
    form = ConsultationForm(data, prefix="consultation")
    assert not form.is_valid()
    assert form.errors["place_codes"] == [
        "Line 4: No ward or district is called “Atlantis”: type a ward and its "
        "district, like “Altrincham, Trafford”, a district, like “Trafford”, or "
        "an ONS code, like E08000009"
    ]
    form = ConsultationForm(
        {**data, "consultation-place_codes": "Altrincham, Trafford\nTrafford\nE05015239"}, prefix="consultation"
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["place_codes"] == ["E05015239", "E08000009"]
