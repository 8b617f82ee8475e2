"""Shared form helpers: GOV.UK wording for validation messages."""

from __future__ import annotations

from wtforms.validators import DataRequired, Length


class Required(DataRequired):
    """A required field, with GOV.UK's 'Enter ...' wording supplied by the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


def max_length(limit: int, what: str) -> Length:
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")
