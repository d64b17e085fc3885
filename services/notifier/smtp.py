"""A small pool of persistent SMTP connections, shared by the sender's workers.

Opening a connection per mail would cost a TCP + EHLO (+ TLS) handshake each time; a release
announcement to thousands of users reuses a few connections instead.

Two clients behind one interface (`smtp_pool` picks): for a plain connection (no TLS, no AUTH,
the in-cluster relay) the minimal client of services/notifier/lean_smtp.py, about half the CPU
per mail; with STARTTLS, implicit TLS or AUTH, aiosmtplib. `NOTIFIER_SMTP_CLIENT=aiosmtplib`
forces the latter (an A/B switch for bench/fanout.py).

Both answer alike: a 5xx refusal raises `PermanentFailure`; a 4xx answer, a lost connection or
a timeout raises something else (the mail is retried later); an unreachable server raises an
OSError (the sender's circuit breaker). A kept-open connection the server closed while idle
gets one fresh try.

With aiosmtplib, it opens, greets, secures and authenticates the connections; the mail transaction itself
(MAIL, RCPT, DATA) is sent with its protocol-level commands. Its generic `sendmail` re-parses both
addresses with `email.utils` and handles option lists and several recipients on every call, which
cost about as much CPU again as the transaction's own socket I/O (~0.45 ms per mail of ~1 ms).
"""

import asyncio
import contextlib
from typing import Protocol

import aiosmtplib

from services.notifier.composition import OutgoingMail
from services.notifier.config import Settings
from services.notifier.lean_smtp import LeanSmtpConnection, Refused


class PermanentFailure(Exception):
    """The server refused the mail for good (5xx): retrying the same mail will not help."""


class TemporaryRefusal(Exception):
    """The server answered 4xx (or out of step): the mail is retried later."""


class MailPool(Protocol):
    async def send(self, mail: OutgoingMail) -> None: ...
    async def close(self) -> None: ...


def smtp_pool(settings: Settings, size: int) -> MailPool:
    plain = settings.smtp_tls == "none" and not settings.smtp_user
    if plain and settings.smtp_client == "lean":
        return LeanSmtpPool(settings, size)
    return SmtpPool(settings, size)


class _Slot:
    """One of the lean pool's connections: open, or to be opened by the next mail."""

    connection: LeanSmtpConnection | None = None


class LeanSmtpPool:
    def __init__(self, settings: Settings, size: int) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[_Slot] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(_Slot())

    async def send(self, mail: OutgoingMail) -> None:
        slot = await self._idle.get()
        try:
            await self._send_on(slot, mail)
        finally:
            self._idle.put_nowait(slot)

    async def _send_on(self, slot: _Slot, mail: OutgoingMail) -> None:
        connection = slot.connection
        reused = connection is not None and connection.is_open
        if connection is None or not connection.is_open:
            slot.connection = None
            connection = slot.connection = await LeanSmtpConnection.open(
                self.settings.smtp_host, self.settings.smtp_port, self.settings.smtp_timeout_seconds
            )
        try:
            await connection.send(mail.sender, mail.recipient, mail.data)
        except Refused as refusal:
            if refusal.closes_connection:
                self._drop(slot)
            else:
                await self._reset(slot)
            if refusal.permanent:
                raise PermanentFailure(str(refusal)) from refusal
            raise TemporaryRefusal(str(refusal)) from refusal
        except ValueError as error:  # an address that cannot be written as SMTP asks for
            await self._reset(slot)
            raise PermanentFailure(str(error)) from error
        except ConnectionError:
            self._drop(slot)
            if not reused or connection.body_sent:
                raise  # a resend after the body went out would risk a duplicate now
            # A kept-open connection the server closed while idle: one fresh try.
            await self._send_on(slot, mail)
        except BaseException:
            self._drop(slot)  # timeouts, cancellation and the unexpected: start clean next time
            raise

    async def _reset(self, slot: _Slot) -> None:
        if slot.connection is None:
            return
        try:
            await slot.connection.reset()
        except Exception:
            self._drop(slot)

    def _drop(self, slot: _Slot) -> None:
        if slot.connection is not None:
            slot.connection.abort()
            slot.connection = None

    async def close(self) -> None:
        """Quit idle connections (the sender calls this when the queue is empty)."""
        slots = []
        while not self._idle.empty():
            slots.append(self._idle.get_nowait())
        for slot in slots:
            if slot.connection is not None:
                with contextlib.suppress(Exception):  # it is being closed anyway
                    await slot.connection.quit()
                slot.connection = None
            self._idle.put_nowait(slot)


