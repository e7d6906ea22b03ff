"""nfdump-like filter expressions -> a SQL condition with parameters.

    [src|dst|any] ip|host ADDR       [src|dst|any] net ADDR/LEN
    [src|dst|any] port [OP] N        [src|dst|any] as [OP] N
    proto tcp|udp|icmp|N             flags LETTERS (all of F S R P A U E C set) | flags N
    packets|bytes [OP] N[k|m|g]      not X, X and Y, X or Y, ( X )

OP is one of = == != > < >= <= (default =). Without a direction, `ip`, `net`, `port` and `as`
match either side. Values never enter the SQL text: each becomes a `?` parameter. A mistake
raises `FilterError` with the 1-based column of the word at fault.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

Param = int | str

TOKEN = re.compile(r"\s*(?:(?P<op>==|!=|>=|<=|[=<>])|(?P<paren>[()])|(?P<word>[A-Za-z0-9_.:/-]+)|(?P<bad>\S))")
PROTOCOLS = {"icmp": 1, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "sctp": 132}
FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20, "E": 0x40, "C": 0x80}
SIDES = {"src": ("src",), "dst": ("dst",), "any": ("src", "dst")}
SUFFIX = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3}
SQL_OP = {"=": "=", "==": "=", "!=": "<>", ">": ">", "<": "<", ">=": ">=", "<=": "<="}
RESERVED = {"and", "or", "not", "(", ")"}


class FilterError(ValueError):
    """A filter that does not parse: the message and the 1-based column of the mistake."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message, self.column = message, column


@dataclass(frozen=True, slots=True)
class Predicate:
    """A SQL condition over the reader's columns and its parameters, in order."""

    sql: str
    params: tuple[Param, ...] = ()


TRUE = Predicate("TRUE")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    kind: str          # op, paren, word, end
    column: int


def tokens(text: str) -> list[Token]:
    found, pos = [], 0
    while pos < len(text) and text[pos:].strip():
        match = TOKEN.match(text, pos)
        assert match is not None  # the `bad` branch takes any non-space character
        kind = match.lastgroup or "bad"
        start = match.start(kind)
        if kind == "bad":
            raise FilterError(f"unexpected character {match.group(kind)!r}", start + 1)
        found.append(Token(match.group(kind), kind, start + 1))
        pos = match.end()
    found.append(Token("", "end", len(text) + 1))
    return found


def parse_filter(text: str) -> Predicate:
    """The condition for an expression; `TRUE` for an empty one."""
    if not text.strip():
        return TRUE
    parser = _Parser(tokens(text))
    result = parser.expression()
    if parser.peek.kind != "end":
        raise FilterError(f"expected `and`, `or` or the end, found {parser.peek.text!r}", parser.peek.column)
    return result


