"""`flowc render`: a plan becomes a runnable setup (shell, systemd, compose, kubernetes).

Input: a `Plan` (already compiled, site applied) and a target name. Output: the files of
the setup as `RenderedFile`s (relative path, text, mode), written by `write_files`. Every
target carries the plan, the site settings for where it runs, and a README for the
operator. Templates are jinja2 files in `compiler/render/templates/<target>/` rendered with
`StrictUndefined`. Container targets never put a password in a manifest or in the plan:
the plan's `$9$` strings move to one secret per collector as `FLOWC_SECRET_<KEY>` entries
(`secret_refs`), and `flowc run` puts them back (`fill_secrets`); systemd units get theirs
the same way (`LoadCredential=`), so a collector never holds another one's passwords.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowc.compiler.diagnostics import UsageError
from flowc.compiler.lowering.site import Site
from flowc.compiler.render.context import context as context_for
from flowc.runtime.plan.model import Plan

TARGETS = ("shell", "systemd", "compose", "kubernetes")
DEFAULT_IMAGE = "flowc:0.1.0"
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")
_TEMPLATES = {
    "shell": ("flowc.sh",),
    "systemd": ("flowc.target", "flowc-sysusers.conf"),
    "compose": ("compose.yaml", "Dockerfile"),
    "kubernetes": ("kustomization.yaml", "configmap.yaml", "Dockerfile"),
}
_SECRET_TEMPLATES = frozenset({"secrets.env", "secret.yaml"})  # written 0600, whatever the umask
# Per collector: (template, file name). Each collector's secrets file holds only its own
# passwords (its destinations and the archive sites of its transfer logs).
_PER_COLLECTOR = {
    "systemd": (("flowc-collector.service", "flowc-{slug}.service"),
                ("site-collector.yaml", "site-{slug}.yaml"),
                ("secrets.env", "secrets-{slug}.env")),
    "compose": (("secrets.env", "secrets-{dns}.env"),),
    "kubernetes": (("statefulset.yaml", "statefulset-{dns}.yaml"),
                   ("service.yaml", "service-{dns}.yaml"),
                   ("secret.yaml", "secret-{dns}.yaml")),
}
_EXECUTABLE = frozenset({"flowc.sh"})


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """One file of a rendered setup: where it goes under the output directory and its text."""

    path: str
    text: str
    mode: int = 0o644


@dataclass(frozen=True, slots=True)
class Options:
    """Knobs of a rendering: the container image and how the `flowc` command is called."""

    image: str = DEFAULT_IMAGE
    flowc: str | None = None
    storage: str = "1Gi"
    service_type: str = "ClusterIP"  # kubernetes: ClusterIP, NodePort or LoadBalancer


# ------------------------------------------------------------------ rendering

def render(plan: Plan, target: str, options: Options = Options(), site: Site | None = None
           ) -> tuple[RenderedFile, ...]:
    """Every file of `target`'s setup for `plan`, in a stable order. `site` (the one applied
    to the plan, if any) says which listeners were chosen: containers keep those as written
    and listen on 0.0.0.0 for the rest."""
    if target not in TARGETS:
        raise UsageError(f"unknown target {target!r} (use one of: {', '.join(TARGETS)})")
    environment = _environment()
    context = context_for(plan, target, options, site)
    files = [RenderedFile("plan.json", context["plan_json"], 0o600),  # $9$ secrets decode in one line
             RenderedFile("site.yaml", context["site_yaml"])]
    for name in _TEMPLATES[target] + ("README.md",):
        text = environment.get_template(f"{target}/{name}").render(context)
        files.append(RenderedFile(name, text, 0o755 if name in _EXECUTABLE else 0o644))
    for template, pattern in _PER_COLLECTOR.get(target, ()):
        for item in context["collectors"]:
            text = environment.get_template(f"{target}/{template}").render(context, c=item)
            files.append(RenderedFile(pattern.format(**item), text, 0o600 if template in _SECRET_TEMPLATES else 0o644))
    return tuple(files)


def write_files(files: tuple[RenderedFile, ...], directory: str | Path) -> list[Path]:
    """Write the files under `directory` (created if needed); returns the paths written."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for item in files:
        path = root / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, item.mode & 0o700)
        with open(fd, "w", encoding="utf-8") as out:  # never readable by others, not even briefly
            os.fchmod(out.fileno(), item.mode & 0o700)
            out.write(item.text)
        path.chmod(item.mode)
        written.append(path)
    return written


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flowc.compiler.render", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["json"] = lambda value: json.dumps(value)
    env.filters["shq"] = _shell_quote
    return env


def _shell_quote(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_./:@%+=-]+", text) else "'" + text.replace("'", "'\\''") + "'"
