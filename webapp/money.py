"""Money as whole pence: read from what a person types ("12.50", "£3", "0.80") without floating point,
and shown as pounds ("£12.50")."""

from __future__ import annotations

import re

AMOUNT = re.compile(r"^£?\s*(\d{1,6})(?:\.(\d{1,2}))?$")


def pence(typed: str | None) -> int:
    """Pence from "12.50", "£12.5", "12", or "" (none); ValueError for anything else (negative, letters,
    three decimals, a million pounds or more)."""
    text = (typed or "").strip().replace(",", "")
    if not text:
        return 0
    found = AMOUNT.match(text)
    if not found:
        raise ValueError(typed)
    pounds, part = found.group(1), (found.group(2) or "").ljust(2, "0")
    return int(pounds) * 100 + int(part or 0)


def pounds(amount: int) -> str:
    """£12.50 (and -£3.00 for a negative amount, which a claim never has)."""
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def plain(amount: int) -> str:
    """12.50: for a spreadsheet cell."""
    whole, part = divmod(amount, 100)
    return f"{whole}.{part:02d}"
