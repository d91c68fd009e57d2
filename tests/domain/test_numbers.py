"""Numbers as typed (`30,5` or `30.5`) and as shown (`1.234,5` in pt-BR, `1,234.5` in English)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus_blast.domain.numbers import BRAZILIAN, ENGLISH, decimal_point, format_number, parse_decimal
from nexus_blast.domain.pacing import DelayRange, parse_delay


@pytest.mark.parametrize("text, value", [("30", 30.0), ("30.5", 30.5), ("30,5", 30.5), (" 0,25 ", 0.25), (",5", 0.5), ("1e3", 1000.0)])
def test_a_decimal_comma_or_point(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1.234,5", "1,2,3", ",", "1,5.0"])
def test_ambiguous_or_not_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_a_comma_reads_as_the_point_would(value):
    text = repr(value)
    if "e" not in text:
        assert parse_decimal(text.replace(".", ",")) == parse_decimal(text) == value


@pytest.mark.parametrize("text, expected", [("30,5-60", DelayRange(30.5, 60.0)), ("0,5-2", DelayRange(0.5, 2.0)), ("5,5", DelayRange(5.5, 5.5)),
                                            ("0.5-2", DelayRange(0.5, 2.0)), ("30-60", DelayRange(30.0, 60.0))])
def test_delays_take_decimal_commas(text, expected):
    assert parse_delay(text) == expected


def test_a_thousands_separator_in_a_delay_is_refused():
    with pytest.raises(ValueError):
        parse_delay("1.234,5-2000")


@pytest.mark.parametrize("value, decimals, brazilian, english", [
    (0, None, "0", "0"), (999, None, "999", "999"), (1234, None, "1.234", "1,234"), (1234567, None, "1.234.567", "1,234,567"),
    (-1234, None, "-1.234", "-1,234"), (1234.5, None, "1.234,5", "1,234.5"), (1234.5, 2, "1.234,50", "1,234.50"),
    (0.125, None, "0,12", "0.12"), (2.0, None, "2", "2"), (1234, 1, "1.234,0", "1,234.0"), (-0.001, 1, "0,0", "0.0"),
])
def test_numbers_for_people(value, decimals, brazilian, english):
    assert format_number(value, BRAZILIAN, decimals) == brazilian
    assert format_number(value, ENGLISH, decimals) == english


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_grouped_integers_read_back(value):
    text = format_number(value, BRAZILIAN)
    assert int(text.replace(".", "")) == value
    assert all(len(group) == 3 for group in text.lstrip("-").split(".")[1:])


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_brazilian_is_english_with_the_separators_swapped(value, decimals):
    swapped = format_number(value, ENGLISH, decimals).translate(str.maketrans(",.", ".,"))
    assert format_number(value, BRAZILIAN, decimals) == swapped


@pytest.mark.parametrize("value, expected", [("2,5", "2.5"), (" 0,25", "0.25"), (",5", ".5"), ("-1,5", "-1.5"), ("2.5", "2.5"),
                                             ("1.234,5", "1.234,5"), ("1,2,3", "1,2,3"), ("a,5", "a,5"), ("5,", "5,"), (2.5, 2.5), (None, None)])
def test_decimal_point_for_float_options(value, expected):
    assert decimal_point(value) == expected
