"""Template filters and the upload checks' wording."""

from decimal import Decimal

import pytest

from commonweal.core.uploads import EVIDENCE_TYPES, describe_types, size_label
from commonweal.frontend.templatetags.govuk import quantity, status_tag

pytestmark = pytest.mark.database_independent


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("12.50"), "count", "12.5"),
        (Decimal("1234"), "weeks", "1,234"),
        (Decimal("1234.00"), "fte", "1,234"),
        (Decimal("0.25"), "tco2e", "0.25"),
        (Decimal("0"), "hours", "0"),
        (Decimal("1234"), "gbp", "£1,234.00"),
        (Decimal("41250.5"), "gbp", "£41,250.50"),
        (None, "gbp", ""),
    ],
)
def test_quantity_format(value, unit, expected):
    assert quantity(value, unit) == expected


def test_status_tags_have_colours():
    assert status_tag("Rejected") == "govuk-tag--red"
    assert status_tag("Verified") == "govuk-tag--green"
    assert status_tag("Queried") == "govuk-tag--orange"
    assert status_tag("Something new") == "govuk-tag--grey"


def test_size_labels_and_type_list_read_well():
    assert size_label(10 * 1024 * 1024) == "10 MB"
    assert size_label(2048) == "2 KB"
    assert size_label(500) == "500 bytes"
    assert describe_types(EVIDENCE_TYPES) == "CSV, DOCX, JPG, ODS, ODT, PDF, PNG, TXT or XLSX"
    assert describe_types({".csv": EVIDENCE_TYPES[".csv"]}) == "CSV"


def test_govuk_form_keeps_width_classes_and_marks_errors():
    from django import forms

    from commonweal.frontend.forms import GovukForm

    class Example(GovukForm):
        amount = forms.DecimalField(widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))

    blank = Example()
    assert blank.fields["amount"].widget.attrs["class"] == "govuk-input--width-10 govuk-input"
    bound = Example({"amount": "lots"})
    assert not bound.is_valid()
    assert bound.fields["amount"].widget.attrs["class"] == "govuk-input--width-10 govuk-input govuk-input--error"
    assert bound.fields["amount"].widget.attrs["aria-describedby"] == "id_amount-error"


def test_checkboxes_and_radios_are_govuk_inputs_not_text_boxes():
    """A multiple-choice field's boxes are GOV.UK checkboxes, never styled as text inputs, with or
    without an error (the error shows on the form group)."""
    from django import forms

    from commonweal.frontend.forms import GovukForm

    class Example(GovukForm):
        many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)
        one = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    for form in (Example(), Example({"many": ["z"], "one": "z"})):
        form.is_valid()
        assert form.fields["many"].widget.attrs["class"] == "govuk-checkboxes__input"
        assert form.fields["one"].widget.attrs["class"] == "govuk-radios__input"
        html = str(form["many"])
        assert 'class="govuk-checkboxes__input"' in html and "govuk-input" not in html
