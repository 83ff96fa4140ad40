"""Handing one email to the mail server exactly once, with the database as the record.

A job that mails many people can die anywhere (a `kill -9`, a recycled worker, a lost host)
and run again. A record written before the send loses the email if the worker dies between
the two; one written after sends it twice. SMTP lets us shrink that gap to almost nothing: a
message is the server's only once it has read the line with the lone dot that ends DATA, and a
connection that drops before that line leaves nothing behind. So `deliver` sends the whole
message but that line, commits the record (the commit also finds another run's record), and
only then sends the dot:

- dies before the commit: no record, and the server throws the half message away; the job's
  next run sends it again, once;
- dies after the dot: both stand;
- dies in between: that reader misses the email, the one case no order of the two steps
  avoids (the other order sends it twice). The gap is a return and a `send()` wide. Nothing
  in it wakes another process, so the worker is not made to wait for the CPU there; and
  `quick_commits` keeps the commit's own tail short (no disk flush, no WAL checkpoint on
  SQLite);
- the server refuses the message at the dot: the record is taken back (`release`), and the
  job retries it later.

(Sending the dot first and committing after was tried: the dot wakes the mail server, the
worker can then wait its turn before the commit, and CI's crash test caught a duplicate.)

Backends that are not SMTP (the console in development, the tests' in-memory outbox) have
no such line: for them the record is committed, then the message sent.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import IntegrityError, transaction
from django.db import connection as database

CRLF = b"\r\n"


class AlreadySent(Exception):
    """The record says another run has sent this message: nothing was handed over."""


@dataclass(frozen=True)
class Refused(Exception):
    """The mail server refused the message (a recipient, or the whole message)."""

    code: int
    reply: str
    # Which command it answered: "mail", "rcpt", "data" or "end" (the dot ending DATA).
    stage: str = ""

    def __str__(self) -> str:
        return f"{self.code} {self.reply}"

    @property
    def permanent(self) -> bool:
        """Whether the server will say the same about this address next time: a refused
        mailbox (550-553 to RCPT). Anything else, a 4xx, or a 5xx about the session (503,
        bad sequence) or the sender, may pass once the server or our setup is fixed."""
        return self.stage == "rcpt" and 550 <= self.code <= 553


def deliver(
    message: EmailMessage, *, connection, claim: Callable[[], bool], release: Callable[[], None]
) -> None:
    """Hand `message` to the mail server over `connection`, once.

    `claim()` writes the record that this message is sent, inside the transaction `deliver`
    opens and commits, or returns False (or raises IntegrityError) if one exists already:
    another run sent it, so nothing is delivered and AlreadySent is raised. `release()` takes the
    record back when the server did not take the message after all. Raises Refused when the
    server says no, and the connection's own errors (timeouts, a dropped connection) as they
    come; either way no record is left.

    Call it outside any transaction: the commit is what hands the record over.
    """
    if not isinstance(connection, SMTPBackend):
        with transaction.atomic(durable=True):
            claimed = _claimed(claim)
        if not claimed:
            raise AlreadySent
        try:
            connection.send_messages([message])
        except BaseException:
            release()
            raise
        return
    if connection.connection is None:
        connection.open()
    smtp: smtplib.SMTP = connection.connection
    # The dot goes out alone, after the body the server never answers: with Nagle's algorithm
    # it would wait for the body's delayed ACK, 40 ms an email.
    with contextlib.suppress(OSError, AttributeError):
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body = _dot_stuffed(message.message().as_bytes(linesep="\r\n"))
    smtp.ehlo_or_helo_if_needed()
    _check(*smtp.mail(message.from_email), stage="mail")
    for recipient in message.recipients():
        _check(*smtp.rcpt(recipient), stage="rcpt")
    smtp.putcmd("data")
    _check(*smtp.getreply(), expected=354, stage="data")
    smtp.send(body)
    # Everything but the end of DATA is on the wire. Now the record, committed, then the last
    # line. Nothing between the two wakes another process (a dot sent first would wake the
    # server, and the worker could wait its turn for the CPU before its commit), so the window
    # a kill could fall into is a return and a send() wide.
    try:
        with transaction.atomic(durable=True):
            if not _claimed(claim):
                raise AlreadySent
    except AlreadySent:
        # Another run sent it meanwhile: drop the half message.
        _abandon(connection)
        raise
    try:
        smtp.send(b"." + CRLF)
        code, reply = smtp.getreply()
    except BaseException:
        # The connection broke at the very end. The server may have taken the message, but
        # it usually has not: sending again risks a duplicate, not sending risks a loss, and a
        # reader who misses a story is worse off than one who gets it twice.
        release()
        raise
    if code != 250:
        release()
        raise Refused(code, reply.decode(errors="replace"), "end")


def _claimed(claim: Callable[[], bool]) -> bool:
    try:
        return claim()
    except IntegrityError:
        # The transaction is spoilt; the caller leaves it at once (AlreadySent rolls it back).
        return False


def send_once(key: str, message: EmailMessage) -> bool:
    """Send `message` unless a send under `key` was already recorded; True if it was sent.

    For the emails one event causes (a receipt, a reply): the record is a `core.SentMark`
    keyed by the event, handed over with the message like the fan-out's (`deliver`), so a job
    that runs twice, a retry or a second worker, sends it once.
    """
    from core.models import SentMark

    def claim() -> bool:
        SentMark.objects.create(key=key)  # IntegrityError: sent already
        return True

    def release() -> None:
        SentMark.objects.filter(key=key).delete()

    with get_connection() as connection:
        try:
            deliver(message, connection=connection, claim=claim, release=release)
        except AlreadySent:
            return False
    return True


@contextlib.contextmanager
def quick_commits() -> Iterator[None]:
    """Commits that return as soon as the record is safe from a killed worker, for `deliver`.

    `deliver` commits a record just before each message's last line: whatever the commit does
    after the record is written widens the window in which a killed worker loses that email.
    On PostgreSQL the commit stops waiting for the disk (synchronous_commit off): the records
    stay atomic, and only a crash of the database server itself could lose its last fraction
    of a second of them, which would then be sent again. On SQLite (WAL, synchronous=NORMAL:
    no flush) the commit no longer runs the WAL checkpoint, which flushes the database file,
    every thousand pages; the checkpoint runs once at the end instead.
    """
    if database.vendor == "postgresql":
        with database.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
        try:
            yield
        finally:
            with database.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        return
    if database.vendor == "sqlite" and not database.in_atomic_block:
        # (Inside a transaction, as in a test, the checkpoint could not run anyway.)
        with database.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            (pages,) = cursor.fetchone()
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            with database.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return
    yield


def refusal(error: BaseException) -> Refused | None:
    """The mail server's refusal inside `error`, from this module or from smtplib; None for
    anything else (a timeout, a dropped connection)."""
    if isinstance(error, Refused):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, reply = next(iter(error.recipients.values()))
        return Refused(code, _text(reply), "rcpt")
    if isinstance(error, smtplib.SMTPResponseException):
        return Refused(error.smtp_code, _text(error.smtp_error))
    return None


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _check(code: int, reply: bytes, *, stage: str, expected: int | None = None) -> None:
    if (expected is None and not 200 <= code < 300) or (expected is not None and code != expected):
        raise Refused(code, reply.decode(errors="replace"), stage)


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it, without the final dot line: CRLF line ends, a dot at
    the start of a line doubled, and a CRLF at the end."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", CRLF, data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(CRLF):
        data += CRLF
    return data


def _abandon(connection) -> None:
    """Close the connection without ending DATA, so the server discards the message."""
    # shutdown, not close: smtplib's reader holds the socket open past a close().
    with contextlib.suppress(Exception):
        connection.connection.sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        connection.connection.close()
    connection.connection = None


def reset(connection) -> None:
    """After a failed message, a connection fit for the next one: the server may have dropped
    it, or be left inside a transaction."""
    if isinstance(connection, SMTPBackend) and connection.connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.connection.rset()
            return
    with contextlib.suppress(Exception):
        connection.close()
    # The next send opens it again, or fails on its own.
    with contextlib.suppress(Exception):
        connection.open()
