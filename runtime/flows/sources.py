"""Which files a `flowc flows` run reads: flow files named or found in folders, and sidecars.

A file named on the command line is read whatever its name. In a folder (searched
recursively, hidden folders skipped) a file is a flow file when its name matches the
pattern (`*.gz` by default, the seed's `*.bcp.bi.gz` among them) and is not one of the
collector's own files (transfer logs `*.log*`, `*.meta.json`, `*.part`, `*.tmp`).

A **sidecar** is a Parquet copy of one closed flow file, `.flowc/NAME.parquet` next to it,
written once (`--sidecars write`) and used instead of the gzip while it is at least as new
as the file (`sidecar_of`, `fresh_sidecar`).
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

SIDECAR_DIR = ".flowc"
NOT_FLOWS = (".meta.json", ".part", ".tmp", ".log", ".log.gz", ".parquet", ".recovered")


@dataclass(frozen=True, slots=True)
class Sources:
    """The flow files to read, in order, and how many folder entries were left out."""

    files: tuple[Path, ...]
    ignored: int = 0


def find_files(paths: list[Path], pattern: str = "*.gz") -> Sources:
    """Flow files under `paths`; FileNotFoundError for a path that does not exist."""
    files: list[Path] = []
    ignored = 0
    for path in paths:
        if path.is_dir():
            found, left = _in_folder(path, pattern)
            files += found
            ignored += left
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(2, "no such file or folder", str(path))
    unique = list(dict.fromkeys(files))
    return Sources(tuple(unique), ignored)


def _in_folder(folder: Path, pattern: str) -> tuple[list[Path], int]:
    found, ignored = [], 0
    for path in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts) or not path.is_file():
            continue
        if is_flow_name(path.name, pattern):
            found.append(path)
        else:
            ignored += 1
    return found, ignored


def is_flow_name(name: str, pattern: str = "*.gz") -> bool:
    return fnmatch.fnmatchcase(name, pattern) and not name.endswith(NOT_FLOWS) and ".log." not in name


def sidecar_of(path: Path) -> Path:
    return path.parent / SIDECAR_DIR / f"{path.name}.parquet"


def fresh_sidecar(path: Path) -> Path | None:
    """The file's sidecar when it exists and is not older than the file."""
    sidecar = sidecar_of(path)
    try:
        if sidecar.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            return sidecar
    except OSError:
        return None
    return None


def in_spool(path: Path) -> bool:
    """A spool's ready file (it has the collector's `NAME.meta.json`): it leaves once exported."""
    return path.with_name(path.name + ".meta.json").exists()
