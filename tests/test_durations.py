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
    ("P1DT", "units"), (True, "duration"), (None, "duration"), ("-5min", "negative"),
    (-60, "negative"),
    ("5min and more", "units"),
])
def test_rejected_forms_say_why(text: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=400 * 86400))
def test_format_then_parse_is_identity(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


DURATION_TEXT = st.one_of(
    st.lists(st.tuples(st.integers(0, 999), st.sampled_from(["d", "h", "min", "m", "s", "H",
                                                              "MIN", "S"]),
                       st.sampled_from(["", " "])), min_size=1, max_size=4).map(
        lambda parts: "".join(f"{n}{sp}{u}" for n, u, sp in parts)),
    st.builds(lambda d, h, m, s: f"P{d}DT{h}H{m}M{s}S", *[st.integers(0, 99)] * 4),
    st.builds(lambda h, frac: f"PT{h}.{frac}H", st.integers(0, 99), st.integers(0, 9)),
    st.text(alphabet="0123456789.dhmsinPT -", max_size=10),
)


@given(DURATION_TEXT)
def test_the_json_schema_pattern_admits_everything_the_parser_accepts(text: str) -> None:
    import re

    from drillsim.scenarios.durations import PATTERN

    try:
        parse_duration(text)
    except ValueError:
        return
    assert re.search(PATTERN, text), text


@pytest.mark.parametrize("text", ["P", "PT", "PT1X", "P1DT", "h", "", "90"])
def test_the_json_schema_pattern_refuses_what_the_parser_refuses(text: str) -> None:
    import re

    from drillsim.scenarios.durations import PATTERN

    assert not re.search(PATTERN, text)
