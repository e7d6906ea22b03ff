"""Secret leaves: the statements whose value Junos stores encrypted, and their `$9$` form.

Junos keeps the value of these leaves as a `$9$` string and shows it that way after a
commit, whatever was typed (`password "s3cret"` comes back as `password "$9$…"`). `seal`
gives `flowc fmt` the same effect, so no plain-text password of a configuration reaches
its output: a clear value becomes `$9$` with a salt derived from the text (the same text
always gives the same string, so `fmt` stays idempotent and `--check` stable); a value that
already is `$9$`, or a `$1$`/`$5$`/`$6$`/`$sha…$` hash, stays as written.

The leaves (the keyword right before the value, the value being the statement's last word):
`password` (flow-collector destinations and archive-sites, configuration archive sites),
`secret` (RADIUS/TACACS+ servers, key chains), `authentication-key` (BGP, OSPF, VRRP, LDP,
…), `simple-password`, `hello-authentication-key`, `local-password` (PPP PAP),
`chap-secret`, `pap-password`, `pre-shared-key ascii-text|hexadecimal` (IKE), `md5 N key`
(OSPF, IS-IS) and `authentication-key N … value` (NTP).
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence

from flowc.compiler.parse.statements import Statement, Word
from flowc.runtime.plan.secret import encode, is_encrypted

# keyword right before the value -> the word that must come before the keyword (None: any)
SECRET_KEYWORDS: dict[str, str | None] = {
    "password": None,
    "secret": None,
    "authentication-key": None,
    "simple-password": None,
    "hello-authentication-key": None,
    "local-password": None,
    "chap-secret": None,
    "pap-password": None,
    "privacy-key": None,
    "ascii-text": "pre-shared-key",
    "hexadecimal": "pre-shared-key",
}
_LAST_BUT_ONE = frozenset((*SECRET_KEYWORDS, "key", "value"))
_HASHES = ("$1$", "$5$", "$6$", "$sha1$", "$sha256$", "$sha512$", "$8$")
# the salt letters the compiler uses for plan passwords (compiler/lowering/lower.py), so that one
# clear text gets one `$9$` form everywhere
_SALT_LETTERS = "QzF3n6/9CAtpu0O"


def secret_value_index(texts: Sequence[str]) -> int:
    """Where the secret value of a statement path is (`-1`: not a secret leaf)."""
    n = len(texts)
    if n < 2:
        return -1
    keyword = texts[-2]
    if keyword in SECRET_KEYWORDS:
        before = SECRET_KEYWORDS[keyword]
        if before is None or (n >= 3 and texts[-3] == before):
            return n - 1
        return -1
    if keyword == "key" and n >= 4 and texts[-4] == "md5":
        return n - 1          # `authentication md5 1 key X`
    if keyword == "value" and "authentication-key" in texts[:-2]:
        return n - 1          # `ntp authentication-key 1 type md5 value X`
    return -1


def is_clear(value: str) -> bool:
    """A value typed in clear (not `$9$`, not a password hash)."""
    return bool(value) and not is_encrypted(value) and not value.startswith(_HASHES)


def sealed(value: str) -> str:
    """The `$9$` form of a clear value, with a salt derived from the value."""
    salt = _SALT_LETTERS[hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()[0] % len(_SALT_LETTERS)]
    return encode(value, salt=salt)


def seal(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements with every clear secret value in its `$9$` form."""
    out = []
    for st in statements:
        words = st.words
        at = -1
        if len(words) >= 2 and words[-2].text in _LAST_BUT_ONE:
            at = secret_value_index([w.text for w in words])
        if at >= 0:
            value = words[at]
            if is_clear(value.text) and _encodable(value.text):
                new = Word(sealed(value.text), value.span, True)
                st = dataclasses.replace(st, words=words[:at] + (new,) + words[at + 1:])
        out.append(st)
    return tuple(out)


def clear_secrets(statements: Sequence[Statement]) -> frozenset[str]:
    """The clear values of the secret leaves (to keep them out of anything shown)."""
    found = set()
    for st in statements:
        words = st.words
        if len(words) >= 2 and words[-2].text in _LAST_BUT_ONE:
            at = secret_value_index([w.text for w in words])
            if at >= 0 and is_clear(words[at].text):
                found.add(words[at].text)
    return frozenset(found)


def _encodable(value: str) -> bool:
    return all(ord(c) < 256 for c in value)
