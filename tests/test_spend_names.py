"""Supplier name keys and redaction: the Python and DuckDB versions agree, and real spellings are right."""

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.spend.names import ACCENTS, is_redacted, is_redacted_sql, normalise_name, normalise_name_sql

pytestmark = pytest.mark.database_independent

CONNECTION = duckdb.connect()
SQL = f"SELECT {normalise_name_sql('$1')}, {is_redacted_sql('$1')}"

# Names as councils write them: letters of any script, accents, punctuation, spaces of all kinds.
NAME_CHARACTERS = st.one_of(
    st.characters(codec="utf-8", exclude_categories=["Cs"]),
    st.sampled_from(list(ACCENTS) + list("&'.’‘`-_,()/ \t\u00a0LTDlimitedPLCpublicREDACTEDpersonaldata")),
)


def in_sql(name: str) -> tuple[str, bool]:
    row = CONNECTION.execute(SQL, [name]).fetchone()
    assert row is not None
    return row[0], row[1]


@settings(max_examples=400, deadline=None)
@given(st.text(NAME_CHARACTERS, max_size=40))
def test_python_and_duckdb_normalise_every_name_the_same(name: str) -> None:
    assert in_sql(name) == (normalise_name(name), is_redacted(name))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Redacted", "personal", "data", "Ltd", "Limited", "P.L.C.", "&", "Co", "Café", "Ørsted"]),
        max_size=6,
    ).map(" ".join)
)
def test_python_and_duckdb_agree_on_company_words(name: str) -> None:
    assert in_sql(name) == (normalise_name(name), is_redacted(name))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Mobile Fresh Ltd. ", "MOBILE FRESH LTD"),
        ("MOBILE FRESH LIMITED", "MOBILE FRESH LTD"),
        ("Sainsbury's Supermarkets Ltd", "SAINSBURYS SUPERMARKETS LTD"),
        ("Marks & Spencer P.L.C.", "MARKS AND SPENCER PLC"),
        ("Marks and Spencer Public Limited Company", "MARKS AND SPENCER PLC"),
        ("  Oxford   & Cherwell Valley College ", "OXFORD AND CHERWELL VALLEY COLLEGE"),
        ("Café Ørsted (UK) Ltd", "CAFE ORSTED UK LTD"),
        ("PERSONAL STRENGTHS (UK) LTD                       ", "PERSONAL STRENGTHS UK LTD"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_names_normalise_to_one_key(name: str, key: str) -> None:
    assert normalise_name(name) == key
    assert in_sql(name)[0] == key


@pytest.mark.parametrize(
    "name",
    [
        # Every spelling in the Oxford and Trafford files, and others councils use.
        "Redacted personal data",
        "Redacted Personal Data",
        "Redacted, personal data",
        "Redacted personal information",
        "Redacted personal details",
        "Redacted, personal information",
        "Redacted",
        "REDACTED",
        "Reacted personal data",
        "[Redacted]",
        "Personal data - redacted",
        "Name withheld",
        "Withheld",
        "Data Protection",
    ],
)
def test_redacted_spellings_are_redacted(name: str) -> None:
    assert is_redacted(name)
    assert in_sql(name)[1] is True


@pytest.mark.parametrize(
    "name",
    [
        "REDACTIVE MEDIA SALES LIMITED",
        "REDACTIVE PUBLISHING LIMITED                      ",
        "Redactive Publishing Ltd",
        "PERSONAL STRENGTHS (UK) LTD",
        "Personal Care Consultants Ltd",
        "Data Protection Consultants Ltd",
        "",
    ],
)
def test_real_firms_are_not_redacted(name: str) -> None:
    assert not is_redacted(name)
    assert in_sql(name)[1] is False
