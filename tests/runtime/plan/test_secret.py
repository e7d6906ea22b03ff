"""Junos $9$ secrets: known vectors from public implementations, round trips, errors."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowc.runtime.plan import secret

# Vectors published with public implementations (jeremmfr/junosdecode tests, the
# jumation `crypt` op script's usage example); both decode the same with this module.
KNOWN = [
    ("$9$1HFIyKXxdsgJ-VH.Pfn6lKMXdsZUi5Qnikfz", "testPassWord"),
    ("$9$ReqcyKY2aHqf", "foo"),
]


@pytest.mark.parametrize(("encrypted", "plain"), KNOWN)
def test_known_vectors_decode(encrypted: str, plain: str) -> None:
    assert secret.decode(encrypted) == plain
    assert secret.reveal(encrypted) == plain


@given(st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=255), max_size=40))
def test_random_encode_round_trips(plain: str) -> None:
    encrypted = secret.encode(plain)
    assert secret.is_encrypted(encrypted)
    assert secret.decode(encrypted) == plain


@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
    st.sampled_from("QzF3n6/9CAtpu0OB1IREhcSyrleKvMW8LXx7N-dVbwsY2g4oaJZGUDjiHkq.mPf5T"),
)
def test_salted_encode_is_deterministic_and_round_trips(plain: str, salt: str) -> None:
    first = secret.encode(plain, salt=salt)
    assert first == secret.encode(plain, salt=salt)
    assert first[3] == salt
    assert secret.decode(first) == plain


def test_salt_decides_padding_length() -> None:
    # salt from the first family carries 3 padding letters, the last family none
    assert len(secret.encode("", salt="Q")) == 3 + 1 + 3
    assert len(secret.encode("", salt="T")) == 3 + 1 + 0


def test_reveal_leaves_plain_text_alone() -> None:
    assert secret.reveal("hunter2") == "hunter2"
    assert secret.reveal("$9$") == "$9$"  # too short to be a secret


@pytest.mark.parametrize("text", ["", "plain", "$9$", "$9$ab cd", "$1$abc"])
def test_is_encrypted_rejects_non_secrets(text: str) -> None:
    assert not secret.is_encrypted(text)


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-secret",
        "$9$1HFIyKXxdsgJ-VH.Pfn6lKMXdsZUi5Qnikf",  # last letter missing
        "$9$ReqcyKY2aHq!",  # letter outside the alphabet
    ],
)
def test_decode_rejects_malformed(bad: str) -> None:
    with pytest.raises(secret.SecretError):
        secret.decode(bad)


def test_encode_rejects_wide_characters_and_bad_salt() -> None:
    with pytest.raises(secret.SecretError):
        secret.encode("snow\u2603")
    with pytest.raises(secret.SecretError):
        secret.encode("x", salt="!")


def test_redact_never_shows_plain_text() -> None:
    assert secret.redact("hunter2") == "********"
    assert secret.redact(KNOWN[0][0]) == KNOWN[0][0]
