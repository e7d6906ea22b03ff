"""What `flowc diff` shows of secrets: never a clear one, in any format.

Stage diff. Input: the statements of one side. Output: the same statements with every clear
secret leaf value in Junos' own `$9$` form (`flowc.compiler.fmt.sealing.seal`: the salt comes
from the value, so an unchanged password compares equal and a changed one differs, as in
Junos' `show | compare`), and the password of any `scheme://user:password@host` URL replaced
by a mask (a password does not belong in a URL: lint says so). The value of the leaves Junos
hashes rather than encrypts (`plain-text-password-value`) has no reversible form: it shows as
the mask and a tag keyed by a random key of this run (equal values, equal tags; a change shows
as a change; nothing to look up offline). The `--format set` commands
then carry `$9$` values, which Junos loads as the same secret.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
from collections.abc import Sequence

from flowc.compiler.fmt.sealing import seal
from flowc.compiler.parse.statements import Statement, Word
from flowc.runtime.plan.secret import MASK, mask_url_passwords

# leaves whose clear value Junos turns into a hash: no reversible form to show, so a mask
_HASHED = frozenset({"plain-text-password-value", "plain-text-password"})
_RUN_KEY = os.urandom(16)


def conceal(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements as a diff may show them (see the module docstring)."""
    return tuple(_mask_urls(_mask_hashed(st)) for st in seal(statements))


def _mask_hashed(st: Statement) -> Statement:
    words = st.words
    if len(words) < 2 or words[-2].text not in _HASHED or words[-1].text.startswith("$"):
        return st
    tag = hmac.new(_RUN_KEY, words[-1].text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:8]
    return dataclasses.replace(st, words=(*words[:-1], Word(f"{MASK}-{tag}", words[-1].span, True)))


def _mask_urls(st: Statement) -> Statement:
    if not any(":" in w.text and "://" in w.text for w in st.words):
        return st
    words = tuple(Word(mask_url_passwords(w.text), w.span, w.quoted) if "://" in w.text else w for w in st.words)
    return dataclasses.replace(st, words=words)
