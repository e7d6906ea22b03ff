"""Export rules (FC260..FC267): their YAML cases, the URL check, and the checks on
hand-built IR (destinations and archive sites alike)."""
from __future__ import annotations

import pytest

from flowc.compiler.ir.model import FlowCollector, FlowCollectorConfig, FtpSite, TransferLogArchive
from flowc.compiler.rules.export import (
    analyzer_address_missing,
    destinations_missing,
    malformed,
    not_ftp,
    password_in_url,
    password_missing,
    password_plaintext,
    password_undecodable,
    url_problem,
)
from flowc.compiler.source import Span
from flowc.runtime.plan.secret import encode

from .casetests import test_fails, test_passes  # noqa: F401 (collected here, with this module's cases)

RULE_CASES = ("export",)


SITE_AT = Span("t.conf", 4, 13, 4, 40)
PASSWORD_AT = Span("t.conf", 5, 26, 5, 40)
GOOD = encode("secret")


def sites(*destinations: FtpSite, archive: tuple[FtpSite, ...] = (), analyzer: str | None = "10.0.0.1"
          ) -> FlowCollectorConfig:
    tla = TransferLogArchive(sites=archive) if archive else None
    return FlowCollectorConfig(collector=FlowCollector(analyzer_address=analyzer, destinations=destinations,
                                                       transfer_log_archive=tla, span=Span("t.conf", 2, 5, 2, 19)))


def site(url: str, password: str | None = GOOD) -> FtpSite:
    return FtpSite(url, password, span=SITE_AT, password_span=PASSWORD_AT if password is not None else None)


def messages(rule, config: FlowCollectorConfig) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.message for f in rule.check(config)]


@pytest.mark.parametrize(("url", "problem"), [
    ("ftp://u@192.0.2.1/f/", ""),
    ("ftp://u@192.0.2.1:2121/f/%m/{date}/", ""),
    ("ftp:///f/", "it names no host"),
    ("ftp://u@192.0.2.1:0/f/", "port 0"),
    ("ftp://u@192.0.2.1/my flows/", "it contains white space"),
    ("ftp://u@192.0.2.1:99999/f/", "Port out of range 0-65535"),
    ("ftp://u@192.0.2.1:ab/f/", "Port could not be cast to integer value as 'ab'"),
])
def test_url_problem(url: str, problem: str) -> None:
    assert url_problem(url) == problem


def test_not_ftp_checks_destinations_then_archive_sites() -> None:
    config = sites(site("sftp://u@192.0.2.1/f/"), site("FTP://u@192.0.2.2/f/"),
                   archive=(site("192.0.2.3/f/"),))
    assert messages(not_ftp, config) == ["destination sftp://u@192.0.2.1/f/ is not an ftp:// URL",
                                         "archive site 192.0.2.3/f/ is not an ftp:// URL"]


def test_malformed_only_judges_ftp_urls() -> None:
    config = sites(site("sftp:///f/"), site("ftp:///f/"))
    assert messages(malformed, config) == ["destination ftp:///f/ is malformed: it names no host"]


def test_a_password_in_the_url_is_not_a_missing_password() -> None:
    config = sites(site("ftp://u@192.0.2.1/f/", None), site("ftp://u:pw@192.0.2.2/f/", None))
    assert messages(password_missing, config) == ["destination ftp://u@192.0.2.1/f/ has no password"]


def test_password_in_url_is_masked_and_hinted_by_whether_a_statement_exists() -> None:
    found = list(password_in_url.check(sites(site("ftp://u:s3cret@192.0.2.1/f/", None),
                                             site("ftp://u:s3cret@192.0.2.2/f/"))))
    assert all("s3cret" not in f.message for f in found)
    assert [f.hint.split(":")[0] for f in found] == [
        'put the password in `password "…";` (stored as $9$) and remove it from the URL',
        "remove the password from the URL"]


def test_plaintext_and_undecodable_point_at_the_password_word() -> None:
    config = sites(site("ftp://u@192.0.2.1/f/", "secret"), site("ftp://u@192.0.2.2/f/", GOOD[:-1]),
                   site("ftp://u@192.0.2.3/f/", GOOD))
    plain = list(password_plaintext.check(config))
    assert [(f.span, f.message) for f in plain] == [
        (PASSWORD_AT, "password of destination ftp://u@192.0.2.1/f/ is in plain text")]
    bad = list(password_undecodable.check(config))
    assert [f.span for f in bad] == [PASSWORD_AT]
    assert bad[0].message.startswith("password of destination ftp://u@192.0.2.2/f/: ")


def test_collector_level_rules_need_a_flow_collector() -> None:
    assert messages(destinations_missing, sites()) == ["services flow-collector has no destinations"]
    assert messages(analyzer_address_missing, sites(site("ftp://u@h/"), analyzer=None)) == [
        "analyzer-address is not set: output records carry an empty analyzer-address field"]
    for rule in (destinations_missing, analyzer_address_missing, not_ftp, password_missing):
        assert messages(rule, FlowCollectorConfig()) == []
