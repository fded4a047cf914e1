"""Documents as tagged A4 PDFs: PDF/UA-1 (a title, the language, headings, lists and table headers in the
structure tree), so screen readers read them as they read the pages. Print templates carry their own
styles and use system fonts (DejaVu, Liberation), so nothing is fetched while a PDF is made."""

from typing import Any

PDF_VARIANT = "pdf/ua-1"


class FetchRefused(ValueError):
    pass


def refuse_fetch(url: str) -> Any:
    """What a PDF's fetcher does with every address: a PDF is made from what the page carries."""
    raise FetchRefused(f"A PDF fetches nothing: {url} was refused.")


def html_to_pdf(html: str) -> bytes:
    """`html` (a whole document with `<html lang>` and `<title>`) as a tagged PDF; any fetch is refused."""
    # Imported here so that pages and commands that never make a PDF do not pay for loading WeasyPrint.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            return refuse_fetch(url)

    return bytes(HTML(string=html, url_fetcher=NoFetcher()).write_pdf(pdf_variant=PDF_VARIANT))
