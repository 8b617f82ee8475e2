"""PDF rendering with WeasyPrint. Templates are self-contained (CSS inlined), and the URL fetcher refuses
every fetch, so a PDF can never pull in remote content or local files."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher


class DenyAllFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        raise FatalURLFetchingError(f"PDF rendering may not fetch {url!r}")


def render_pdf(html: str, *, fillable: bool = False) -> bytes:
    return HTML(string=html, url_fetcher=DenyAllFetcher()).write_pdf(pdf_forms=fillable)
