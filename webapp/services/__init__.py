"""The application's services: each a plain module of functions over a SQLAlchemy session."""


class InputError(Exception):
    """Input a service refuses, with a message fit to show the person next to the field named `field`."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
