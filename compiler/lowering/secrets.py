"""Plan passwords kept out of setups: `FLOWC_SECRET_…` keys, redaction and refilling.

Stage lowering (used by `flowc render`, `flowc run` and `flowc reload`). Container setups carry
a plan without passwords (`redact`) and a Secret with the `$9$` strings under `secret_refs`
keys; `fill_secrets` puts them back from the environment or the file `FLOWC_SECRETS_FILE` names.
"""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path

from flowc.compiler.diagnostics import UsageError
from flowc.runtime.plan.model import FtpTarget, Plan

SECRET_PREFIX = "FLOWC_SECRET_"
SECRETS_FILE_ENV = "FLOWC_SECRETS_FILE"


def secret_key(name: str) -> str:
    """`cp-6/0/0 primary` -> `FLOWC_SECRET_CP_6_0_0_PRIMARY`."""
    return SECRET_PREFIX + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def password_targets(plan: Plan) -> list[tuple[str, FtpTarget]]:
    """Every FTP target that may carry a password, named `cp-6/0/0 primary` or `archive 1`."""
    found = [(f"{c.interface} {d.role}", d.target) for c in plan.collectors for d in c.destinations]
    found += [(f"archive {i}", t) for i, t in enumerate(plan.transfer_log.archive_sites, 1)]
    return found


def secret_refs(plan: Plan) -> dict[str, str]:
    """Every `$9$` password of the plan by its `FLOWC_SECRET_…` key, in plan order."""
    return {secret_key(name): t.password for name, t in password_targets(plan) if t.password}


def redact(plan: Plan) -> Plan:
    """The plan without passwords (the Secret holds them, under `secret_refs` keys)."""
    def clear(target: FtpTarget) -> FtpTarget:
        return dataclasses.replace(target, password="")

    collectors = tuple(dataclasses.replace(c, destinations=tuple(
        dataclasses.replace(d, target=clear(d.target)) for d in c.destinations)) for c in plan.collectors)
    log = dataclasses.replace(plan.transfer_log,
                              archive_sites=tuple(clear(t) for t in plan.transfer_log.archive_sites))
    return dataclasses.replace(plan, collectors=collectors, transfer_log=log)


def fill_secrets(plan: Plan, env: Mapping[str, str] | None = None) -> Plan:
    """Put `FLOWC_SECRET_…` values (environment, or the env file named by
    `FLOWC_SECRETS_FILE`) back into a redacted plan's empty passwords."""
    values = dict(os.environ if env is None else env)
    path = values.get(SECRETS_FILE_ENV)
    if path:
        values = {**_read_env_file(Path(path)), **values}
    wanted = {id(t): values.get(secret_key(name), "") for name, t in password_targets(plan)}

    def fill(target: FtpTarget) -> FtpTarget:
        value = wanted.get(id(target), "")
        return dataclasses.replace(target, password=value) if value and not target.password else target

    collectors = tuple(dataclasses.replace(c, destinations=tuple(
        dataclasses.replace(d, target=fill(d.target)) for d in c.destinations)) for c in plan.collectors)
    log = dataclasses.replace(plan.transfer_log,
                              archive_sites=tuple(fill(t) for t in plan.transfer_log.archive_sites))
    return dataclasses.replace(plan, collectors=collectors, transfer_log=log)


def _read_env_file(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read secrets file: {exc.strerror or exc}") from None
    out = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#"):
            out[key.strip()] = value.strip().strip("'\"")
    return out
