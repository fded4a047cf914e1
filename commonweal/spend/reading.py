"""Reading a council's spend file: what it is, how it is written, and which column holds what.

Everything here looks at the first `HEAD_BYTES` of the file only (the rows themselves are read by
DuckDB in `services_imports`), except the two conversions that cannot be avoided: a ZIP's CSV is
copied out, an XLSX sheet is streamed into a CSV, and a file in a DOS or Windows code page is
re-encoded to UTF-8 in large chunks.

Encodings, decided on the first 64 KB:
- a UTF-8 byte-order mark, or bytes that are valid UTF-8 → UTF-8;
- otherwise the pound sign decides: byte 0xA3 is £ in Windows-1252 and ú in the DOS code pages 437/850,
  byte 0x9C is £ in 437/850 and œ in Windows-1252. More 0x9C than 0xA3 bytes → cp437 (437 and 850
  agree on £ and on every accented letter below 0xB0); otherwise → cp1252.
"""

import codecs
import csv
import hashlib
import io
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from commonweal.core.errors import ApplicationError

from .schema import FIELDS

HEAD_BYTES = 64 * 1024
HEADER_SEARCH_RECORDS = 50  # the header is looked for among the first records (title rows, blank rows)
DELIMITERS = (",", ";", "\t", "|")
CHUNK_BYTES = 4 * 1024 * 1024
XLSX_HEAD_ROWS = 300

# A date column used when the payment date is blank or not a date: the LGA schema's EffectiveDate (the
# end of the accounting period). It is not stored: it only fills `payment_date`.
FALLBACK_DATE = "fallback_date"
MAPPING_FIELDS: dict[str, str] = {
    **FIELDS,
    FALLBACK_DATE: "A second date used when the payment date is blank or not a date, such as an effective or "
    "period-end date",
}

# Header synonyms: canonical field → header names, normalised by `header_key` (lower case, letters and
# digits only), best first. When several columns match a field the earliest synonym wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "payment_date": (
        "paiddate",
        "paymentdate",
        "datepaid",
        "dateofpayment",
        "transactiondate",
        "paymentrundate",
        "chequedate",
        "posteddate",
        "postingdate",
        "date",
    ),
    FALLBACK_DATE: ("effectivedate", "periodenddate", "invoicedate", "documentdate"),
    "amount": (
        "amount",
        "amountpaid",
        "paymentamount",
        "netamount",
        "amountexclvat",
        "amountexvat",
        "netvalue",
        "transactionamount",
        "invoiceamount",
        "amountgbp",
        "totalamount",
        "value",
        "grossamount",
        "linevalue",
    ),
    "supplier_name": (
        "suppliername",
        "supplier",
        "beneficiaryname",
        "beneficiary",
        "vendorname",
        "vendor",
        "payeename",
        "payee",
        "creditorname",
        "creditor",
        "recipientname",
        "recipient",
        "merchantname",
        "merchant",
    ),
    "transaction_ref": (
        "transno",
        "transactionnumber",
        "transactionno",
        "transactionref",
        "transactionreference",
        "transactionid",
        "paymentreference",
        "paymentref",
        "paymentnumber",
        "paymentno",
        "paymentid",
        "documentnumber",
        "voucherno",
        "vouchernumber",
        "reference",
        "ref",
    ),
    "body": (
        "bodyname",
        "body",
        "organisationlabel",
        "organisationname",
        "organisation",
        "client",
        "council",
        "authority",
    ),
    "service_area": (
        "servicearea",
        "organisationalunit",
        "organisatonalunit",
        "organisationunit",
        "directorate",
        "department",
        "service",
        "serviceareacategorisation",
        "division",
        "costcentrename",
        "costcentre",
        "costcentredescription",
    ),
    "expense_type": (
        "expensetype",
        "expenditurecategory",
        "expenditurecatergory",
        "expenditureunit",
        "expensecategory",
        "expensearea",
        "proclasslabel",
        "spendcategory",
        "category",
        "subjectivedescription",
        "accountdescription",
        "expendituretype",
    ),
    "category_code": (
        "proclasscode",
        "expenditurecode",
        "expensecode",
        "categorycode",
        "subjectivecode",
        "accountcode",
        "glcode",
        "nominalcode",
        "ledgercode",
    ),
    "description": (
        "description",
        "purpose",
        "narrative",
        "details",
        "paymentdescription",
        "transactiondescription",
        "invoicedescription",
        "itemdescription",
        "linedescription",
    ),
    "supplier_postcode": (
        "supplierpostcode",
        "postcode",
        "vendorpostcode",
        "beneficiarypostcode",
        "payeepostcode",
        "supplierpostalcode",
    ),
    "companies_house_number": (
        "companieshousenumber",
        "companynumber",
        "companyregistrationnumber",
        "registeredcompanynumber",
        "beneficiaryregisteredcompanynumber",
        "suppliercompanynumber",
        "crn",
    ),
    "vat_number": (
        "vatregistrationnumber",
        "vatnumber",
        "vatregno",
        "vatregnumber",
        "vatreg",
        "suppliervatnumber",
        "beneficiaryvatnumber",
    ),
    "charity_number": (
        "charitynumber",
        "registeredcharitynumber",
        "charityno",
        "charityregistrationnumber",
        "beneficiarycharitynumber",
        "suppliercharitynumber",
    ),
    "irrecoverable_vat": ("irrecoverablevatamount", "irrecoverablevat", "nonrecoverablevat", "vatirrecoverable"),
}
KNOWN_HEADERS = {synonym for synonyms in SYNONYMS.values() for synonym in synonyms}
REQUIRED_MAPPING = ("payment_date", "amount")


