"""Uploads that pass the type check but are unsafe to serve are refused, with a clear message and nothing
stored: PDFs that run JavaScript or act on their own, and HTML/PDF (or image) polyglots."""

import zlib
from decimal import Decimal

import pytest

from commonweal.core.errors import ApplicationError
from commonweal.core.uploads import EVIDENCE_TYPES, pdf_active_content, upload_check
from commonweal.delivery import services_returns
from commonweal.delivery.models import DeliveryReturn, Evidence

from .conftest import Tenant
from .factories import evidence_file

PLAIN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF\n"
SCRIPT = "The selected PDF contains JavaScript or automatic actions; save it again as a plain PDF"
MARKUP = "The selected file contains web page markup (HTML), so it cannot be accepted"


def compressed_object_stream(body: bytes) -> bytes:
    return b"%PDF-1.7\n5 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n" + zlib.compress(body) + b"endstream"


def check(name: str, content: bytes) -> None:
    upload_check(evidence_file(name, content), types=EVIDENCE_TYPES, max_bytes=1024 * 1024, field="evidence")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj", SCRIPT),
        (b"%PDF-1.4\n3 0 obj << /Type /Page /AA << /O 4 0 R >> >> endobj", SCRIPT),
        (b"%PDF-1.4\n1 0 obj << /Names << /J#61vaScript 6 0 R >> >> endobj", SCRIPT),  # a hex-escaped name
        (b"%PDF-1.4\n1 0 obj << /S /Launch /F (calc.exe) >> endobj", SCRIPT),
        (compressed_object_stream(b"<< /S /JavaScript /JS (this.exportDataObject()) >>"), SCRIPT),
        (b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>", MARKUP),
        (b"%PDF-1.4 <!DOCTYPE html><p>hi", MARKUP),
    ],
)
def test_active_or_polyglot_pdfs_are_refused_with_a_clear_message(content: bytes, message: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        check("report.pdf", content)
    assert refused.value.field_errors == {"evidence": message}


def test_an_image_with_html_in_its_first_kilobyte_is_refused() -> None:
    with pytest.raises(ApplicationError) as refused:
        check("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20 + b"<svg onload=alert(1)>")
    assert refused.value.field_errors == {"evidence": MARKUP}


def test_a_plain_pdf_and_a_text_file_mentioning_html_are_accepted() -> None:
    check("report.pdf", PLAIN_PDF)
    check("report.pdf", compressed_object_stream(b"<< /Type /Page /MediaBox [0 0 612 792] >>"))
    check("notes.txt", b"We ran a <script> writing workshop for 12 pupils.")  # text is served as text
    assert pdf_active_content(PLAIN_PDF) == set()


def test_a_return_with_a_scripted_pdf_stores_nothing(tenant_a: Tenant) -> None:
    c1 = tenant_a.commitments[0]
    with pytest.raises(ApplicationError) as refused:
        services_returns.return_submit(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            agreement=tenant_a.agreement,
            quantities={c1.pk: Decimal("1")},
            narrative="One placement",
            evidence=evidence_file("report.pdf", b"%PDF-1.4 << /OpenAction << /JS (x) >> >>"),
        )
    assert refused.value.field_errors == {"evidence": SCRIPT}
    assert not DeliveryReturn.objects.exists() and not Evidence.objects.exists()