def _connection(settings: Settings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        username=settings.smtp_user,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout_seconds,
    )


class SmtpPool:
    def __init__(self, settings: Settings, size: int) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(_connection(settings))

    async def send(self, mail: OutgoingMail) -> None:
        client = await self._idle.get()
        try:
            await self._send_on(client, mail)
        finally:
            self._idle.put_nowait(client)

    async def _send_on(self, client: aiosmtplib.SMTP, mail: OutgoingMail) -> None:
        reused = client.is_connected
        try:
            if not reused:
                await client.connect()
            await self._deliver(client, mail)
        except PermanentFailure:
            raise
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError) as error:
            await self._drop(client)
            if not reused or isinstance(error, aiosmtplib.SMTPConnectError):
                raise
            # A kept-open connection the server closed while idle: one fresh try.
            try:
                await client.connect()
                await self._deliver(client, mail)
            except PermanentFailure:
                raise
            except Exception:
                await self._drop(client)
                raise
        except aiosmtplib.SMTPResponseException:
            raise  # a 4xx answer: the connection is fine (RSET done), the mail is retried later
        except Exception:
            await self._drop(client)  # timeouts and the unexpected: start clean next time
            raise

    async def _deliver(self, client: aiosmtplib.SMTP, mail: OutgoingMail) -> None:
        try:
            await _transaction(client, mail)
        except aiosmtplib.SMTPRecipientsRefused as error:
            await self._reset(client)
            raise PermanentFailure(str(error)) from error
        except aiosmtplib.SMTPResponseException as error:
            await self._reset(client)
            if error.code >= 500:
                raise PermanentFailure(f"{error.code} {error.message}") from error
            raise

    async def _reset(self, client: aiosmtplib.SMTP) -> None:
        """After a refused mail, RSET so the connection can carry the next one."""
        try:
            await client.rset()
        except Exception:
            await self._drop(client)

    async def _drop(self, client: aiosmtplib.SMTP) -> None:
        if client.is_connected:
            with contextlib.suppress(Exception):  # a broken connection is being thrown away anyway
                client.close()

    async def close(self) -> None:
        """Quit idle connections (the sender calls this when the queue is empty)."""
        clients = []
        while not self._idle.empty():
            clients.append(self._idle.get_nowait())
        for client in clients:
            if client.is_connected:
                try:
                    await asyncio.wait_for(client.quit(), timeout=2)
                except Exception:
                    await self._drop(client)
            self._idle.put_nowait(client)


_ACCEPTED_RECIPIENT = (250, 251)


async def _transaction(client: aiosmtplib.SMTP, mail: OutgoingMail) -> None:
    """One mail to one recipient; raises what `sendmail` would (refusals as SMTP exceptions)."""
    if client.protocol is None or not (mail.sender.isascii() and mail.recipient.isascii()):
        # Not connected (sendmail raises the right error) or an address needing SMTPUTF8.
        await client.sendmail(mail.sender, [mail.recipient], mail.data)
        return
    if client.is_ehlo_or_helo_needed:
        try:
            await client.ehlo()
        except aiosmtplib.SMTPHeloError:
            await client.helo()  # a server without ESMTP
    # `execute_command` refuses CR/LF in the arguments (no command injection through an address).
    response = await client.execute_command(b"MAIL", b"FROM:<%s>" % mail.sender.encode())
    if response.code != 250:
        raise aiosmtplib.SMTPSenderRefused(response.code, response.message, mail.sender)
    response = await client.execute_command(b"RCPT", b"TO:<%s>" % mail.recipient.encode())
    if response.code not in _ACCEPTED_RECIPIENT:
        refused = aiosmtplib.SMTPRecipientRefused(response.code, response.message, mail.recipient)
        raise aiosmtplib.SMTPRecipientsRefused([refused])
    protocol = client.protocol
    if protocol is None:  # the server closed after RCPT (e.g. 421)
        raise aiosmtplib.SMTPServerDisconnected("Server not connected")
    try:
        await protocol.execute_data_command(mail.data, timeout=client.timeout)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
        client.close()  # as aiosmtplib does: the protocol cannot be trusted in step any more
        raise
