"""The one allow-list for HTML that came from outside (an email's body): what is kept when mail is read,
and what the staff page shows of it again, without links, in a sandboxed frame."""

from __future__ import annotations

import html
import re

import nh3

SAFE_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "div",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "span",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)


def clean(raw_html: str) -> str:
    """An email's HTML as it is stored: safe tags, and links only to the web or an address."""
    return nh3.clean(
        raw_html,
        tags=set(SAFE_TAGS),
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def for_display(stored_html: str) -> str:
    """Stored HTML cleaned again on the way out, and without links: a click must not leave the page."""
    return nh3.clean(stored_html, tags=set(SAFE_TAGS), attributes={})


def text_of(raw_html: str) -> str:
    """The words of an HTML body, with line breaks where its blocks end."""
    # Bounded: "<br" repeated without a ">" must not make this quadratic (a hostile body).
    block = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\b[^<>]{0,1000}>", "\n", raw_html)
    return html.unescape(nh3.clean(block, tags=set())).strip()


def headings_below(document_html: str, level: int) -> str:
    """A document's headings moved down to sit under a heading of `level`: its h1 becomes h(level+1) and
    so on (at most h6), for a document shown inside a page's section."""

    def moved(match: re.Match[str]) -> str:
        return f"<{match.group(1)}h{min(int(match.group(2)) + level, 6)}"

    top = min((int(n) for n in re.findall(r"(?i)<h([1-6])\b", document_html)), default=level + 1)
    level = max(level + 1 - top, 0)
    return re.sub(r"(?i)<(/?)h([1-6])\b", moved, document_html) if level else document_html
