"""File names from a file specification's name-format (SPEC §1, reference §1.4).

`expand_name(fmt, when, if_alias, generation)` returns the name and the list of macros
whose expansion had to be sanitised. Macros:

- `%D` YYYYMMDD, `%T` HHMMSS, `%I` ifAlias, `%N` generation number, `%%` a percent sign,
  any other `%X` is passed to strftime (`%Y`, `%m`, `%H` …); the braced spellings `{%D}`
  etc. of Juniper's list are accepted too;
- `{date}` `{time}` `{year}` `{month}` `{day}` `{hour_24}` `{hour_12}` `{minute}`
  `{second}` `{am_pm}` `{day_abbr}` `{day_full}` `{month_abbr}` `{month_full}`
  `{ifalias}` `{generation number}` (also `{generation_number}`); an unknown `{word}`
  (and the documented-unsupported `{num_zone}` / `{time_zone}`) stays as written.

Times are UTC and month/day names English, whatever the host's locale. An expansion
that would put `/`, `..` or a control character into a file name is refused: the
offending characters become `_` and the macro is reported (the engine logs it; lint
reports such formats before they run).
"""
from __future__ import annotations

import re
import time

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_TOKEN = re.compile(r"\{%(.)\}|%(.)|\{([a-z_ 0-9]+)\}", re.DOTALL)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/]")


def brace_values(tm: time.struct_time, if_alias: str, generation: int) -> dict[str, str]:
    """The value of every brace macro at time `tm`."""
    hour12 = tm.tm_hour % 12 or 12
    values = {
        "year": f"{tm.tm_year:04d}", "month": f"{tm.tm_mon:02d}", "day": f"{tm.tm_mday:02d}",
        "hour_24": f"{tm.tm_hour:02d}", "hour_12": f"{hour12:02d}",
        "minute": f"{tm.tm_min:02d}", "second": f"{tm.tm_sec:02d}",
        "am_pm": "AM" if tm.tm_hour < 12 else "PM",
        "day_abbr": _DAYS[tm.tm_wday][:3], "day_full": _DAYS[tm.tm_wday],
        "month_abbr": _MONTHS[tm.tm_mon - 1][:3], "month_full": _MONTHS[tm.tm_mon - 1],
        "ifalias": if_alias, "generation number": str(generation),
        "generation_number": str(generation),
    }
    values["date"] = values["year"] + values["month"] + values["day"]
    values["time"] = values["hour_24"] + values["minute"] + values["second"]
    return values


def percent_value(letter: str, tm: time.struct_time, if_alias: str, generation: int) -> str:
    """The value of `%X`."""
    if letter == "D":
        return time.strftime("%Y%m%d", tm)
    if letter == "T":
        return time.strftime("%H%M%S", tm)
    if letter == "I":
        return if_alias
    if letter == "N":
        return str(generation)
    if letter == "%":
        return "%"
    if letter == "a":
        return _DAYS[tm.tm_wday][:3]
    if letter == "A":
        return _DAYS[tm.tm_wday]
    if letter in "bh":
        return _MONTHS[tm.tm_mon - 1][:3]
    if letter == "B":
        return _MONTHS[tm.tm_mon - 1]
    if letter == "p":
        return "AM" if tm.tm_hour < 12 else "PM"
    try:
        return time.strftime("%" + letter, tm)
    except ValueError:  # a letter strftime cannot take (NUL …): kept as written, then sanitised
        return "%" + letter


def sanitize(value: str) -> str:
    """`/`, control characters and `..` replaced by `_` (a file name component)."""
    value = _UNSAFE.sub("_", value)
    while ".." in value:
        value = value.replace("..", "__")
    return value


def expand_name(fmt: str, when: float, if_alias: str, generation: int) -> tuple[str, list[str]]:
    """(file name, macros that had to be sanitised) for a file created at `when`."""
    tm = time.gmtime(when)
    braces = brace_values(tm, if_alias, generation)
    refused: list[str] = []

    def replace(match: re.Match[str]) -> str:
        braced, letter, word = match.groups()
        if word is not None:
            if word not in braces:
                return match.group(0)
            value = braces[word]
        else:
            value = percent_value(braced or letter, tm, if_alias, generation)
        safe = sanitize(value)
        if safe != value:
            refused.append(match.group(0))
        return safe

    name = _TOKEN.sub(replace, fmt)
    safe = sanitize(name)
    if safe != name or safe in ("", "."):
        refused.append(fmt)
        safe = safe if safe not in ("", ".") else "_"
    return safe, refused
