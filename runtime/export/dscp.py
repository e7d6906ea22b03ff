"""DSCP-marked sockets for the FTP transport: control and data connections carry the
export channel's class of service from their SYN on (IP_TOS, IPV6_TCLASS).

`MarkedFTP` is `ftplib.FTP` in passive mode on such sockets, with the interop habits of
the data connection: a 227 address is ignored (the data connection goes to the control
connection's peer) and a refused PASV falls back to EPSV. A `Watchdog` (whole-transfer
deadline, abort flag) watches every socket it opens.
"""
from __future__ import annotations

import ftplib
import socket

from flowc.runtime.export.deadline import Watchdog


def tos_options(family: int, dscp: int) -> tuple[int, int, int] | None:
    """(level, option, value) that puts `dscp` on a socket of `family`, or None for 0."""
    if not dscp:
        return None
    if family == socket.AF_INET6:
        return socket.IPPROTO_IPV6, socket.IPV6_TCLASS, dscp << 2
    return socket.IPPROTO_IP, socket.IP_TOS, dscp << 2


def mark(sock: socket.socket, dscp: int) -> None:
    option = tos_options(sock.family, dscp)
    if option is not None:
        sock.setsockopt(*option)


def open_marked(host: str, port: int, timeout: float | None, dscp: int) -> socket.socket:
    """A TCP connection whose every packet, the SYN included, carries `dscp`."""
    last: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            mark(sock, dscp)
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last or OSError(f"cannot resolve {host}")


class MarkedFTP(ftplib.FTP):
    """ftplib.FTP in passive mode whose control and data sockets carry a DSCP."""

    dscp = 0
    epsv_only = False  # set once a server refused PASV: EPSV from then on in this session
    watchdog: Watchdog | None = None

    def connect(self, host: str = "", port: int = 0, timeout: float = -999,
                source_address: tuple[str, int] | None = None) -> str:
        self.host, self.port = host or self.host, port or self.port
        if timeout != -999:
            self.timeout = timeout
        self.sock = open_marked(self.host, self.port, self.timeout, self.dscp)
        if self.watchdog is not None:
            self.watchdog.watch(self.sock)
        self.af = self.sock.family
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def makepasv(self) -> tuple[str, int]:
        """PASV (its 227 address ignored: the data connection goes to the control
        connection's peer, as ftplib does, so a NATed or misconfigured `pasv_address`
        still works), falling back to EPSV when the server refuses PASV (5xx)."""
        if self.af == socket.AF_INET and not self.epsv_only:
            try:
                return super().makepasv()
            except ftplib.error_perm:
                self.epsv_only = True
        assert self.sock is not None  # connected before any transfer
        return ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())

    def ntransfercmd(self, cmd: str, rest: int | str | None = None) -> tuple[socket.socket, int | None]:
        host, port = self.makepasv()
        conn = open_marked(host, port, self.timeout, self.dscp)
        if self.watchdog is not None:
            self.watchdog.watch(conn)
        try:
            if rest is not None:
                self.sendcmd(f"REST {rest}")
            reply = self.sendcmd(cmd)
            if reply[0] == "2":
                reply = self.getresp()
            if reply[0] != "1":
                raise ftplib.error_reply(reply)
        except BaseException:
            conn.close()
            raise
        return conn, None
