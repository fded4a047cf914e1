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
from collections.abc import Callable
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
        "invoicecreationdate",
        "invoicedate",
    ),
    FALLBACK_DATE: ("effectivedate", "periodenddate", "invoicedate", "invoicecreationdate", "documentdate"),
    "amount": (
        "amount",
        "amountpaid",
        "paymentamount",
        "netamount",
        "invoicenettamount",
        "invoicenetamount",
        "nettamount",
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
        "mchmerchantname",
        "name",
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
# A council's own reference column is often named after it ("Trafford Ref No", "OCC reference number"):
# a header ending in one of these is a transaction reference, unless it names the supplier's reference.
REFERENCE_SUFFIXES = ("refno", "refnumber", "referenceno", "referencenumber", "reference", "ref")
NOT_OUR_REFERENCE = ("supplier", "vendor", "creditor", "payee", "beneficiary", "invoice", "order", "vat", "company")
# The payment date, the amount and the supplier are required: a file with no supplier column recognised
# stops and asks which column holds it (a spend analysis with no suppliers is worth nothing).
REQUIRED_MAPPING = ("payment_date", "amount", "supplier_name")
# A header-less file's columns are named by position.
NO_HEADER_COLUMN = "Column {}"


def reference_suffixed(key: str) -> bool:
    """'traffordrefno' → True; 'supplierref' → False."""
    return any(key.endswith(suffix) and len(key) > len(suffix) for suffix in REFERENCE_SUFFIXES) and not any(
        key.startswith(word) for word in NOT_OUR_REFERENCE
    )


def header_known(cell: str) -> bool:
    key = header_key(cell)
    return key in KNOWN_HEADERS or reference_suffixed(key)


class ReadError(ApplicationError):
    """The file cannot be read as a spend file; the message says why."""


class MappingNeeded(ReadError):
    """A required column (payment date, amount or supplier) was not recognised: a person must say which it is."""

    def __init__(self, message: str, *, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass
class Sniffed:
    """How a file is written, from its first 64 KB."""

    kind: str  # "csv", "zip" or "xlsx": what the bytes are
    encoding: str  # utf-8, cp1252 or cp437 (of the CSV, after any unzipping or conversion)
    newline: str  # "\r\n", "\n" or "\r"
    delimiter: str
    header_line: int  # the physical line (1-based) the header ends on; 0 when the file has no header
    header: list[str]  # the header's cells as written (spacer columns are ""); "Column 1"… with no header
    quoted_newlines: bool  # a quoted value in the first 64 KB spans lines
    sample: list[list[str]] = field(default_factory=list)  # the first records after the header
    has_header: bool = True
    rows: list[list[str]] = field(default_factory=list)  # up to 50 records after the header, for guessing columns
    preamble_empty: int = 0  # empty lines above the first data row (DuckDB skips them with the preamble)
    nul_in_head: int = 0  # NUL bytes in the first 64 KB (removed before reading)
    encoding_given: bool = False  # the encoding was said, not detected: the whole file does not decide it

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


def _xlsx_has_formulas(path: Path) -> bool:
    """Whether any sheet holds a formula (an <f> element), looked for in the XML without parsing it."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            with archive.open(info) as member:
                tail = b""
                while chunk := member.read(CHUNK_BYTES):
                    if re.search(rb"<(?:\w+:)?f[ >/]", tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _xlsx_write(path: Path, out: io.TextIOBase, *, limit: int | None = None) -> list[str]:
    """Stream the first non-empty sheet of an XLSX into CSV text (openpyxl read-only: bounded memory).

    A formula cell with no saved value (a file written by a program that does not calculate, and never
    opened in Excel) is written as its formula, "=SUM(C2:C9)", so that the row is rejected with it rather
    than read as blank; the cells are returned (the first 20, and how many in all as the last entry)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False) if _xlsx_has_formulas(path) else None
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ReadError(f"The spreadsheet could not be opened: {error}.") from None
    unsaved: list[str] = []
    count = 0
    try:
        writer = csv.writer(out, lineterminator="\n")
        for sheet_index, sheet in enumerate(workbook.worksheets):
            written = 0
            rows = sheet.iter_rows(values_only=True)
            twins = formulas.worksheets[sheet_index].iter_rows(values_only=True) if formulas is not None else None
            for row_number, row in enumerate(rows, start=1):
                cells = [_xlsx_cell(value) for value in row]
                if twins is not None:
                    twin = next(twins, ())
                    for index, value in enumerate(row):
                        written_formula = twin[index] if index < len(twin) else None
                        if value is None and isinstance(written_formula, str) and written_formula.startswith("="):
                            cells[index] = written_formula
                            count += 1
                            if len(unsaved) < 20:
                                unsaved.append(f"{get_column_letter(index + 1)}{row_number}")
                writer.writerow(cells)
                written += 1
                if limit is not None and written >= limit:
                    break
            if written:
                break
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
    if count:
        shown = ", ".join(unsaved) + (f" and {count - len(unsaved)} more" if count > len(unsaved) else "")
        return [
            f"{count} formula cell{'s' if count != 1 else ''} of the spreadsheet had no saved value ({shown}): "
            "each was read as its formula, so rows whose amount or date it is are rejected. Open the file in "
            "a spreadsheet program and save it again to store the values."
        ]
    return []


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


def extracted_csv(path: Path, kind: str, workdir: Path) -> tuple[Path, list[str]]:
    """The CSV a file holds, as bytes on disk: the file itself, or a ZIP's CSV copied out, or an XLSX sheet
    converted (with warnings about it)."""
    if kind == "zip":
        source = workdir / "unzipped.csv"
        with zipfile.ZipFile(path) as archive, archive.open(_zip_member(archive)) as member:
            with source.open("wb") as out:
                shutil.copyfileobj(member, out, CHUNK_BYTES)
        return source, []
    if kind == "xlsx":
        source = workdir / "sheet.csv"
        with source.open("w", encoding="utf-8", newline="") as text_out:
            warnings = _xlsx_write(path, text_out)
        return source, warnings
    return path, []


def utf8_csv(source: Path, encoding: str, *, strip_nul: bool, workdir: Path) -> Path:
    """A UTF-8 CSV DuckDB can read: `source` itself, or a copy re-encoded (and without NUL bytes) in 4 MB chunks."""
    if encoding == "utf-8" and not strip_nul:
        return source
    target = workdir / "utf8.csv"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with source.open("rb") as raw, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := raw.read(CHUNK_BYTES):
            out.write(decoder.decode(chunk.replace(b"\x00", b"") if strip_nul else chunk))
        out.write(decoder.decode(b"", final=True))
    return target


def plain_csv(path: Path, kind: str, encoding: str, workdir: Path) -> Path:
    """A UTF-8 CSV DuckDB can read (extracted and re-encoded as needed)."""
    source, _ = extracted_csv(path, kind, workdir)
    return utf8_csv(source, "utf-8" if kind == "xlsx" else encoding, strip_nul=False, workdir=workdir)


# --- The whole file, once: its encoding and its records, counted apart from the CSV reader -----------

_OUT, _IN, _AFTER = 0, 1, 2


@dataclass
class Scanned:
    """What one pass over every byte of the CSV found."""

    records: int  # records (quote-aware): record separators outside quotes, plus a final unterminated record
    empty: int  # records with no bytes at all (the CSV reader skips them)
    encoding: str  # decided on the whole file
    nul_bytes: int
    unclosed_quote_record: int | None = None  # the record a quote that is never closed opens in


def encoding_decide(*, bom: bool, utf8_valid: bool, pound_1252: int, pound_437: int, dos_letters: bool = False) -> str:
    """UTF-8 if valid; else the pound sign decides; with no pound sign, DOS 437 only when the file has
    437's accented letters (0x80-0x90: Ç ü é â ä à å ç ê ë è ï î ì Ä Å É) and no byte that is a letter,
    curly quote or dash in Windows-1252 (0x91-0x97, 0xC0 and up)."""
    if bom or utf8_valid:
        return "utf-8"
    if pound_437 or pound_1252:
        return "cp437" if pound_437 > pound_1252 else "cp1252"
    return "cp437" if dos_letters else "cp1252"


_DOS_LETTERS = re.compile(rb"[\x80-\x90]")
_WINDOWS_ONLY = re.compile(rb"[\x91-\x97\xc0-\xff]")


class _RecordCounter:
    """Counts records and empty lines of CSV bytes fed to it in chunks (see `scan`)."""

    def __init__(self, *, newline: str, delimiter: str) -> None:
        self.sep = b"\r" if newline == "\r" else b"\n"
        self.lf = self.sep == b"\n"
        self.blank_tails = (b"", b"\r") if self.lf else (b"",)
        self.starts = (delimiter.encode("utf-8")[-1:], b"\n", b"\r")
        self.state, self.field_start, self.current_empty = _OUT, True, True
        self.records = self.empty = 0
        self.opened_in = 0

    def feed(self, chunk: bytes) -> None:
        parts = chunk.split(b'"')
        last = len(parts) - 1
        for index, part in enumerate(parts):
            quote_follows = index < last
            if self.state == _AFTER:
                if not part:
                    if quote_follows:
                        self.state = _IN  # a doubled quote inside a quoted value
                    continue
                self.state, self.field_start = _OUT, False  # the quote closed the value
            if self.state == _IN:
                if quote_follows:
                    self.state = _AFTER
                continue
            if part:
                self._outside(part)
            if quote_follows:
                self.current_empty = False
                if self.field_start:
                    self.state = _IN
                    self.opened_in = self.records + 1

    def _outside(self, part: bytes) -> None:
        sep = self.sep
        breaks = part.count(sep)
        if breaks:
            if self.current_empty and (part.startswith(sep) or (self.lf and part.startswith(b"\r\n"))):
                self.empty += 1
            if sep + sep in part or (self.lf and b"\n\r\n" in part):
                middle = part.split(sep)[1:-1]
                self.empty += middle.count(b"") + (middle.count(b"\r") if self.lf else 0)
            self.records += breaks
            self.current_empty = part[part.rindex(sep) + 1 :] in self.blank_tails
        elif part not in self.blank_tails:
            self.current_empty = False
        stripped = part.rstrip(b" ")
        if stripped:
            self.field_start = stripped[-1:] in self.starts

    def finish(self) -> tuple[int, int, int | None]:
        """(records, empty records, the record a quote never closed opens in, if one does)."""
        unclosed = self.opened_in if self.state == _IN else None
        return self.records + (0 if self.current_empty else 1), self.empty, unclosed


def scan(path: Path, *, newline: str, delimiter: str) -> Scanned:
    """Count the records of the CSV at `path` and decide its encoding, in one pass of 4 MB chunks.

    The count is independent of DuckDB's reader, so that a row it lost is noticed: a record ends at a line
    break outside quotes; a quote opens a quoted value only at the start of a field (after spaces), a
    doubled quote inside one is a quote, and a quote in the middle of a field is a character. Empty lines
    are counted apart (the reader skips them). Decoding the bytes as UTF-8 as they pass decides the
    encoding from the whole file, not its start: a file not valid UTF-8 is Windows-1252, or DOS 437 when
    byte 0x9C (£ in 437) is commoner than 0xA3 (£ in 1252)."""
    counter = _RecordCounter(newline=newline, delimiter=delimiter)
    nul = pound_1252 = pound_437 = 0
    dos_letters, windows_only = False, False
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_valid = True
    with path.open("rb") as handle:
        # A byte-order mark is not part of the first line (the reader drops it: a line of only a BOM is empty).
        bom = handle.read(3) == codecs.BOM_UTF8
        if bom:
            decoder.decode(codecs.BOM_UTF8)
        else:
            handle.seek(0)
        while chunk := handle.read(CHUNK_BYTES):
            if utf8_valid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_valid = False
            nul += chunk.count(b"\x00")
            pound_1252 += chunk.count(b"\xa3")
            pound_437 += chunk.count(b"\x9c")
            if not utf8_valid and not windows_only:
                windows_only = _WINDOWS_ONLY.search(chunk) is not None
                dos_letters = dos_letters or _DOS_LETTERS.search(chunk) is not None
            counter.feed(chunk.replace(b"\x00", b"") if b"\x00" in chunk else chunk)
    if utf8_valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_valid = False
    records, empty, unclosed = counter.finish()
    encoding = encoding_decide(
        bom=bom,
        utf8_valid=utf8_valid,
        pound_1252=pound_1252,
        pound_437=pound_437,
        dos_letters=dos_letters and not windows_only,
    )
    return Scanned(records=records, empty=empty, encoding=encoding, nul_bytes=nul, unclosed_quote_record=unclosed)


# --- How it is written ------------------------------------------------------------------------------


def detect_encoding(head: bytes) -> str:
    """From the first bytes only (to read the header); the import decides again on the whole file (`scan`)."""
    utf8_valid = True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        utf8_valid = False
    return encoding_decide(
        bom=head.startswith(codecs.BOM_UTF8),
        utf8_valid=utf8_valid,
        pound_1252=head.count(b"\xa3"),
        pound_437=head.count(b"\x9c"),
        dos_letters=_DOS_LETTERS.search(head) is not None and _WINDOWS_ONLY.search(head) is None,
    )


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
    return sum(1 for cell in cells if header_known(cell))


# What a data row's cells look like (to tell a header-less file's first row from a header, and to guess
# its date and amount columns).
DATE_LIKE = re.compile(
    r"\s*(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}([ T][\d:.]+)?"
    r"|\d{1,2}(st|nd|rd|th)?[ -][A-Za-z]{3,9}[ -,]+\d{2,4}|\d{8})\s*"
)
AMOUNT_LIKE = re.compile(r"\s*[-(]?\s*(£|GBP)?\s*-?\s*(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?\s*\)?-?\s*", re.IGNORECASE)


def _amount_like(cell: str) -> bool:
    return bool(re.search(r"\d", cell)) and AMOUNT_LIKE.fullmatch(cell) is not None


def looks_like_data(cells: list[str]) -> bool:
    """A record with a date in one cell and a number in another is a payment, not a header."""
    dates = [index for index, cell in enumerate(cells) if DATE_LIKE.fullmatch(cell)]
    return bool(dates) and any(_amount_like(cell) for index, cell in enumerate(cells) if index not in dates)


def _lines(text: str, newline: str, truncated: bool) -> list[str]:
    pieces = text.split(newline)
    lines = [piece + newline for piece in (pieces[:-1] if truncated else pieces)]
    if lines and not pieces[-1] and not truncated:
        lines = lines[:-1]
    return lines


def sniff(
    path: Path, *, encoding: str | None = None, header_line: int | None = None, has_header: bool | None = None
) -> Sniffed:
    """How the file at `path` is written, from its first 64 KB.

    `encoding` and `header_line` (the physical line of the header) override what is detected;
    `has_header=False` (or `header_line=0`) says the file has no header: its columns are named
    "Column 1", "Column 2", … and its first line is a row. Left as None, a file is taken to have no
    header when no line names two known columns and its first full-width line looks like a payment."""
    kind, head = head_bytes(path)
    if not head.strip():
        raise ReadError("The file is empty.")
    encoding_given = encoding is not None
    nul = head.count(b"\x00")
    if nul * 10 > len(head):
        raise ReadError("The file is not a text (CSV) file: it is mostly NUL bytes (it may be UTF-16 or binary).")
    head = head.replace(b"\x00", b"")
    encoding = encoding or detect_encoding(head)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ReadError(f"“{encoding}” is not an encoding Commonweal knows.") from None
    text = head.decode("utf-8-sig" if encoding in ("utf-8", "utf8") else encoding, errors="replace")
    newline = detect_newline(text)
    truncated = len(head) + nul == HEAD_BYTES and newline in text
    lines = _lines(text, newline, truncated)
    delimiter = detect_delimiter(lines)
    records = _records(lines, delimiter, HEADER_SEARCH_RECORDS + 55)
    if not records:
        raise ReadError("No rows could be read from the file.")
    if header_line == 0:
        has_header = False
    position = 0
    if has_header is False:
        pass
    elif header_line is not None:
        found = next((index for index, (line, _) in enumerate(records) if line == header_line), None)
        if found is None:
            raise ReadError(f"Line {header_line} is not a row of the file with values (or is beyond its first rows).")
        position, has_header = found, True
    else:
        scored = [(header_score(cells), -index) for index, (_, cells) in enumerate(records[:HEADER_SEARCH_RECORDS])]
        best_score, best_position = max(scored)
        if best_score >= 2:
            position = -best_position
        else:
            # No header names we know: take the first record as wide as most records, unless it is a payment.
            width = Counter(len(cells) for _, cells in records).most_common(1)[0][0]
            position = next(index for index, (_, cells) in enumerate(records) if len(cells) == width)
        has_header = not (best_score < 2 and looks_like_data(records[position][1]))
    if not has_header:
        width = max(len(cells) for _, cells in records)
        header = [NO_HEADER_COLUMN.format(index + 1) for index in range(width)]
        found_line, after = 0, records
    else:
        found_line, header = records[position]
        header = [cell.strip() if not cell.strip() else cell for cell in header]
        after = records[position + 1 :]
    quoted_newlines = any("\n" in cell or "\r" in cell for _, cells in records for cell in cells)
    return Sniffed(
        kind=kind,
        encoding=encoding,
        newline=newline,
        delimiter=delimiter,
        header_line=found_line,
        header=header,
        quoted_newlines=quoted_newlines,
        sample=[cells for _, cells in after[:5]],
        has_header=has_header,
        rows=[cells for _, cells in after[:50]],
        preamble_empty=sum(1 for line in lines[:found_line] if not line.strip("\r\n")),
        nul_in_head=nul,
        encoding_given=encoding_given,
    )


# --- Which column holds what ------------------------------------------------------------------------


def mapping_infer(sniffed: Sniffed) -> dict[str, str]:
    """{canonical field: header text} from the synonyms table; each column is used for one field at most.

    A file with no header has its date and amount columns guessed from its first rows; its supplier is
    never guessed."""
    if not sniffed.has_header:
        return _mapping_by_content(sniffed)
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
    if "transaction_ref" not in mapping:
        match = next((item for item in keyed if reference_suffixed(item[0]) and item[1] not in used), None)
        if match is not None:
            mapping["transaction_ref"] = match[2]
    return mapping


def _mapping_by_content(sniffed: Sniffed) -> dict[str, str]:
    def share(index: int, test: Callable[[str], bool]) -> tuple[float, float]:
        values = [row[index] for row in sniffed.rows if index < len(row) and row[index].strip()]
        if not values:
            return 0.0, 0.0
        return sum(1 for value in values if test(value)) / len(values), sum(1 for v in values if "." in v) / len(values)

    mapping: dict[str, str] = {}
    indexes = range(len(sniffed.header))
    dates = sorted(((share(i, lambda v: DATE_LIKE.fullmatch(v) is not None)[0], -i) for i in indexes), reverse=True)
    if dates and dates[0][0] >= 0.8:
        mapping["payment_date"] = sniffed.header[-dates[0][1]]
    taken = {sniffed.column_index(name) for name in mapping.values()}
    amounts = sorted(
        ((*share(i, lambda v: _amount_like(v) and not DATE_LIKE.fullmatch(v)), -i) for i in indexes if i not in taken),
        reverse=True,
    )
    if amounts and amounts[0][0] >= 0.8:
        mapping["amount"] = sniffed.header[-amounts[0][2]]
    return mapping


FIELD_NAMES = {
    "payment_date": "payment date",
    "amount": "amount",
    "supplier_name": "supplier",
}


def mapping_positions(sniffed: Sniffed, mapping: dict[str, str]) -> dict[str, int]:
    """{canonical field: column position} for a mapping; a header the file lacks is an error, and so is a
    mapping without the payment date, the amount or the supplier (`MappingNeeded`)."""
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
        names = [f"the {FIELD_NAMES[name]}" for name in missing]
        wanted = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        raise MappingNeeded(
            f"No column was recognised as {wanted}: say which column holds {'it' if len(names) == 1 else 'each'}. "
            f"The file’s columns are: {columns}.",
            missing=missing,
        )
    return positions
