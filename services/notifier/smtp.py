"""A small pool of persistent SMTP connections (aiosmtplib), shared by the sender's workers.

Opening a connection per mail would cost a TCP + EHLO (+ TLS) handshake each time; a release
announcement to thousands of users reuses a few connections instead.

aiosmtplib opens, greets, secures and authenticates the connections; the mail transaction itself
(MAIL, RCPT, DATA) is sent with its protocol-level commands. Its generic `sendmail` re-parses both
addresses with `email.utils` and handles option lists and several recipients on every call, which
cost about as much CPU again as the transaction's own socket I/O (~0.45 ms per mail of ~1 ms).
"""

import asyncio
import contextlib

import aiosmtplib

from services.notifier.composition import OutgoingMail
from services.notifier.config import Settings


class PermanentFailure(Exception):
    """The server refused the mail for good (5xx): retrying the same mail will not help."""


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