class ReadError(ApplicationError):
    """The file cannot be read as a spend file; the message says why."""


@dataclass
class Sniffed:
    """How a file is written, from its first 64 KB."""

    kind: str  # "csv", "zip" or "xlsx": what the bytes are
    encoding: str  # utf-8, cp1252 or cp437 (of the CSV, after any unzipping or conversion)
    newline: str  # "\r\n", "\n" or "\r"
    delimiter: str
    header_line: int  # the physical line (1-based) the header ends on
    header: list[str]  # the header's cells as written (spacer columns are "")
    quoted_newlines: bool  # a quoted value in the first 64 KB spans lines
    sample: list[list[str]] = field(default_factory=list)  # the first records after the header

    @property
    def columns(self) -> list[tuple[int, str]]:
        """(position, header text) of every named column; spacer (empty-named) columns are left out."""
        return [(index, name) for index, name in enumerate(self.header) if name.strip()]

    @property
    def signature(self) -> str:
        return header_signature(self.header)

    def column_index(self, header_text: str) -> int | None:
        wanted = header_key(header_text)
        for index, name in enumerate(self.header):
            if name.strip() and header_key(name) == wanted:
                return index
        return None


def header_key(text: str) -> str:
    """'Organisatonal Unit ' → 'organisatonalunit', 'supplier_name' → 'suppliername'."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def header_signature(header: list[str]) -> str:
    """What a source's mapping was confirmed for: the named columns, in order, spacing and case ignored."""
    keys = "|".join(header_key(cell) for cell in header if cell.strip())
    return hashlib.sha256(keys.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


# --- What the file is -------------------------------------------------------------------------------


def file_kind(path: Path) -> str:
    with path.open("rb") as handle:
        start = handle.read(4)
    if start != b"PK\x03\x04":
        return "csv"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        return "xlsx"
    return "zip"


def _zip_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [info for info in archive.infolist() if not info.is_dir() and not info.filename.startswith("__MACOSX/")]
    data = [info for info in members if Path(info.filename).suffix.lower() in (".csv", ".txt", ".tsv")]
    if len(members) != 1 or len(data) != 1:
        listed = ", ".join(info.filename for info in members[:5]) or "nothing"
        raise ReadError(f"A ZIP file must hold exactly one CSV file; this one holds {listed}.")
    return data[0]


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 1234.56, not 1234.5599999.
        return format(Decimal(repr(value)), "f")
    return str(value)


def _xlsx_write(path: Path, out: io.TextIOBase, *, limit: int | None = None) -> None:
    """Stream the first non-empty sheet of an XLSX into CSV text (openpyxl read-only: bounded memory)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ReadError(f"The spreadsheet could not be opened: {error}.") from None
    try:
        writer = csv.writer(out, lineterminator="\n")
        for sheet in workbook.worksheets:
            written = 0
            for row in sheet.iter_rows(values_only=True):
                writer.writerow([_xlsx_cell(value) for value in row])
                written += 1
                if limit is not None and written >= limit:
                    break
            if written:
                return
    finally:
        workbook.close()


def head_bytes(path: Path) -> tuple[str, bytes]:
    """The file's kind and the first HEAD_BYTES of the CSV it holds (unzipped or converted as needed)."""
    kind = file_kind(path)
    if kind == "zip":
        with zipfile.ZipFile(path) as archive, archive.open(_zip_member(archive)) as member:
            return kind, member.read(HEAD_BYTES)
    if kind == "xlsx":
        text = io.StringIO()
        _xlsx_write(path, text, limit=XLSX_HEAD_ROWS)
        return kind, text.getvalue().encode("utf-8")[:HEAD_BYTES]
    with path.open("rb") as handle:
        return kind, handle.read(HEAD_BYTES)


def plain_csv(path: Path, kind: str, encoding: str, workdir: Path) -> Path:
    """A UTF-8 CSV DuckDB can read: the file itself, or a copy unzipped, converted or re-encoded in workdir."""
    source = path
    if kind == "zip":
        source = workdir / "unzipped.csv"
        with zipfile.ZipFile(path) as archive, archive.open(_zip_member(archive)) as member:
            with source.open("wb") as out:
                shutil.copyfileobj(member, out, CHUNK_BYTES)
    elif kind == "xlsx":
        source = workdir / "sheet.csv"
        with source.open("w", encoding="utf-8", newline="") as text_out:
            _xlsx_write(path, text_out)
        return source
    if encoding == "utf-8":
        return source
    target = workdir / "utf8.csv"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with source.open("rb") as raw, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := raw.read(CHUNK_BYTES):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))
    return target


