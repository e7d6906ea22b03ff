"""Damaged flow files: lines skipped by the engine, gzip streams cut short, files unreadable.

DuckDB reads with `ignore_errors` and `store_rejects`: a line with the wrong number of
fields or a field that is not a number lands in its `reject_errors` table, read back here
per file (`rejected`). A gzip stream that ends early (a file still being written, a partial
upload) makes the whole read fail; `salvage` then decodes what is readable, keeps the
complete lines in a plain copy the query reads instead, and says how far it got. A file
that is not gzip at all although named `.gz` is left out, and said so.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

SHOWN_LINES = 5


@dataclass(frozen=True, slots=True)
class Skipped:
    """What could not be read in one file: line numbers (1-based), and a note for the rest."""

    file: str
    lines: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()
    note: str = ""

    def message(self) -> str:
        parts = []
        if self.lines:
            shown = ", ".join(str(n) for n in self.lines[:SHOWN_LINES])
            more = f" (+{len(self.lines) - SHOWN_LINES} more)" if len(self.lines) > SHOWN_LINES else ""
            count = len(self.lines)
            parts.append(f"{count} line{'s' * (count != 1)} skipped in {self.file}:{shown}{more} "
                         f"({'; '.join(self.reasons)})")
        if self.note:
            parts.append(f"{self.file}: {self.note}")
        return "\n".join(parts)


REASONS = {"MISSING COLUMNS": "too few fields", "TOO MANY COLUMNS": "too many fields",
           "CAST": "not a number", "UNQUOTED VALUE": "bad value", "LINE SIZE OVER MAXIMUM": "line too long",
           "INVALID ENCODING": "not UTF-8"}


def rejected(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> list[Skipped]:
    """Lines the last read skipped, per file (`names` maps a read path to the one shown)."""
    try:
        rows = con.execute(
            "SELECT s.file_path, e.line, list(DISTINCT e.error_type ORDER BY e.error_type) "
            "FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) "
            "GROUP BY s.file_path, e.line ORDER BY s.file_path, e.line").fetchall()
    except duckdb.CatalogException:  # nothing read through read_csv
        return []
    by_file: dict[str, tuple[list[int], set[str]]] = {}
    for path, line, kinds in rows:
        lines, reasons = by_file.setdefault(names.get(str(path), str(path)), ([], set()))
        lines.append(int(line))
        reasons.update(REASONS.get(str(kind), str(kind).lower()) for kind in kinds)
    return [Skipped(file, tuple(lines), tuple(sorted(reasons))) for file, (lines, reasons) in by_file.items()]


def salvage(path: Path, into: Path) -> tuple[Path | None, str]:
    """The complete lines of a cut-short gzip in a plain file under `into`, and a note."""
    decoder = zlib.decompressobj(31)
    target = into / f"{len(list(into.iterdir()))}-{path.name}.txt"
    lines, damaged = 0, ""
    carry = b""
    with path.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            try:
                data = carry + decoder.decompress(chunk)
            except zlib.error as exc:
                damaged = f"corrupt gzip data ({exc})"
                break
            cut = data.rfind(b"\n") + 1
            dst.write(data[:cut])
            lines += data.count(b"\n", 0, cut)
            carry = data[cut:]
            if decoder.eof:
                break
    if not lines:
        target.unlink()
        return None, f"not readable ({damaged or 'a gzip stream cut short before its first line'}); file left out"
    cause = damaged or "gzip stream cut short"
    return target, f"{cause}: read its first {lines} complete lines, what follows is lost"


def failed_file(error: duckdb.Error, files: list[Path]) -> Path | None:
    """The file a failed read names in its message (DuckDB names it last)."""
    text = str(error)
    named = [f for f in files if str(f) in text]
    return max(named, key=lambda f: len(str(f))) if named else None