class _Parser:
    """Recursive descent: or > and > not > ( ) | term."""

    def __init__(self, items: list[Token]) -> None:
        self.items, self.at = items, 0

    @property
    def peek(self) -> Token:
        return self.items[self.at]

    def take(self) -> Token:
        token = self.items[self.at]
        self.at += token.kind != "end"
        return token

    def accept(self, word: str) -> bool:
        if self.peek.kind == "word" and self.peek.text.lower() == word:
            self.take()
            return True
        return False

    def expression(self) -> Predicate:
        return self._joined("or", self.conjunction)

    def conjunction(self) -> Predicate:
        return self._joined("and", self.negation)

    def _joined(self, word: str, part: Callable[[], Predicate]) -> Predicate:
        parts = [part()]
        while self.accept(word):
            parts.append(part())
        if len(parts) == 1:
            return parts[0]
        return Predicate("(" + f" {word.upper()} ".join(p.sql for p in parts) + ")",
                         tuple(v for p in parts for v in p.params))

    def negation(self) -> Predicate:
        if self.accept("not"):
            inner = self.negation()
            return Predicate(f"(NOT {inner.sql})", inner.params)
        if self.peek.text == "(":
            opened = self.take()
            inner = self.expression()
            if self.peek.text != ")":
                raise FilterError(f"expected `)` to close the `(` at column {opened.column}", self.peek.column)
            self.take()
            return inner
        return self.term()

    def term(self) -> Predicate:
        token = self.peek
        if token.kind != "word" or token.text.lower() in RESERVED:
            what = "the end" if token.kind == "end" else repr(token.text)
            raise FilterError(f"expected a filter term (ip, net, port, as, proto, flags, packets, bytes), "
                              f"found {what}", token.column)
        word = self.take().text.lower()
        sides = SIDES.get(word)
        if sides is not None:
            return self._sided(sides, self.take())
        if word in ("ip", "host", "net", "port", "as"):
            return self._sided(SIDES["any"], token)
        if word == "proto":
            return self._proto(self.take())
        if word == "flags":
            return self._flags(self.take())
        if word in ("packets", "bytes"):
            return self._compare([word], self._op(), self._number(self.take()))
        raise FilterError(f"unknown filter word {token.text!r}", token.column)

    def _sided(self, sides: tuple[str, ...], what: Token) -> Predicate:
        word = what.text.lower()
        if word in ("ip", "host"):
            value = _address(self.take())
            return _either([Predicate(f'"{side}" = ?', (value,)) for side in sides])
        if word == "net":
            return _either([_network(side, n) for n in [_network_of(self.take())] for side in sides])
        if word in ("port", "as"):
            columns = [f"{side}_{'port' if word == 'port' else 'as'}" for side in sides]
            return self._compare(columns, self._op(), self._number(self.take()))
        raise FilterError(f"expected ip, net, port or as after the direction, found {what.text!r}", what.column)

    def _op(self) -> str:
        return SQL_OP[self.take().text] if self.peek.kind == "op" else "="

    def _compare(self, columns: list[str], op: str, value: int) -> Predicate:
        return _either([Predicate(f'"{c}" {op} ?', (value,)) for c in columns])

    def _number(self, token: Token) -> int:
        match = re.fullmatch(r"(\d+)([kmg]?)", token.text.lower())
        if token.kind != "word" or not match:
            raise FilterError(f"expected a number, found {token.text or 'the end'!r}", token.column)
        return int(match.group(1)) * SUFFIX[match.group(2)]

    def _proto(self, token: Token) -> Predicate:
        number = PROTOCOLS.get(token.text.lower())
        if number is None:
            if not token.text.isdigit() or int(token.text) > 255:
                raise FilterError(f"expected tcp, udp, icmp or a protocol number, found {token.text or 'the end'!r}",
                                  token.column)
            number = int(token.text)
        return Predicate('"protocol" = ?', (number,))

    def _flags(self, token: Token) -> Predicate:
        if token.text.isdigit() and int(token.text) < 256:
            mask = int(token.text)
        elif token.kind == "word" and token.text and all(c in FLAG_BITS for c in token.text.upper()):
            mask = sum(FLAG_BITS[c] for c in set(token.text.upper()))
        else:
            raise FilterError(f"expected TCP flag letters (F S R P A U E C) or a number, found "
                              f"{token.text or 'the end'!r}", token.column)
        return Predicate('("tcp_flags" & ?) = ?', (mask, mask))


def _either(parts: list[Predicate]) -> Predicate:
    if len(parts) == 1:
        return parts[0]
    return Predicate("(" + " OR ".join(p.sql for p in parts) + ")", tuple(v for p in parts for v in p.params))


def _address(token: Token) -> str:
    try:
        return str(ipaddress.IPv4Address(token.text))
    except ValueError:
        raise FilterError(f"expected an IPv4 address, found {token.text or 'the end'!r}", token.column) from None


def _network_of(token: Token) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(token.text, strict=False)
    except ValueError:
        raise FilterError(f"expected a network such as 10.0.0.0/8, found {token.text or 'the end'!r}",
                          token.column) from None


def _network(side: str, net: ipaddress.IPv4Network) -> Predicate:
    """A prefix on an octet boundary is a string prefix (fast); others compare numbers."""
    if net.prefixlen == 0:
        return TRUE
    if net.prefixlen % 8 == 0:
        prefix = ".".join(str(net.network_address).split(".")[: net.prefixlen // 8]) + "."
        return Predicate(f'starts_with("{side}", ?)', (prefix,)) if net.prefixlen < 32 else \
            Predicate(f'"{side}" = ?', (str(net.network_address),))
    low, high = int(net.network_address), int(net.broadcast_address)
    return Predicate(f'ip4("{side}") BETWEEN ? AND ?', (low, high))
