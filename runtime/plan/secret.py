"""Junos `$9$` secrets: decode and encode the router's reversible password form.

Junos shows `unreadable` leaves such as FTP passwords as `"$9$…"`. The scheme is public
(Kevin Brintnall's Perl `Crypt::Juniper`, ported as `junosdecode`): a salt character picks
how many random characters follow, then every plaintext character becomes 2 to 4 letters
of a 65-letter alphabet whose *gaps* (distance from the previous letter) weigh the
character's code. It is an obfuscation, not encryption: flowc decodes it only where the
engine needs the secret (`reveal`) and never prints the clear text.

`encode(plain)` picks a random salt; `encode(plain, salt=c)` is deterministic (the padding
is derived from salt and text), so a compiler can produce byte-identical plans.

A password written inside a URL (`ftp://user:pass@host/`) is a secret too: `url_password`
finds it, `without_password` drops it from the URL, `mask_url_passwords` hides every one in
a text about to be shown.
"""
from __future__ import annotations

import hashlib
import re
import secrets as _random
from urllib.parse import unquote

MAGIC = "$9$"
MASK = "********"
# scheme://user:password@ — the password runs to the last `@` before the path, as urlsplit reads it
_URL_PASSWORD = re.compile(r"""(\b[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:\s"']*):([^/?#\s"']*)@""")
_FAMILIES = ("QzF3n6/9CAtpu0O", "B1IREhcSyrleKvMW8LXx", "7N-dVbwsY2g4oaJZGUDj", "iHkq.mPf5T")
_ALPHABET = "".join(_FAMILIES)
_INDEX = {letter: number for number, letter in enumerate(_ALPHABET)}
# How many padding letters follow the salt letter: 3 for the first family … 0 for the last.
_PADDING = {letter: 3 - rank for rank, family in enumerate(_FAMILIES) for letter in family}
# Per position (cycling), the weights of the gaps that make up one character.
_WEIGHTS: tuple[tuple[int, ...], ...] = (
    (1, 4, 32),
    (1, 16, 32),
    (1, 8, 32),
    (1, 64),
    (1, 32),
    (1, 4, 16, 128),
    (1, 32, 64),
)


class SecretError(ValueError):
    """A `$9$` string that cannot be decoded (wrong letters or length)."""


def is_encrypted(text: str) -> bool:
    """True if `text` looks like a Junos `$9$` secret made of the scheme's letters."""
    body = text[len(MAGIC):]
    return text.startswith(MAGIC) and len(body) >= 1 and all(c in _INDEX for c in body)


def decode(text: str) -> str:
    """The clear text of a `$9$` secret; `SecretError` if it is not one."""
    if not text.startswith(MAGIC):
        raise SecretError("not a $9$ secret")
    body = text[len(MAGIC):]
    if not body or any(c not in _INDEX for c in body):
        raise SecretError("a $9$ secret uses only the letters of its alphabet")
    salt = body[0]
    rest = body[1 + _PADDING[salt]:]
    if len(body) < 1 + _PADDING[salt]:
        raise SecretError("a $9$ secret is too short")
    return _decode_body(salt, rest)


def _decode_body(previous: str, rest: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(rest):
        weights = _WEIGHTS[len(out) % len(_WEIGHTS)]
        chunk = rest[position:position + len(weights)]
        if len(chunk) != len(weights):
            raise SecretError("a $9$ secret has missing or extra letters")
        value = 0
        for letter, weight in zip(chunk, weights):
            value += _gap(previous, letter) * weight
            previous = letter
        out.append(chr(value % 256))
        position += len(weights)
    return "".join(out)


def _gap(first: str, second: str) -> int:
    return (_INDEX[second] - _INDEX[first]) % len(_ALPHABET) - 1


def encode(plain: str, salt: str | None = None) -> str:
    """The `$9$` form of `plain` (characters 0..255). Random unless `salt` is given."""
    if any(ord(c) > 255 for c in plain):
        raise SecretError("a $9$ secret holds only 8-bit characters")
    if salt is None:
        salt = _random.choice(_ALPHABET)
        padding = "".join(_random.choice(_ALPHABET) for _ in range(_PADDING[salt]))
    elif salt in _INDEX:
        digest = hashlib.sha256(f"{salt}\0{plain}".encode("utf-8", "surrogatepass")).digest()
        padding = "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[: _PADDING[salt]])
    else:
        raise SecretError(f"salt must be one letter of the $9$ alphabet, not {salt!r}")
    out = [MAGIC, salt, padding]
    previous = salt
    for position, char in enumerate(plain):
        letters = _encode_char(ord(char), previous, _WEIGHTS[position % len(_WEIGHTS)])
        out.append(letters)
        previous = letters[-1]
    return "".join(out)


def _encode_char(code: int, previous: str, weights: tuple[int, ...]) -> str:
    gaps: list[int] = []
    for weight in reversed(weights):
        gaps.insert(0, code // weight)
        code %= weight
    letters: list[str] = []
    for gap in gaps:
        previous = _ALPHABET[(_INDEX[previous] + gap + 1) % len(_ALPHABET)]
        letters.append(previous)
    return "".join(letters)


def reveal(text: str) -> str:
    """The secret itself: decoded if `text` is a `$9$` secret, else `text` unchanged."""
    return decode(text) if is_encrypted(text) else text


def redact(text: str) -> str:
    """What a user may see: a `$9$` secret as written, anything else as asterisks."""
    return text if is_encrypted(text) else "********"


def url_password(url: str) -> str | None:
    """The password inside `url`'s user part (percent-decoded), or None when it has none."""
    found = _URL_PASSWORD.match(url)
    return unquote(found.group(2)) if found and found.group(2) else None


def without_password(url: str) -> str:
    """`url` with the `:password` of its user part removed (`ftp://u:p@h/` -> `ftp://u@h/`)."""
    def user(found: re.Match[str]) -> str:
        return found.group(1) if found.group(1).endswith("://") else f"{found.group(1)}@"

    return _URL_PASSWORD.sub(user, url, count=1) if _URL_PASSWORD.match(url) else url


def mask_url_passwords(text: str) -> str:
    """`text` with the password of every URL in it shown as asterisks."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{MASK}@" if m.group(2) else m.group(0), text)
