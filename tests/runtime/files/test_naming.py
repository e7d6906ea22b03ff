"""Name-format expansion: every macro at a fixed time, and refused expansions."""
from __future__ import annotations

import calendar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowc.runtime.files.naming import expand_name, sanitize

# Wednesday 2003-11-12 01:43:01 UTC (the seed file name's time)
WHEN = calendar.timegm((2003, 11, 12, 1, 43, 1))
AFTERNOON = calendar.timegm((2024, 2, 29, 15, 4, 5))


@pytest.mark.parametrize(("fmt", "expected"), [
    ("%D", "20031112"),
    ("%T", "014301"),
    ("%I", "so_3_0_0_0"),
    ("%N", "7"),
    ("{%D}-{%T}-{%I}-{%N}", "20031112-014301-so_3_0_0_0-7"),
    ("%Y/%m", "2003_11"),
    ("%y%j", "03316"),
    ("100%%", "100%"),
    ("{date}", "20031112"),
    ("{time}", "014301"),
    ("{year}", "2003"),
    ("{month}", "11"),
    ("{day}", "12"),
    ("{hour_24}", "01"),
    ("{hour_12}", "01"),
    ("{minute}", "43"),
    ("{second}", "01"),
    ("{am_pm}", "AM"),
    ("{day_abbr}", "Wed"),
    ("{day_full}", "Wednesday"),
    ("{month_abbr}", "Nov"),
    ("{month_full}", "November"),
    ("{ifalias}", "so_3_0_0_0"),
    ("{generation number}", "7"),
    ("{num_zone}{time_zone}{other}", "{num_zone}{time_zone}{other}"),
    ("cFlowd-py69Ni69-0-%D_%T-%I_%N.bcp.bi.gz", "cFlowd-py69Ni69-0-20031112_014301-so_3_0_0_0_7.bcp.bi.gz"),
])
def test_macro_table(fmt: str, expected: str) -> None:
    assert expand_name(fmt, WHEN, "so_3_0_0_0", 7)[0] == expected


@pytest.mark.parametrize(("fmt", "expected"), [
    ("{hour_12}{am_pm}", "03PM"),
    ("{hour_24}", "15"),
    ("{day_abbr} {month_full}", "Thu February"),
    ("%a%b", "ThuFeb"),
])
def test_afternoon(fmt: str, expected: str) -> None:
    assert expand_name(fmt, AFTERNOON, "x", 1)[0] == expected


@pytest.mark.parametrize(("alias", "expected"), [
    ("a/b", "f-a_b.gz"),
    ("..", "f-__.gz"),
    ("a\x01b\nc", "f-a_b_c.gz"),
])
def test_unsafe_expansion_is_sanitised_and_reported(alias: str, expected: str) -> None:
    name, refused = expand_name("f-%I.gz", WHEN, alias, 1)
    assert name == expected
    assert refused == ["%I"]


def test_literal_slash_and_empty_names_are_refused() -> None:
    assert expand_name("a/%N", WHEN, "x", 3) == ("a_3", ["a/%N"])
    assert expand_name(".", WHEN, "x", 3)[0] == "_"
    assert expand_name("%I", WHEN, ".", 3)[0] == "_"


def test_safe_names_report_nothing() -> None:
    assert expand_name("x-%D.gz", WHEN, "a", 1)[1] == []
    assert sanitize("a.b-c_d") == "a.b-c_d"


@given(st.text(max_size=40), st.text(max_size=20), st.integers(0, 10**6))
def test_no_expansion_escapes_the_spool(fmt: str, alias: str, generation: int) -> None:
    name = expand_name(fmt, WHEN, alias, generation)[0]
    assert name and "/" not in name and ".." not in name and name != "."
    assert not any(ord(c) < 32 or ord(c) == 127 for c in name)


def test_a_percent_before_a_character_strftime_refuses_is_kept() -> None:
    name, refused = expand_name("x%\x00y", WHEN, "a", 1)
    assert name == "x%_y" and refused
