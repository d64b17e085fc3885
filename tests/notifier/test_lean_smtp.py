"""The minimal SMTP client and its pool against real SMTP servers: Mailpit for what arrives,
aiosmtpd (scripted refusals and hang-ups) for the answers Mailpit never gives."""

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvloop
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.notifier.composition import OutgoingMail
from services.notifier.config import Settings
from services.notifier.lean_smtp import LeanSmtpConnection, Reply, SmtpConnectError, _ReplyReader, dot_stuffed
from services.notifier.smtp import LeanSmtpPool, PermanentFailure, SmtpPool, TemporaryRefusal, smtp_pool
from tests.kit import Mailpit, unique_email

SENDER = "notifier@example.com"


def mail(recipient: str, body: str = "Hello.\n") -> OutgoingMail:
    data = f"From: {SENDER}\nTo: {recipient}\nSubject: lean smtp\nMessage-ID: <x@example.com>\n\n{body}"
    return OutgoingMail(sender=SENDER, recipient=recipient, data=data.encode(), message_id="<x@example.com>")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ScriptedServer:
    """Refuses by the recipient's local part: busy… 451, nobody… 550; hangup… hangs up after
    the body without answering. Keeps what it accepted and the server-side connections."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, bytes]] = []
        self.hung_up: list[str] = []
        self.servers: list[SMTP] = []
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            if server not in self.servers:
                self.servers.append(server)
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
        if address.startswith("nobody"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        recipient = envelope.rcpt_tos[0]
        if recipient.startswith("hangup"):
            self.hung_up.append(recipient)
            assert server.transport is not None
            server.transport.abort()
            return "250 OK"  # never reaches the client
        content = envelope.original_content or b""
        self.accepted.append((recipient, content))
        return "250 OK"

    def close_connections(self) -> None:
        """Hang up every open connection, as a server does with idle ones."""
        for server in self.servers:
            if server.transport is not None:
                server.loop.call_soon_threadsafe(server.transport.close)
        self.servers.clear()


@pytest.fixture
def scripted() -> Iterator[tuple[ScriptedServer, int]]:
    handler = ScriptedServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    yield handler, port
    controller.stop()


def settings_for(port: int, **overrides: Any) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_seconds=5, **overrides)


def test_dot_stuffing_and_line_ends() -> None:
    assert dot_stuffed(b".a\nb\n..c\r\nd") == b"..a\r\nb\r\n...c\r\nd\r\n.\r\n"
    # Dots inside lines stay as they are; only a line's first dot is doubled.
    assert dot_stuffed(b"a.b\nc.\n.d.e\n") == b"a.b\r\nc.\r\n..d.e\r\n.\r\n"
    assert dot_stuffed(b"no dots\r\nat all") == b"no dots\r\nat all\r\n.\r\n"
    assert dot_stuffed(b"x.\r\n.") == b"x.\r\n..\r\n.\r\n"


@pytest.mark.parametrize(
    "reads",
    [
        [b"250 2.1.0 Ok\r\n", b"354 go ahead\r\n", b"250-one\r\n250 two\r\n"],
        [b"25", b"0 2.1.0 Ok\r", b"\n354 go ahead\r\n250-one\r\n", b"250 two\r\n"],
        [b"250 2.1.0 Ok\r\n354 go ahead\r\n", b"250-one\r\n250 two\n"],
    ],
)
def test_replies_are_the_same_however_the_reads_cut_them(reads: list[bytes]) -> None:
    reader = _ReplyReader()
    for data in reads:
        reader.data_received(data)
    assert list(reader._ready) == [Reply(250, "2.1.0 Ok"), Reply(354, "go ahead"), Reply(250, "one\ntwo")]
    reader.data_received(b"nonsense\r\n")  # not SMTP: code 0, which drops the connection
    assert reader._ready[-1] == Reply(0, "ense")


def test_the_lean_client_is_used_only_for_plain_connections() -> None:
    assert isinstance(smtp_pool(settings_for(25), 1), LeanSmtpPool)
    assert isinstance(smtp_pool(settings_for(25, smtp_tls="starttls"), 1), SmtpPool)
    assert isinstance(smtp_pool(settings_for(25, smtp_user="u", smtp_password="p"), 1), SmtpPool)
    assert isinstance(smtp_pool(settings_for(25, smtp_client="aiosmtplib"), 1), SmtpPool)


async def test_mail_arrives_in_mailpit_byte_for_byte(stack: dict[str, Any], mailpit: Mailpit) -> None:
    pool = LeanSmtpPool(settings_for(int(stack["mailpit"]["smtp_port"])), 2)
    body = ".a line with a leading dot\n..two dots\nlast line\n"
    recipients = [unique_email("lean") for _ in range(5)]
    try:
        await asyncio.gather(*(pool.send(mail(r, body)) for r in recipients))
    finally:
        await pool.close()
    for recipient in recipients:
        found = await mailpit.wait_for(recipient)
        assert len(found) == 1
        raw = await mailpit.client.get(f"/api/v1/message/{found[0]['ID']}/raw")
        assert raw.text.replace("\r\n", "\n").endswith("\n\n" + body)


async def test_refusals_keep_the_connection_usable(scripted: tuple[ScriptedServer, int]) -> None:
    server, port = scripted
    pool = LeanSmtpPool(settings_for(port), 1)
    with pytest.raises(TemporaryRefusal, match="451"):
        await pool.send(mail("busy@example.com"))
    with pytest.raises(PermanentFailure, match="550"):
        await pool.send(mail("nobody@example.com"))
    await pool.send(mail("ann@example.com", ".dot\n"))
    assert len(server.servers) == 1  # one connection carried all three (RSET after each refusal)
    assert server.accepted[0][0] == "ann@example.com"
    assert server.accepted[0][1].replace(b"\r\n", b"\n").endswith(b"\n\n.dot\n")
    await pool.close()


async def test_a_connection_closed_while_idle_gets_one_fresh_try(
    scripted: tuple[ScriptedServer, int],
) -> None:
    server, port = scripted
    pool = LeanSmtpPool(settings_for(port), 1)
    await pool.send(mail("first@example.com"))
    server.close_connections()
    # Whether the close has reached the client yet (a fresh connection) or arrives while it
    # sends (the one fresh try), the mail goes out once.
    await pool.send(mail("second@example.com"))
    assert [r for r, _ in server.accepted] == ["first@example.com", "second@example.com"]
    await pool.close()


async def test_a_hang_up_after_the_body_is_not_resent(scripted: tuple[ScriptedServer, int]) -> None:
    server, port = scripted
    pool = LeanSmtpPool(settings_for(port), 1)
    await pool.send(mail("warm@example.com"))  # a reused connection would otherwise be retried
    with pytest.raises(ConnectionError):
        await pool.send(mail("hangup@example.com"))
    assert server.hung_up == ["hangup@example.com"]  # sent once: the sender retries it later
    await pool.send(mail("after@example.com"))  # a fresh connection
    assert [r for r, _ in server.accepted] == ["warm@example.com", "after@example.com"]
    await pool.close()


async def test_an_unreachable_server_is_an_os_error() -> None:
    pool = LeanSmtpPool(settings_for(free_port()), 1)
    with pytest.raises(OSError):
        await pool.send(mail("ann@example.com"))
    with pytest.raises(SmtpConnectError):
        await LeanSmtpConnection.open("127.0.0.1", free_port(), 5)


async def test_non_ascii_addresses_use_smtputf8(scripted: tuple[ScriptedServer, int]) -> None:
    server, port = scripted
    pool = LeanSmtpPool(settings_for(port), 1)
    await pool.send(mail("用户@example.com"))
    assert server.accepted[0][0] == "用户@example.com"
    with pytest.raises(PermanentFailure):
        await pool.send(mail("evil@example.com>\r\nRCPT TO:<x@example.com"))
    await pool.close()


def test_on_the_services_event_loop_uvloop(scripted: tuple[ScriptedServer, int]) -> None:
    server, port = scripted  # the service runs on uvloop, whose transports are its own classes

    async def send_two() -> None:
        pool = LeanSmtpPool(settings_for(port), 1)
        await pool.send(mail("uv1@example.com"))
        with pytest.raises(PermanentFailure):
            await pool.send(mail("nobody@example.com"))
        await pool.send(mail("uv2@example.com"))
        await pool.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(send_two())
    assert [r for r, _ in server.accepted] == ["uv1@example.com", "uv2@example.com"]
