"""Procurement documents as tagged A4 PDFs (core.pdf)."""

from typing import Any

from django.template.loader import render_to_string

from commonweal.core.pdf import html_to_pdf


def pdf_render(template: str, context: dict[str, Any]) -> bytes:
    """`template` as a tagged PDF."""
    return html_to_pdf(render_to_string(template, context))