# --- How it is written ------------------------------------------------------------------------------


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    return "cp437" if head.count(b"\x9c") > head.count(b"\xa3") else "cp1252"


def detect_newline(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    best = max((crlf, "\r\n"), (lf, "\n"), (cr, "\r"))
    return best[1] if best[0] else "\n"


def _records(lines: list[str], delimiter: str, limit: int) -> list[tuple[int, list[str]]]:
    """Up to `limit` records as (physical line the record ends on, cells); blank lines are skipped."""
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    records: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if cells and any(cell.strip() for cell in cells):
                records.append((reader.line_num, cells))
            if len(records) >= limit:
                break
    except csv.Error:
        pass
    return records


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most records into the same number (more than one) of fields."""
    best: tuple[int, int, str] = (0, 0, ",")
    for delimiter in DELIMITERS:
        counts = Counter(len(cells) for _, cells in _records(lines, delimiter, 200) if len(cells) > 1)
        if counts:
            width, agreeing = counts.most_common(1)[0]
            best = max(best, (agreeing, width, delimiter), key=lambda item: (item[0], item[1]))
    return best[2]


def header_score(cells: list[str]) -> int:
    return sum(1 for cell in cells if header_key(cell) in KNOWN_HEADERS)


def sniff(path: Path) -> Sniffed:
    """How the file at `path` is written, from its first 64 KB."""
    kind, head = head_bytes(path)
    if not head.strip():
        raise ReadError("The file is empty.")
    if b"\x00" in head:
        raise ReadError("The file is not a text (CSV) file: it contains NUL bytes.")
    encoding = detect_encoding(head)
    text = head.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    newline = detect_newline(text)
    pieces = text.split(newline)
    truncated = len(head) == HEAD_BYTES and len(pieces) > 1
    lines = [piece + newline for piece in (pieces[:-1] if truncated else pieces)]
    if lines and not pieces[-1] and not truncated:
        lines = lines[:-1]
    delimiter = detect_delimiter(lines)
    records = _records(lines, delimiter, HEADER_SEARCH_RECORDS + 5)
    if not records:
        raise ReadError("No rows could be read from the file.")
    scored = [(header_score(cells), -position) for position, (_, cells) in enumerate(records[:HEADER_SEARCH_RECORDS])]
    best_score, best_position = max(scored)
    if best_score >= 2:
        position = -best_position
    else:
        # No header names we know: take the first record as wide as most records.
        width = Counter(len(cells) for _, cells in records).most_common(1)[0][0]
        position = next(index for index, (_, cells) in enumerate(records) if len(cells) == width)
    header_line, header = records[position]
    sample = [cells for _, cells in records[position + 1 : position + 6]]
    quoted_newlines = any("\n" in cell or "\r" in cell for _, cells in records for cell in cells)
    return Sniffed(
        kind=kind,
        encoding=encoding,
        newline=newline,
        delimiter=delimiter,
        header_line=header_line,
        header=[cell.strip() if not cell.strip() else cell for cell in header],
        quoted_newlines=quoted_newlines,
        sample=sample,
    )


# --- Which column holds what ------------------------------------------------------------------------


def mapping_infer(sniffed: Sniffed) -> dict[str, str]:
    """{canonical field: header text} from the synonyms table; each column is used for one field at most."""
    keyed = [(header_key(name), index, name) for index, name in sniffed.columns]
    mapping: dict[str, str] = {}
    used: set[int] = set()
    for field_name, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            match = next((item for item in keyed if item[0] == synonym and item[1] not in used), None)
            if match is not None:
                mapping[field_name] = match[2]
                used.add(match[1])
                break
    return mapping


def mapping_positions(sniffed: Sniffed, mapping: dict[str, str]) -> dict[str, int]:
    """{canonical field: column position} for a mapping; a header the file lacks is an error."""
    positions: dict[str, int] = {}
    for field_name, header_text in mapping.items():
        if field_name not in MAPPING_FIELDS or not header_text:
            continue
        index = sniffed.column_index(header_text)
        if index is None:
            raise ReadError(f"The file has no column “{header_text.strip()}” (chosen for {field_name}).")
        positions[field_name] = index
    missing = [name for name in REQUIRED_MAPPING if name not in positions]
    if missing:
        columns = ", ".join(f"“{name.strip()}”" for _, name in sniffed.columns)
        wanted = " and ".join(name.replace("_", " ") for name in missing)
        raise ReadError(f"No column was found for the {wanted}. The file’s columns are: {columns}.")
    return positions
