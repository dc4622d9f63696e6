from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drillsim.scenarios.durations import format_duration, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("15min", 900), ("2h30m", 9000), ("2h30min", 9000), ("1d", 86400),
    ("1d 6h", 108000), ("1.5h", 5400), ("0", 0), (0, 0), ("PT2H", 7200), ("P3D", 259200),
    ("PT1H30M", 5400), ("PT45S", 45), (" 10min ", 600), ("2H", 7200),
])
def test_accepted_forms(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "reason"), [
    (90, "ambiguous"), ("90", "units"), ("2 hours", "units"), ("30m2h", "large to small"),
    ("1h1h", "large to small"), ("", "units"), ("h", "units"), ("PT", "units"),
    (True, "duration"), (None, "duration"), ("-5min", "negative"), (-60, "negative"),
    ("5min and more", "units"),
])
def test_rejected_forms_say_why(text: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=400 * 86400))
def test_format_then_parse_is_identity(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds
