"""The FTP servers a plan expects, as embedded test servers (`flowc testbed ftp`, tests).

Input: a plan with its site applied. Output: one `FtpSite` per address the plan connects
to (`hosts:` of the site), with every user, password (revealed from `$9$`) and folder its
destinations and archive sites name, ready for `EmbeddedFtpServer`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flowc.runtime.plan.model import Endpoint, FtpTarget, Plan
from flowc.runtime.plan.secret import reveal
from flowc.runtime.testbed.ftpserver import EmbeddedFtpServer, FtpAccount

LOOPBACK_PREFIXES = ("127.", "::1", "localhost")


@dataclass(frozen=True, slots=True)
class FtpSite:
    """One server to stand up: where the plan connects, and who logs in there."""

    endpoint: Endpoint
    accounts: tuple[FtpAccount, ...]

    @property
    def loopback(self) -> bool:
        return self.endpoint.host.startswith(LOOPBACK_PREFIXES)

    def folder(self, root: Path) -> Path:
        """Where this server keeps its users' homes below `root`."""
        return root / f"{self.endpoint.host}_{self.endpoint.port}"


def ftp_sites(plan: Plan) -> tuple[FtpSite, ...]:
    """Every FTP server of the plan, by the address it is reached at, in plan order."""
    targets: list[FtpTarget] = [d.target for c in plan.collectors for d in c.destinations]
    targets += list(plan.transfer_log.archive_sites)
    grouped: dict[Endpoint, list[FtpAccount]] = {}
    for target in targets:
        directory = target.path if "%" not in target.path else "/"
        account = FtpAccount(target.username, reveal(target.password) if target.password else "", (directory,))
        if account not in grouped.setdefault(target.connect, []):
            grouped[target.connect].append(account)
    return tuple(FtpSite(endpoint, tuple(accounts)) for endpoint, accounts in grouped.items())


def start_servers(sites: tuple[FtpSite, ...], root: Path) -> list[EmbeddedFtpServer]:
    """An embedded server per site on its own address and port, started; the caller stops them."""
    servers: list[EmbeddedFtpServer] = []
    try:
        for site in sites:
            folder = site.folder(root)
            servers.append(EmbeddedFtpServer(folder, list(site.accounts), site.endpoint.host,
                                             site.endpoint.port).start())
    except OSError:
        for server in servers:
            server.stop()
        raise
    return servers
