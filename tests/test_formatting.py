"""The one way money, percentages, dates and times are shown (commonweal.core.formatting) and its filters."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.template import Context, Template

from commonweal.core.formatting import (
    money,
    money_in,
    money_rate,
    percent,
    percent_of_fraction,
    uk_date,
    uk_datetime,
    uk_time,
)

pytestmark = pytest.mark.database_independent


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("1234567.89"), "£1,234,567.89"),
        (D("250000"), "£250,000.00"),
        (D("1234.5"), "£1,234.50"),
        (D("0"), "£0.00"),
        (D("-1234.5"), "−£1,234.50"),
        (D("-0.004"), "£0.00"),  # rounds to nothing: no minus sign on zero
        (D("0.005"), "£0.01"),  # halves up, not to even
        (D("2.675"), "£2.68"),
        (D("-0.005"), "−£0.01"),  # halves away from zero below it too
        (12, "£12.00"),
        (0.1, "£0.10"),
        (None, ""),
    ],
)
def test_money_is_pounds_to_the_penny_with_commas_and_a_minus_sign(value, shown):
    assert money(value) == shown


def test_money_in_another_currency_names_it_and_never_shows_a_pound_sign():
    assert money_in(D("250000"), "EUR") == "EUR 250,000.00"
    assert money_in(D("-12.505"), "eur") == "−EUR 12.51"
    assert money_in(D("1234.5"), "GBP") == money_in(D("1234.5"), "") == "£1,234.50"
    assert money_in(None, "EUR") == ""
    assert Template("{% load formatting %}{{ v|money_in:c }}").render(Context({"v": D("5"), "c": "USD"})) == "USD 5.00"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("12.5"), "£12.50"),
        (D("0.1234"), "£0.1234"),
        (D("10000.0000"), "£10,000.00"),
        (D("0.12345"), "£0.1235"),
        (D("-0.05"), "−£0.05"),
        (None, ""),
    ],
)
def test_a_rate_keeps_fractions_of_a_penny_up_to_4_places(value, shown):
    assert money_rate(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("12.5"), "12.5%"),
        (D("12.50"), "12.5%"),
        (D("25"), "25%"),
        (D("33.333"), "33.33%"),
        (D("0.125"), "0.13%"),  # halves up
        (D("64.0"), "64%"),
        (D("0"), "0%"),
        (D("-4.5"), "−4.5%"),
        (D("1E+1"), "10%"),
        (D("1250"), "1,250%"),
        (50, "50%"),
        ("15", "15%"),
        (None, ""),
    ],
)
def test_percent_has_at_most_2_places_and_no_trailing_zeros(value, shown):
    assert percent(value) == shown


def test_a_fraction_is_shown_as_a_percentage():
    assert [percent_of_fraction(D(v)) for v in ("0.25", "0.1234", "0.12345", "1", "0")] == [
        "25%",
        "12.34%",
        "12.35%",
        "100%",
        "0%",
    ]
    assert percent_of_fraction(None) == ""


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 3, 14, 14, 30, tzinfo=UTC), "14 March 2026, 2:30pm"),  # GMT: UTC+0
        (datetime(2026, 7, 1, 13, 30, tzinfo=UTC), "1 July 2026, 2:30pm"),  # BST: UTC+1
        (datetime(2026, 7, 1, 11, 0, tzinfo=UTC), "1 July 2026, midday"),
        (datetime(2026, 1, 16, 12, 0, tzinfo=UTC), "16 January 2026, midday"),
        (datetime(2026, 1, 16, 0, 0, tzinfo=UTC), "16 January 2026, midnight"),
        (datetime(2026, 6, 30, 23, 0, tzinfo=UTC), "1 July 2026, midnight"),  # the UK date, not UTC's
        (datetime(2026, 3, 14, 9, 0, tzinfo=UTC), "14 March 2026, 9am"),
        (datetime(2026, 3, 14, 0, 5, tzinfo=UTC), "14 March 2026, 12:05am"),
        (datetime(2026, 3, 14, 12, 1, tzinfo=UTC), "14 March 2026, 12:01pm"),
        (datetime(2026, 3, 14, 23, 59, 59, tzinfo=UTC), "14 March 2026, 11:59pm"),
        (None, ""),
    ],
)
def test_a_moment_is_shown_in_uk_time_the_gov_uk_way(moment, shown):
    assert uk_datetime(moment) == shown


def test_the_clocks_changing_is_followed():
    # 29 March 2026: clocks go forward at 1am GMT; 25 October 2026: back at 2am BST.
    assert uk_time(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "12:59am"
    assert uk_time(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "2am"
    assert uk_time(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "1:30am"
    assert uk_time(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "1:30am"
    assert uk_time(None) == ""


def test_a_date_is_day_month_in_full_and_year():
    assert uk_date(date(2026, 3, 4)) == "4 March 2026"
    assert uk_date(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == "1 June 2026"  # 12:30am BST
    assert uk_date(None) == ""


def test_the_template_filters_show_the_same_and_nothing_for_missing_values():
    template = Template(
        "{% load formatting %}{{ a|money }} {{ b|percent }} {{ c|percent_of_fraction }} {{ d|uk_date }} "
        "{{ e|uk_datetime }} {{ e|uk_time }} {{ f|money_rate }}"
        "|{{ missing|money }}|{{ none|percent|default:'Not given' }}"
    )
    shown = template.render(
        Context(
            {
                "a": D("-100"),
                "b": D("12.50"),
                "c": D("0.5"),
                "d": date(2026, 3, 14),
                "e": datetime(2026, 3, 14, 12, 0, tzinfo=UTC),
                "f": D("0.0345"),
                "none": None,
            }
        )
    )
    assert shown == "−£100.00 12.5% 50% 14 March 2026 14 March 2026, midday midday £0.0345||Not given"


def test_a_pounds_quantity_is_shown_as_money():
    template = Template('{% load govuk %}{{ a|quantity:"gbp" }} {{ b|quantity:"gbp" }} {{ c|quantity }}')
    assert template.render(Context({"a": D("1234"), "b": D("-2.5"), "c": D("12.50")})) == "£1,234.00 −£2.50 12.5"


def test_a_figure_kept_as_text_reads_as_the_same_figure():
    """Published snapshots keep figures as text ("1234.00"): the hub shows them as the pages do."""
    from commonweal.frontend.templatetags.govuk import quantity

    assert quantity("10000.00", "gbp") == quantity(D("10000.00"), "gbp") == "£10,000.00"
    assert quantity("320.00", "hours") == quantity(D("320"), "hours") == "320"
    assert quantity("18.50", "tonnes") == "18.5"
    assert quantity("", "gbp") == quantity(None) == ""
