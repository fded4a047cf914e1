"""Checks on uploaded files: size, extension, and that the content is what the extension says."""

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
    return file_type
