"""Procurement documents as A4 PDFs, made with WeasyPrint without fetching anything."""

from typing import Any

from django.template.loader import render_to_string


def _refuse_fetch(url: str) -> Any:
    raise ValueError(f"Procurement PDFs fetch nothing: {url} was refused.")


def pdf_render(template: str, context: dict[str, Any]) -> bytes:
    """`template` as a PDF. Print templates carry their own styles and use system fonts (DejaVu,
    Liberation), so nothing is fetched while the PDF is made."""
    # Imported here so that pages and commands that never make a PDF do not pay for loading WeasyPrint.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            return _refuse_fetch(url)

    html = render_to_string(template, context)
    return bytes(HTML(string=html, url_fetcher=NoFetcher()).write_pdf())
