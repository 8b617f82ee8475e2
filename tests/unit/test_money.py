"""Money is whole pence: typed amounts read without floating point, and shown as pounds."""

import pytest

from webapp.money import pence, plain, pounds


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12.50", 1250),
        ("£12.5", 1250),
        ("12", 1200),
        ("0.80", 80),
        ("", 0),
        ("  3.07 ", 307),
        ("1,234.56", 123456),
    ],
)
def test_amounts_are_read_as_whole_pence(typed, expected):
    assert pence(typed) == expected


@pytest.mark.parametrize("typed", ["-3", "3.456", "three", "1e3", "£", "1000000", "0.1.2"])
def test_anything_else_is_refused(typed):
    with pytest.raises(ValueError):
        pence(typed)


def test_pounds_and_plain():
    assert pounds(1250) == "£12.50" and pounds(123456) == "£1,234.56" and pounds(5) == "£0.05"
    assert plain(123456) == "1234.56" and plain(7) == "0.07"
    assert pence("0.1") + pence("0.2") == pence("0.3")  # no floating point in sight
