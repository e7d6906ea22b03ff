"""No output of any command shows a clear secret: a password written inside an FTP URL
(`ftp://user:pass@host/`) and a clear `password` statement, through every command and
every format, run as the user runs them (`python -m flowc.compiler.cli`, real files, a real
engine for `show`). Each command's stdout, stderr and every file it writes are searched.
The one exception is the configuration text `fmt` prints: it keeps every value as written.

(`flowc diff` is covered by its own tests in tests/compiler/diff/.)
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowc.compiler.lint.report import FORMATS
from flowc.runtime.plan.model import loads_plan
from flowc.runtime.plan.secret import reveal, url_password

ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "flowc.compiler.cli"]
URL_SECRET, ARCHIVE_SECRET, CLEAR_SECRET = "Url-Pa55word", "Arch1ve-Pa55", "Clear-Pa55"
SECRETS = (URL_SECRET, ARCHIVE_SECRET, CLEAR_SECRET)
TARGETS = ("shell", "systemd", "compose", "kubernetes")
DESTINATION = ('            "ftp://flows@198.51.100.20/incoming/" {\n'
               '                password "$9$1HFIyKXxdsgJ-VH.Pfn6lKMXdsZUi5Qnikfz"; ## SECRET-DATA\n'
               '            }\n')
ARCHIVE = ('                "ftp://logs@198.51.100.21/flowc/" {\n'
           '                    password "$9$ReqcyKY2aHqf"; ## SECRET-DATA\n'
           '                }\n')


def config_text(suppressed: bool) -> str:
    """examples/single with the primary's password in its URL, the archive site's in its URL
    (`%2D` for `-`: percent-encoded) and a secondary with a clear `password`. `suppressed`:
    FC267 and FC263 silenced inline, so that the configuration compiles and lowering has to
    keep the passwords out of the plan itself."""
    text = (ROOT / "examples" / "single" / "router.conf").read_text("utf-8")
    assert DESTINATION in text and ARCHIVE in text
    ignore = "            /* flowc: ignore FC267 */\n" if suppressed else ""
    ignore_clear = "                /* flowc: ignore FC263 */\n" if suppressed else ""
    destinations = (f'{ignore}            "ftp://flows:{URL_SECRET}@198.51.100.20/incoming/";\n'
                    '            "ftp://flows@198.51.100.22/incoming/" {\n'
                    f'{ignore_clear}                password "{CLEAR_SECRET}";\n'
                    '            }\n')
    archive = (f'    {ignore}                "ftp://logs:{ARCHIVE_SECRET.replace("-", "%2D")}@198.51.100.21/flowc/";\n')
    return text.replace(DESTINATION, destinations).replace(ARCHIVE, archive)


def flowc(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def leaks(*texts: str) -> list[str]:
    """The clear secrets (as written, or percent-encoded; any URL password but `$9$`) in `texts`."""
    found = [s for s in SECRETS for t in texts if s in t or s.replace("-", "%2D") in t]
    found += [m.group(0) for t in texts for m in re.finditer(r"ftp://[^/\s\"]*:(?!\$9\$)[^@/\s\"*]+@198\.51\.100\.", t)]
    return found


def written(folder: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture(scope="module")
def work() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="fcsecret"))
    (folder / "lint.conf").write_text(config_text(suppressed=False), "utf-8")
    (folder / "router.conf").write_text(config_text(suppressed=True), "utf-8")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_cases_hold_the_secrets(work: Path) -> None:
    """The test cannot pass vacuously: the inputs do hold every secret in clear."""
    assert leaks((work / "lint.conf").read_text()) and leaks((work / "router.conf").read_text())


@pytest.mark.parametrize("fmt", FORMATS)
def test_lint_reports_the_url_password_in_every_format_without_showing_it(work: Path, fmt: str) -> None:
    run = flowc("lint", "--isolated", "--format", fmt, "lint.conf", cwd=work)
    assert run.returncode == 1, run.stderr
    assert "FC267" in run.stdout and "FC263" in run.stdout
    assert not leaks(run.stdout, run.stderr)


def test_lint_text_masks_the_url_password_and_hints_the_fix(work: Path) -> None:
    out = flowc("lint", "--isolated", "lint.conf", cwd=work).stdout
    assert "ftp://flows:********@198.51.100.20/incoming/ has a password in its URL [url.password]" in out
    assert 'hint: put the password in `password "…";` (stored as $9$) and remove it from the URL' in out
    assert 'password "********"' in out          # FC263 still masks the clear statement


@pytest.mark.parametrize("to", ["brace", "set"])
def test_fmt_keeps_values_as_written_and_masks_its_findings(work: Path, to: str) -> None:
    """`fmt` changes layout, never a value (docs/parse.md): the file's own URL comes back as
    written, like a clear `password` (lint flags both). What `fmt` itself reports is masked."""
    run = flowc("fmt", "--to", to, "router.conf", cwd=work)
    assert run.returncode == 0, run.stderr
    assert f"ftp://flows:{URL_SECRET}@198.51.100.20/incoming/" in run.stdout
    assert not leaks(run.stderr)
    broken = config_text(suppressed=False).replace(
        f'"ftp://flows:{URL_SECRET}@198.51.100.20/incoming/";', f'"ftp://flows:{URL_SECRET}@198.51.100.20/incoming/;')
    (work / "broken.conf").write_text(broken, "utf-8")
    failed = flowc("fmt", "--to", to, "broken.conf", cwd=work)
    assert failed.returncode == 1 and "FC005" in failed.stderr
    assert ":********@198.51.100." in failed.stderr  # the source line shown, its URL password masked
    assert not leaks(failed.stderr)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_compile_moves_the_url_password_into_the_sealed_password(work: Path, fmt: str) -> None:
    plan_file = work / f"plan.{fmt}"
    run = flowc("compile", "router.conf", "-o", plan_file.name, cwd=work)
    assert run.returncode == 0, run.stderr
    stdout = flowc("compile", "router.conf", "--format", fmt, cwd=work)
    assert not leaks(run.stdout, run.stderr, plan_file.read_text(), stdout.stdout, stdout.stderr)
    plan = loads_plan(plan_file.read_text())
    primary, secondary = (d.target for d in plan.collectors[0].destinations)
    (archive,) = plan.transfer_log.archive_sites
    assert (primary.url, primary.username) == ("ftp://flows@198.51.100.20/incoming/", "flows")
    assert archive.url == "ftp://logs@198.51.100.21/flowc/"
    assert [t.password[:3] for t in (primary, secondary, archive)] == ["$9$"] * 3
    assert [reveal(t.password) for t in (primary, secondary, archive)] == [URL_SECRET, CLEAR_SECRET, ARCHIVE_SECRET]


@pytest.mark.parametrize("target", TARGETS)
def test_render_writes_no_clear_secret_in_any_target(work: Path, target: str) -> None:
    out = work / f"setup-{target}"
    run = flowc("render", "--target", target, "-o", out.name, "--site", ROOT / "examples/single/site.yaml",
                "router.conf", cwd=work)
    assert run.returncode == 0, run.stderr
    files = written(out)
    assert "ftp://flows@198.51.100.20/incoming/" in files  # the URL is there, its password is not
    assert list(out.rglob("README*"))
    assert not leaks(run.stdout, run.stderr, files)


def test_a_different_password_in_the_url_and_the_statement_is_refused(work: Path) -> None:
    text = config_text(suppressed=True).replace(
        f'"ftp://flows:{URL_SECRET}@198.51.100.20/incoming/";',
        f'"ftp://flows:{URL_SECRET}@198.51.100.20/incoming/" {{ password "$9$ReqcyKY2aHqf"; }}')
    (work / "both.conf").write_text(text, "utf-8")
    run = flowc("compile", "both.conf", cwd=work)
    assert run.returncode == 1 and not run.stdout
    assert "FC304" in run.stderr and "ftp://flows:********@198.51.100.20" in run.stderr
    assert not leaks(run.stderr)


def test_a_plan_with_a_password_in_a_url_is_refused_on_load(work: Path) -> None:
    plan = json.loads(flowc("compile", "router.conf", cwd=work).stdout)
    plan["collectors"][0]["destinations"][0]["target"]["url"] = f"ftp://flows:{URL_SECRET}@198.51.100.20/"
    (work / "hand.json").write_text(json.dumps(plan), "utf-8")
    run = flowc("render", "--target", "shell", "-o", "hand-setup", "hand.json", cwd=work)
    assert run.returncode == 2, run.stderr
    assert "has a password in its URL" in run.stderr and "Traceback" not in run.stderr
    assert not leaks(run.stdout, run.stderr) and url_password(plan["collectors"][0]["destinations"][0]
                                                              ["target"]["url"]) == URL_SECRET


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_show_and_the_engine_log_show_no_clear_secret(work: Path) -> None:
    """`flowc run` on the compiled plan (servers unreachable), then every `show` in both formats."""
    folder = Path(tempfile.mkdtemp(prefix="fcshow"))  # short: a unix socket path
    try:
        dead = free_port(socket.SOCK_STREAM)
        site = folder / "site.yaml"
        site.write_text(f"host-name: edge1\nspool: {folder / 'spool'}\ncontrol: {folder / 'ctl.sock'}\n"
                        f"collectors:\n  cp-4/0/0:\n    listen: 127.0.0.1:{free_port(socket.SOCK_DGRAM)}\n"
                        f"hosts:\n  198.51.100.20: 127.0.0.1:{dead}\n  198.51.100.21: 127.0.0.1:{dead}\n"
                        f"  198.51.100.22: 127.0.0.1:{dead}\n", "utf-8")
        assert flowc("compile", work / "router.conf", "-o", "plan.json", cwd=folder).returncode == 0
        log = folder / "engine.log"
        with log.open("w") as err:
            engine = subprocess.Popen([*CLI, "run", "plan.json", "--site", str(site)], cwd=folder,
                                      stdout=err, stderr=err, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while "engine started" not in log.read_text():
                assert engine.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            shown = []
            for what in ("interface all extensive", "input interface all detail", "file interface all detail"):
                for fmt in ("text", "json"):
                    run = flowc("show", "services", "flow-collector", *what.split(), "--format", fmt,
                                "--site", site, cwd=folder)
                    assert run.returncode == 0, run.stderr
                    shown += [run.stdout, run.stderr]
            assert any("cp-4/0/0" in text for text in shown)
            assert not leaks(*shown)
        finally:
            engine.send_signal(signal.SIGTERM)
            try:
                engine.wait(60)
            except subprocess.TimeoutExpired:
                engine.kill()
                engine.wait(10)
        assert not leaks(log.read_text(), written(folder / "spool"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
