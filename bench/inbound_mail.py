"""Benchmark of the support mailbox (not a test): inbound mails/s processed into cases, beside
the raw SMTP receive rate of the same receiver.

    .venv/bin/python bench/inbound_mail.py --state .run [--mails 500] [--connections 4] [--customers 50]

1. Raw receive: the receiver's own SMTP protocol (`receiver.smtp_factory`, same settings) with a
   no-op handler that answers 250 at once, in this process; N mails over C kept-open
   connections. This is the ceiling of SMTP + MIME transfer on this machine.
2. The real receiver of the stack: the same N-mail load; "accepted" is when the last 250 came
   back (each one after parsing and committing the raw mail), "into cases" is when the last of
   them is applied (a case opened in the cases database, its event in the outbox).

Customers are synthetic: `UserVerified` and `LicenseBound` events published with the producers'
schemas, so only the cases service, its mailbox and the infrastructure are exercised.
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rows import NO_TARGET, Row, emit  # noqa: E402
from deploy.local import procs  # noqa: E402
from deploy.local import stack as local_stack  # noqa: E402
from deploy.local.paths import resolve_state_dir  # noqa: E402
from deploy.local.ports import HOST, port_free  # noqa: E402
from services.cases.mailbox.config import MailboxSettings  # noqa: E402
from services.cases.mailbox.receiver import smtp_factory  # noqa: E402
from shared.events import UserVerified  # noqa: E402
from tests.events import EventPublisher  # noqa: E402

BODY = (
    "After the upgrade to 5.2.1 the nightly flow no longer starts.\n"
    "The scheduler log says: no trigger for job nightly-import.\n\n"
    "-- \nBench Customer\nACME Corp\n"
)


class NoOpHandler:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 2.0.0 Message accepted"


def _mail(sender: str, index: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Bench Customer <{sender}>"
    message["To"] = "support@example.com"
    message["Subject"] = f"Scheduler stops after upgrade #{index}"
    message["Message-ID"] = f"<bench-{uuid.uuid4().hex}@customer.test>"
    message.set_content(BODY)
    return message


async def _blast(host: str, port: int, mails: list[EmailMessage], connections: int) -> float:
    """Send every mail over `connections` kept-open SMTP connections; seconds until the last 250."""
    queue: asyncio.Queue[EmailMessage] = asyncio.Queue()
    for mail in mails:
        queue.put_nowait(mail)

    async def one_connection() -> None:
        client = aiosmtplib.SMTP(hostname=host, port=port, timeout=60)
        await client.connect()
        try:
            while not queue.empty():
                mail = queue.get_nowait()
                await client.send_message(mail, recipients=["support@example.com"])
        finally:
            await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    return time.perf_counter() - started


async def _customers(info: dict[str, Any], db: asyncpg.Connection, count: int) -> list[str]:
    publisher = EventPublisher(info["kafka"]["bootstrap"])
    product = f"BENCH{uuid.uuid4().hex[:6].upper()}"
    emails = []
    try:
        for index in range(count):
            user_id = uuid.uuid4()
            email = f"bench-{index}-{uuid.uuid4().hex[:8]}@example.com"
            await publisher.bind_license(user_id, product, date(2025, 1, 1), date(2035, 12, 31))
            await publisher.publish(
                UserVerified(user_id=user_id, email=email, name=f"Bench {index}", locale="en"),
                source="identity",
            )
            emails.append(email)
    finally:
        await publisher.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        people = await db.fetchval("SELECT count(*) FROM people WHERE email = ANY($1::text[])", emails)
        holdings = await db.fetchval("SELECT count(*) FROM holdings WHERE product = $1", product)
        if people == count and holdings == count:
            return emails
        await asyncio.sleep(0.2)
    raise SystemExit("customers were not projected into the cases database within 120 s")


def _cpu_seconds(state: Path) -> float:
    """CPU time (user + system) the stack's mailbox process has used so far: a figure that a
    busy machine disturbs far less than wall-clock rates."""
    record = procs.running(resolve_state_dir(state), "mailbox")
    if record is None:
        raise SystemExit("the mailbox is not running in this stack")
    fields = Path(f"/proc/{record.pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _raw_receive(mails: list[EmailMessage], connections: int) -> float:
    port = next(p for p in range(26000, 26100) if port_free(p))
    settings = MailboxSettings(mailbox_host=HOST, mailbox_port=port)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(smtp_factory(NoOpHandler(), settings), HOST, port)
    try:
        return await _blast(HOST, port, mails, connections)
    finally:
        server.close()
        await server.wait_closed()


async def _into_cases(
    info: dict[str, Any], db: asyncpg.Connection, mails: list[EmailMessage], connections: int
) -> tuple[float, float]:
    ids = [str(m["Message-ID"]) for m in mails]
    started = time.perf_counter()
    accepted = await _blast(info["mailbox"]["smtp_host"], info["mailbox"]["smtp_port"], mails, connections)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        done = await db.fetchval(
            "SELECT count(*) FROM inbound_mail WHERE message_id = ANY($1::text[]) AND status <> 'pending'",
            ids,
        )
        if done == len(ids):
            break
        await asyncio.sleep(0.05)
    else:
        raise SystemExit("the mailbox did not process the mails within 600 s")
    processed = time.perf_counter() - started
    opened = await db.fetchval(
        "SELECT count(*) FROM inbound_mail WHERE message_id = ANY($1::text[]) AND outcome = 'case_opened'",
        ids,
    )
    if opened != len(ids):
        raise SystemExit(f"only {opened} of {len(ids)} mails opened a case")
    return accepted, processed


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--state", type=Path, default=ROOT / ".run")
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--connections", type=int, default=4)
    # Enough senders that none reaches the mailbox's limit of new cases per hour.
    parser.add_argument("--customers", type=int, default=50)
    args = parser.parse_args()

    info = local_stack.up(args.state, quiet=True)
    db = await asyncpg.connect(
        info["postgres"]["url_template"].format(db="cases").replace("postgresql+asyncpg://", "postgresql://")
    )
    try:
        senders = await _customers(info, db, args.customers)
        size = len(_mail(senders[0], 0).as_bytes())
        print(f"inbound mail: {args.mails} mails of {size} bytes, {args.connections} SMTP connections")
        raw = await _raw_receive(
            [_mail(senders[i % len(senders)], i) for i in range(args.mails)], args.connections
        )
        mails = [_mail(senders[i % len(senders)], i) for i in range(args.mails)]
        cpu_before = _cpu_seconds(args.state)
        accepted, processed = await _into_cases(info, db, mails, args.connections)
        cpu = _cpu_seconds(args.state) - cpu_before
    finally:
        await db.close()
    n = args.mails
    print(f"  raw SMTP receive (no-op handler)      {n / raw:8.1f} mails/s  ({raw:.2f} s)")
    print(f"  receiver accepted (stored before 250) {n / accepted:8.1f} mails/s  ({accepted:.2f} s)")
    print(f"  processed into cases                  {n / processed:8.1f} mails/s  ({processed:.2f} s)")
    print(f"  into cases vs raw receive             {raw / processed:8.3f}")
    print(
        f"  mailbox CPU per mail (receive+apply)  {1000 * cpu / n:8.1f} ms    (load {os.getloadavg()[0]:.1f})"
    )
    emit(
        Row(
            benchmark=f"inbound mail → cases, {n} mails over {args.connections} SMTP connections",
            figure=f"{n / processed:,.1f} mails/s ({1000 * cpu / n:.1f} ms CPU per mail)",
            baseline=f"raw SMTP receive, no-op handler: {n / raw:,.1f} mails/s",
            ratio=round(raw / processed, 3),
            target=NO_TARGET,
            met=False,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
