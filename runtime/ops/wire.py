"""Reading a wire object (a decoded JSON object, or a dict off the collector pipe) field by field.

Stage ops. `Fields(data, where)` checks that `data` is an object and hands out its fields
by type; a missing field or a wrong type raises `MessageError` naming the field (`reply.
collectors[0].drops.icmp: expected an integer`), never a `KeyError` or a `TypeError`.
"""
from __future__ import annotations

from collections.abc import Iterator

Wire = dict[str, object]   # one message as it crosses the socket (JSON) or the pipe (pickled)


class MessageError(ValueError):
    """A message that is not one of ours: the text says which field and why."""


class Fields:
    """The fields of one wire object, read with a type each."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
            raise MessageError(f"{where}: expected an object")
        self.data: Wire = data
        self.where = where

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def keys(self) -> Iterator[str]:
        return iter(self.data)

    def raw(self, key: str) -> object:
        if key not in self.data:
            raise MessageError(f"{self.where}: missing {key!r}")
        return self.data[key]

    def _wrong(self, key: str, what: str) -> MessageError:
        return MessageError(f"{self.where}.{key}: expected {what}, got {type(self.data[key]).__name__}")

    def text(self, key: str, default: str | None = None) -> str:
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, str):
            raise self._wrong(key, "a string")
        return value

    def optional_text(self, key: str) -> str | None:
        return None if self.data.get(key) is None else self.text(key)

    def integer(self, key: str, default: int | None = None) -> int:
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._wrong(key, "an integer")
        return value

    def number(self, key: str) -> float:
        value = self.raw(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise self._wrong(key, "a number")
        return float(value)

    def flag(self, key: str, default: bool | None = None) -> bool:
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false")
        return value

    def record(self, key: str) -> Fields:
        return Fields(self.raw(key), f"{self.where}.{key}")

    def records(self, key: str) -> list[Fields]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise self._wrong(key, "a list")
        return [Fields(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, "a list of strings")
        return tuple(value)
