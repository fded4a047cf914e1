"""What a PDF says of itself, read with poppler's pdfinfo: whether it is tagged, its title, its language
and its structure tree (headings, tables with header cells), as a screen reader meets them."""

import re
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PdfFacts:
    tagged: bool
    title: str
    language: str
    structure: str  # pdfinfo -struct-text: one element a line, indented by depth


def _language(pdf: bytes) -> str:
    """The catalogue's /Lang, from the raw file or any compressed object stream."""
    chunks = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            chunks.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    for chunk in chunks:
        if found := re.search(rb"/Lang\s*\(([^)]*)\)", chunk):
            return found.group(1).decode()
    return ""


def pdf_facts(pdf: bytes) -> PdfFacts:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        structure = subprocess.run(
            ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
        ).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return PdfFacts(
        tagged=fields.get("Tagged", "").strip() == "yes",
        title=fields.get("Title", "").strip(),
        language=_language(pdf),
        structure=structure,
    )


def assert_tagged(pdf: bytes, *, title: str) -> PdfFacts:
    """PDF/UA basics: tagged, titled, in English, with at least one heading in its structure tree."""
    facts = pdf_facts(pdf)
    assert facts.tagged, "the PDF is not tagged"
    assert facts.title == title
    assert facts.language == "en-GB"
    assert re.search(r"^\s*H1\b", facts.structure, flags=re.M), facts.structure[:2000]
    return facts
