"""PDF rendering with WeasyPrint. Templates are self-contained (CSS inlined), and the URL fetcher refuses
every fetch, so a PDF can never pull in remote content or local files. Every PDF is tagged PDF/UA-1: a
structure tree (headings, paragraphs, lists, tables, form fields), the language from `<html lang>`, the
title from `<title>` shown as the window title. WeasyPrint is imported on first use: it takes over half a
second, which the web app and the mail poller need not pay at start-up."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _deny_all_fetcher():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class DenyAllFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise FatalURLFetchingError(f"PDF rendering may not fetch {url!r}")

    return DenyAllFetcher()


def render_pdf(html: str, *, fillable: bool = False) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_deny_all_fetcher()).write_pdf(
        pdf_forms=fillable, pdf_variant="pdf/ua-1"
    )


def print_template(template: str, *, fillable: bool = False, **context: Any) -> bytes:
    """A print template in templates/pdf/ as PDF, rendered by the same Jinja environment as the pages,
    with the force's deployment to hand. The one way this app makes a PDF from a template."""
    from flask import current_app, render_template

    context.setdefault("deployment", current_app.extensions["deployment"])
    return render_pdf(render_template(template, **context), fillable=fillable)
