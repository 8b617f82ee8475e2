"""The application's services: each a plain module of functions over a SQLAlchemy session."""


class InputError(Exception):
    """Input a service refuses, with a message fit to show the person next to the field named `field`."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


MAX_TEXT = 5000


def required_text(value: str | None, field: str, missing: str, longest: int = MAX_TEXT) -> str:
    """A text a person must give (a reason, a note), trimmed; refused when empty or too long."""
    value = (value or "").strip()
    if not value:
        raise InputError(missing, field)
    if len(value) > longest:
        raise InputError(f"Must be {longest:,} characters or fewer", field)
    return value
