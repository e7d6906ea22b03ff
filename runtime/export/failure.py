"""How an FTP upload ends badly: the failures the transport raises, and reply text.

`FtpFailure` carries the FTP reply code that ended an attempt (0 when the server never
answered) and one line of text for the log and the transfer log; `FtpDeadline` and
`FtpAborted` are its two special cases. A failure whose `unsettled` names a final name
came after RNTO was sent: the server may have renamed (its reply was lost), so the next
attempt first checks that name (`flowc.runtime.export.proof.holds`) before sending again.
`reply_text` turns a (multiline) reply into one line of text.
"""
from __future__ import annotations


class FtpFailure(Exception):
    """An upload that did not end with the file under its final name on the server.

    `code` is the FTP reply code that ended it (0 when the server never answered:
    connection refused, timeout, disconnect); `text` is what to log as the error.
    """

    unsettled = ""  # a final name the server may hold the file under (reply to RNTO lost)
    directory = ""  # the directory of `unsettled`

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}" if code else text)
        self.code = code
        self.text = text

    def carrying(self, other: FtpFailure) -> FtpFailure:
        """This failure, with `other`'s unsettled rename (when it had one)."""
        self.unsettled, self.directory = other.unsettled, other.directory
        return self


class FtpDeadline(FtpFailure):
    """The whole-transfer deadline passed (a server that stalls or trickles)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(0, f"transfer deadline of {seconds:.0f}s exceeded (server too slow or stalled)")


class FtpAborted(FtpFailure):
    """The caller asked the upload to stop (destination change, shutdown)."""

    def __init__(self, text: str = "upload aborted") -> None:
        super().__init__(0, text)


def reply_code(reply: str) -> int:
    """The three-digit code a reply starts with (0 when it does not)."""
    head = reply[:3]
    return int(head) if head.isdigit() else 0


def reply_text(reply: str) -> str:
    """The text of a reply without its codes, the lines of a multiline reply (`530-…`,
    continuation lines, `530 …`) joined with a space: one line for logs and the translog."""
    lines = []
    for line in reply.splitlines():
        if reply_code(line) and line[3:4] in ("-", " ", ""):
            line = line[4:]
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines)


def reply_failure(exc: BaseException) -> FtpFailure:
    """An ftplib error (its text is the server's reply) as an `FtpFailure`."""
    text = str(exc)
    return FtpFailure(reply_code(text), reply_text(text) if reply_code(text) else text)
