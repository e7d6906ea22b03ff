"""Filter expressions: values only as parameters, and the column of every mistake."""
from __future__ import annotations

import pytest

from flowc.runtime.flows.filter import TRUE, FilterError, parse_filter


def test_values_are_parameters_never_sql_text() -> None:
    predicate = parse_filter("src ip 10.0.0.1 and dst port > 1k and proto tcp")
    assert predicate.params == ("10.0.0.1", 1000, 6)
    assert "10.0.0.1" not in predicate.sql and "1000" not in predicate.sql
    assert predicate.sql.count("?") == 3


def test_an_empty_filter_keeps_everything() -> None:
    assert parse_filter("   ") == TRUE


def test_octet_prefixes_are_string_prefixes_and_others_compare_numbers() -> None:
    assert parse_filter("src net 10.1.0.0/16").params == ("10.1.",)
    assert parse_filter("src net 172.16.0.0/12").params == (2886729728, 2887778303)


@pytest.mark.parametrize(("text", "column", "words"), [
    ("dst port x", 10, "expected a number"),
    ("dst port 443 and", 17, "expected a filter term"),
    ("src ip 10.0.0.300", 8, "IPv4 address"),
    ("src net 10.0.0.0/33", 9, "network"),
    ("proto tcpx", 7, "protocol"),
    ("proto 256", 7, "protocol"),
    ("flags SX", 7, "TCP flag letters"),
    ("(proto tcp", 11, "expected `)` to close the `(` at column 1"),
    ("proto tcp)", 10, "expected `and`, `or` or the end"),
    ("src bogus 1", 5, "expected ip, net, port or as"),
    ("colour red", 1, "unknown filter word"),
    ("bytes > $5", 9, "unexpected character '$'"),
    ("proto tcp dst port 80", 11, "expected `and`, `or` or the end"),
    ("not", 4, "expected a filter term"),
    ("packets >", 10, "expected a number"),
])
def test_a_mistake_is_reported_at_its_column(text: str, column: int, words: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(text)
    assert caught.value.column == column
    assert words in caught.value.message
