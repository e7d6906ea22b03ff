"""Rules on where files and transfer logs go: URLs, passwords, destinations, analyzer."""
from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from flowc.compiler.diagnostics import Severity
from flowc.compiler.ir.model import FlowCollectorConfig, FtpSite
from flowc.compiler.rules.rule import Finding, at, rule
from flowc.runtime.plan.secret import MAGIC, SecretError, decode, mask_url_passwords, url_password


def _sites(config: FlowCollectorConfig) -> Iterator[tuple[str, FtpSite]]:
    fc = config.collector
    if fc is None:
        return
    for site in fc.destinations:
        yield "destination", site
    if fc.transfer_log_archive is not None:
        for site in fc.transfer_log_archive.sites:
            yield "archive site", site


def url_problem(url: str) -> str:
    """Why an FTP URL is malformed, or '' (macros such as %m or {date} are allowed)."""
    if any(c.isspace() for c in url):
        return "it contains white space"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return str(exc)
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "port 0"
    return ""


@rule("FC260", "url.not-ftp", Severity.ERROR)
def not_ftp(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A destination or archive site URL is not an ftp:// URL.

    Bad:
        destinations { "sftp://user@192.0.2.1/flows/" { password "$9$…"; } }
    Good:
        destinations { "ftp://user@192.0.2.1/flows/" { password "$9$…"; } }
    """
    for role, site in _sites(config):
        scheme = site.url.partition("://")[0].lower() if "://" in site.url else ""
        if scheme != "ftp":
            yield Finding(site.span, f"{role} {site.url} is not an ftp:// URL",
                          "the flow collector uploads by FTP only: ftp://[user@]host[:port]/path/")


@rule("FC261", "url.malformed", Severity.ERROR)
def malformed(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A destination or archive site URL is malformed (no host, bad port, white space).

    Bad:
        destinations { "ftp:///flows/" { password "$9$…"; } }
    Good:
        destinations { "ftp://user@192.0.2.1:21/flows/" { password "$9$…"; } }
    """
    for role, site in _sites(config):
        if site.url.lower().startswith("ftp://"):
            problem = url_problem(site.url)
            if problem:
                yield Finding(site.span, f"{role} {site.url} is malformed: {problem}",
                              "write ftp://[user@]host[:port]/path/")


@rule("FC262", "password.missing", Severity.ERROR)
def password_missing(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A destination or archive site has no password.

    Bad:
        destinations { "ftp://user@192.0.2.1/flows/"; }
    Good:
        destinations { "ftp://user@192.0.2.1/flows/" { password "$9$…"; } }
    """
    for role, site in _sites(config):
        if site.password is None and url_password(site.url) is None:  # in the URL: FC267
            yield Finding(site.span, f"{role} {site.url} has no password", 'add password "…"; (stored as $9$)')


@rule("FC263", "password.plaintext", Severity.WARNING)
def password_plaintext(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A password is written in clear text instead of the Junos `$9$` form.

    Bad:
        password "secret";
    Good:
        password "$9$ReqcyKY2aHqf"; ## SECRET-DATA
    """
    for role, site in _sites(config):
        if site.password is not None and not site.password.startswith(MAGIC):
            yield Finding(at(site.password_span, site.span), f"password of {role} {site.url} is in plain text",
                          "keep passwords in Junos $9$ form (as `show configuration` prints them)")


@rule("FC264", "password.undecodable", Severity.ERROR)
def password_undecodable(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A `$9$` password cannot be decoded (letters missing or not of the `$9$` alphabet).

    Bad:
        password "$9$ReqcyKY2aHq";
    Good:
        password "$9$ReqcyKY2aHqf";
    """
    for role, site in _sites(config):
        if site.password is not None and site.password.startswith(MAGIC):
            try:
                decode(site.password)
            except SecretError as exc:
                yield Finding(at(site.password_span, site.span), f"password of {role} {site.url}: {exc}",
                              "copy the $9$ string again from the router")


@rule("FC267", "url.password", Severity.ERROR)
def password_in_url(config: FlowCollectorConfig) -> Iterator[Finding]:
    """A destination or archive site URL holds a password (`ftp://user:password@host/`).

    The URL is shown by `show`, in transfer logs and in rendered setups; the `password`
    statement is the one place Junos keeps hidden (`$9$`).
    Bad:
        destinations { "ftp://user:s3cret@192.0.2.1/flows/"; }
    Good:
        destinations { "ftp://user@192.0.2.1/flows/" { password "$9$…"; } }
    """
    for role, site in _sites(config):
        if url_password(site.url) is not None:
            hint = ('remove the password from the URL: its `password` statement already holds one'
                    if site.password is not None else
                    'put the password in `password "…";` (stored as $9$) and remove it from the URL')
            yield Finding(site.span, f"{role} {mask_url_passwords(site.url)} has a password in its URL", hint)


@rule("FC265", "destinations.missing", Severity.ERROR)
def destinations_missing(config: FlowCollectorConfig) -> Iterator[Finding]:
    """services flow-collector has no destinations, so files cannot be exported.

    Bad:
        flow-collector { interface-map {…} file-specification {…} }
    Good:
        flow-collector { destinations { "ftp://user@192.0.2.1/flows/" { password "$9$…"; } } … }
    """
    fc = config.collector
    if fc is not None and not fc.destinations:
        yield Finding(fc.span, "services flow-collector has no destinations",
                      'add destinations { "ftp://user@host/path/" { password "…"; } } (one or two)')


@rule("FC266", "analyzer.address-missing", Severity.WARNING)
def analyzer_address_missing(config: FlowCollectorConfig) -> Iterator[Finding]:
    """analyzer-address is not set: every flow record then carries an empty field.

    Bad:
        flow-collector { analyzer-id server1; … }
    Good:
        flow-collector { analyzer-address 10.10.10.1; analyzer-id server1; … }
    """
    fc = config.collector
    if fc is not None and fc.analyzer_address is None:
        yield Finding(fc.span, "analyzer-address is not set: output records carry an empty analyzer-address field",
                      "add analyzer-address A.B.C.D;")


RULES = (not_ftp, malformed, password_missing, password_plaintext, password_undecodable,
         password_in_url, destinations_missing, analyzer_address_missing)
