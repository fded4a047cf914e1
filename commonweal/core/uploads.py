"""Checks on uploaded files: size, extension, that the content is what the extension says, and that a
binary file is not also a web page (an HTML polyglot) nor a PDF that runs scripts."""

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from .errors import ApplicationError


@dataclass(frozen=True)
class FileType:
    content_type: str
    signatures: tuple[bytes, ...] = ()  # leading bytes; empty means "plain text"


ZIP = (b"PK\x03\x04",)
EVIDENCE_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".odt": FileType("application/vnd.oasis.opendocument.text", ZIP),
    ".ods": FileType("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    ".csv": FileType("text/csv"),
    ".txt": FileType("text/plain"),
}


def describe_types(types: dict[str, FileType]) -> str:
    """{".pdf": ..., ".csv": ...} → "CSV or PDF"; one type is named alone."""
    names = sorted({ext.lstrip(".").upper() for ext in types} - {"JPEG"})
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def size_label(size: int) -> str:
    """10485760 → “10 MB”, 1024 → “1 KB”: the size limits people read in messages."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


# HTML a browser would render if it sniffed the file: a tag that opens a page, runs script or loads content.
HTML_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|object|embed|svg|meta|img|form|style|link)\b",
    re.IGNORECASE,
)
HTML_SNIFF_BYTES = 1024  # browsers sniff the first bytes of a file; an HTML polyglot puts its markup there
# PDF names that run code or act without being asked: JavaScript, and the actions opening the document or
# touching a page or field starts (/AA; /OpenAction with JavaScript is caught by /JS), and launching programs.
PDF_ACTIVE_NAMES = {b"/JS", b"/JavaScript", b"/AA", b"/Launch"}
PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
PDF_INFLATED_MAX = 32 * 1024 * 1024  # a compressed stream is read no further than this (a zip bomb stops here)


def _pdf_names(data: bytes) -> set[bytes]:
    """Every name in `data`, with #xx escapes decoded (/J#61vaScript is /JavaScript)."""
    return {
        re.sub(rb"#([0-9A-Fa-f]{2})", lambda hexed: bytes([int(hexed.group(1), 16)]), name)
        for name in PDF_NAME.findall(data)
    }


def pdf_active_content(data: bytes) -> set[str]:
    """The names of the active content a PDF has, in its objects or in its compressed streams (object
    streams hide dictionaries there)."""
    found = _pdf_names(data) & PDF_ACTIVE_NAMES
    budget = PDF_INFLATED_MAX
    for stream in PDF_STREAM.finditer(data):
        if budget <= 0:
            break
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(stream.group(1), budget)
        except zlib.error:
            continue  # not Flate-compressed, or damaged: its raw bytes were read above
        budget -= len(inflated)
        found |= _pdf_names(inflated) & PDF_ACTIVE_NAMES
    return {name.decode("ascii", "replace") for name in found}


def _content_problem(file: UploadedFile, file_type: FileType, head: bytes) -> str | None:
    """What makes a file of the right type still unsafe to keep and serve, if anything."""
    if file_type.signatures and HTML_MARKUP.search(head[:HTML_SNIFF_BYTES]):
        return "The selected file contains web page markup (HTML), so it cannot be accepted"
    if file_type.content_type == "application/pdf":
        file.seek(0)
        data = file.read()
        file.seek(0)
        if pdf_active_content(data):
            return "The selected PDF contains JavaScript or automatic actions; save it again as a plain PDF"
    return None


def upload_check(file: UploadedFile, *, types: dict[str, FileType], max_bytes: int, field: str) -> FileType:
    """Return the file's type, or raise ApplicationError naming what is wrong with it."""
    name = file.name or ""
    if file.size is None or file.size == 0:
        raise ApplicationError("The selected file is empty.", field_errors={field: "The selected file is empty"})
    if file.size > max_bytes:
        message = f"The selected file must be smaller than {size_label(max_bytes)}"
        raise ApplicationError(message + ".", field_errors={field: message})
    file_type = types.get(Path(name).suffix.lower())
    message = f"The selected file must be a {describe_types(types)}"
    if file_type is None:
        raise ApplicationError(message + ".", field_errors={field: message})
    file.seek(0)
    head = file.read(2048)
    file.seek(0)
    if file_type.signatures:
        content_ok = any(head.startswith(signature) for signature in file_type.signatures)
    else:
        content_ok = b"\x00" not in head
    if not content_ok:
        mismatch = f"The selected file’s contents do not match its type ({Path(name).suffix.lower()})"
        raise ApplicationError(mismatch + ".", field_errors={field: mismatch})
    if problem := _content_problem(file, file_type, head):
        raise ApplicationError(problem + ".", field_errors={field: problem})
    return file_type
