"""Supplier names as a key: one normalisation, written twice (Python and DuckDB SQL) with the same result.

`normalise_name("Mobile Fresh Ltd. ")` and the SQL `normalise_name_sql("supplier_name")` both give
"MOBILE FRESH LTD"; tests check the two agree on arbitrary text. The rules, in order:

1. Latin letters with accents lose them (É → E, ß → SS, Æ → AE), from one fixed table.
2. `&` becomes " AND "; apostrophes and full stops are dropped ("Sainsbury's" → "SAINSBURYS",
   "P.L.C." → "PLC"); every other character that is not an ASCII letter or digit becomes a space.
3. Upper case, runs of spaces collapsed, trimmed.
4. "PUBLIC LIMITED COMPANY" → PLC, "P L C" → PLC, "LIMITED" → LTD (as whole words).

A redacted payment (personal data withheld) is recognised from the normalised name, by whole words,
so "REDACTIVE MEDIA SALES LIMITED" is a real firm and "Redacted, personal data" is not one.
"""

import re
import unicodedata

# Letters whose accent-free form is more than a base letter, or that have no decomposition.
_SPECIAL_LETTERS = {
    "ß": "ss",
    "ẞ": "SS",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ı": "i",
}


def _accent_table() -> dict[str, str]:
    """Latin-1 Supplement and Latin Extended-A letters → their ASCII letters (é → e)."""
    table = dict(_SPECIAL_LETTERS)
    for code in range(0xC0, 0x180):
        char = chr(code)
        if char in table:
            continue
        base = unicodedata.normalize("NFD", char)[0]
        if base.isascii() and base.isalpha():
            table[char] = base
    return table


ACCENTS = _accent_table()
# DuckDB's translate() maps one character to one; the longer replacements are done with replace().
_ONE_TO_ONE = {char: ascii_ for char, ascii_ in ACCENTS.items() if len(ascii_) == 1}
_ONE_TO_MANY = {char: ascii_ for char, ascii_ in ACCENTS.items() if len(ascii_) > 1}
_TRANSLATE = str.maketrans(ACCENTS)

DROPPED = "'.’‘`"  # removed without a space: "Sainsbury's" → SAINSBURYS, "P.L.C." → PLC
_DROPPED_RE = "[" + re.escape(DROPPED) + "]"
_OTHER_RE = "[^A-Za-z0-9]+"
SUFFIXES: tuple[tuple[str, str], ...] = (
    (r"\bPUBLIC LIMITED COMPANY\b", "PLC"),
    (r"\bPUBLIC LTD COMPANY\b", "PLC"),
    (r"\bP L C\b", "PLC"),
    (r"\bLIMITED\b", "LTD"),
)
REDACTED_PATTERN = (
    r"\b(REDACTED|REDACT|REDACTION)\b"
    r"|\bPERSONAL (DATA|INFORMATION|INFO|DETAILS)\b"
    r"|^(WITHHELD|NAME WITHHELD|SUPPLIER WITHHELD|DATA PROTECTION|DATA PROTECTION ACT|NOT DISCLOSED|UNDISCLOSED"
    r"|CONFIDENTIAL|PRIVATE INDIVIDUAL)$"
)
_REDACTED = re.compile(REDACTED_PATTERN)


def normalise_name(name: str) -> str:
    """The supplier key of a name ("" for a blank one); see the module docstring for the rules."""
    text = (name or "").translate(_TRANSLATE).replace("&", " AND ")
    text = re.sub(_DROPPED_RE, "", text)
    text = re.sub(_OTHER_RE, " ", text).upper().strip()
    for pattern, replacement in SUFFIXES:
        text = re.sub(pattern, replacement, text)
    return text


def is_redacted(name: str) -> bool:
    """Whether a payee name says the name was withheld (every spelling councils use)."""
    return bool(_REDACTED.search(normalise_name(name)))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalise_name_sql(column_sql: str) -> str:
    """A DuckDB expression giving `normalise_name` of the VARCHAR expression `column_sql` (NULL stays NULL)."""
    expression = column_sql
    for char, ascii_ in _ONE_TO_MANY.items():
        expression = f"replace({expression}, {_sql_string(char)}, {_sql_string(ascii_)})"
    sources = "".join(_ONE_TO_ONE)
    targets = "".join(_ONE_TO_ONE.values())
    expression = f"translate({expression}, {_sql_string(sources)}, {_sql_string(targets)})"
    expression = f"replace({expression}, '&', ' AND ')"
    expression = f"regexp_replace({expression}, {_sql_string(_DROPPED_RE)}, '', 'g')"
    expression = f"trim(upper(regexp_replace({expression}, {_sql_string(_OTHER_RE)}, ' ', 'g')))"
    for pattern, replacement in SUFFIXES:
        expression = f"regexp_replace({expression}, {_sql_string(pattern)}, {_sql_string(replacement)}, 'g')"
    return expression


def is_redacted_sql(column_sql: str) -> str:
    """A DuckDB expression giving `is_redacted` of `column_sql` (false for NULL)."""
    return f"coalesce(regexp_matches({normalise_name_sql(column_sql)}, {_sql_string(REDACTED_PATTERN)}), false)"


def is_redacted_normalised_sql(normalised_sql: str) -> str:
    """`is_redacted_sql` for an expression that is already a normalised name (saves normalising twice)."""
    return f"coalesce(regexp_matches({normalised_sql}, {_sql_string(REDACTED_PATTERN)}), false)"
