"""Release fan-out benchmark: one ReleasePublished to N entitled users, until the last mail.

    .venv/bin/python -m bench.fanout --state .run/test-notifier -n 2000 -n 10000 [-n 100000]

Needs a running stack with the notifier (`python -m deploy.local up --state DIR`). For each N it
seeds N users with an active license of a fresh product, publishes one ReleasePublished and
measures the time until the last announcement is accepted, with the notifier's CPU time (from
/proc, its process and any sender workers), the CPU time of the stack's PostgreSQL (postmaster,
its live backends and those it reaped) and the notifier's peak resident memory (VmHWM, reset
before each run).

Seeding (`--seed`): `sql` (the default) writes the notifier's projections set-wise, one
`INSERT … SELECT generate_series` per table (100,000 users in seconds); `events` publishes
UserProfileChanged + LicenseBound as identity and licensing do and waits for the projections
(slow above ~10,000). Either way no mail is caused by seeding. Beside
it, in the same run, two baselines into the same Mailpit with the same number of SMTP sessions as
the notifier's sender (`sender_concurrency`) and mails of the same size:

- the ceiling: Postfix's `smtp-source -s <sessions> -m N -l <bytes of one announcement>`, a
  native load generator (how to get it without installing a mail server: bench/smtp_source.py);
- raw aiosmtplib sending the same number of pre-rendered mails (the Python client alone).

The target is notifier ≥ 0.8× smtp-source in mails/s; one summary row per N (bench/rows.py).

Mailpit keeps at most 5,000 messages (`--max` in deploy/local), so above that the end is taken
from the database instead: the notifier marks a delivery sent only once the SMTP server accepted
it, i.e. once it is in Mailpit. smtp-source's end is its own exit (every mail answered 250).
"""

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
import asyncpg
import httpx

from bench import smtp_source
from bench.process_cpu import cpu_seconds, service_pid
from bench.rows import Row, emit
from services.notifier.composition import OutgoingMail, compose
from services.notifier.config import Settings
from services.notifier.rendering import render
from services.notifier.smtp import LeanSmtpPool, SmtpPool
from shared import clock
from shared.events import Envelope, Event, LicenseBound, ReleasePublished, UserProfileChanged
from shared.outbox import event_headers
from shared.relay import make_producer

TARGET_RATIO = 0.8
MAILPIT_COUNT_LIMIT = 4500  # below Mailpit's --max 5000, so nothing is pruned while counting
LOCALES = ("zh-TW", "zh-CN", "en", "ja")


@dataclass
class Result:
    seconds: float
    count: int
    cpu_seconds: float = 0.0
    peak_rss_mib: float = 0.0
    postgres_cpu_seconds: float = 0.0
    mailpit_cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.count / self.seconds


def process_tree(pid: int) -> list[int]:
    """The process and its children (the notifier's extra sender processes)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its children (/proc/<pid>/stat 14 and 15)."""
    total = 0
    for member in process_tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, added up."""
    total = 0
    for member in process_tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def postgres_cpu_seconds(pid: int) -> float:
    """CPU time of PostgreSQL: the postmaster, its live backends, and the children it has reaped
    (cutime/cstime, fields 16 and 17), so backends that ended during a run still count."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    reaped = int(fields[13]) + int(fields[14])
    return process_cpu_seconds(pid) + reaped / os.sysconf("SC_CLK_TCK")


def reset_peak_rss(pid: int) -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs), so each run reports its own peak."""
    for member in process_tree(pid):
        try:
            Path(f"/proc/{member}/clear_refs").write_text("5")
        except OSError:
            print(f"note: cannot reset the peak RSS of {member}; the figure is its lifetime peak")


class Bench:
    def __init__(self, stack: dict[str, Any], concurrency: int, pids: dict[str, int]) -> None:
        self.stack = stack
        self.concurrency = concurrency
        self.notifier_pid = pids["notifier"]
        self.postgres_pid = pids["postgres"]
        self.mailpit_pid = pids["mailpit"]
        self.mailpit = httpx.AsyncClient(base_url=stack["mailpit"]["http_url"], timeout=30)
        self.dsn = stack["postgres"]["url_template"].format(db="notifier").replace("+asyncpg", "")
        self.producer = make_producer(stack["kafka"]["bootstrap"], linger_ms=20)

    async def __aenter__(self) -> "Bench":
        await self.producer.start()
        self.db = await asyncpg.connect(self.dsn)
        self.queued: set[uuid.UUID] = set()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.producer.stop()
        await self.db.close()
        await self.mailpit.aclose()

    async def publish_all(self, events: list[Event], source: str) -> None:
        futures = []
        for event in events:
            envelope: Envelope[Event] = Envelope.wrap(event, source=source)
            futures.append(
                await self.producer.send(
                    event.topic,
                    value=envelope.model_dump_json().encode(),
                    key=envelope.subject.encode(),
                    headers=[(k, v.encode()) for k, v in event_headers(envelope).items()],
                )
            )
        await asyncio.gather(*futures)

    async def wait_until(self, probe, what: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not await probe():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            await asyncio.sleep(0.1)

    async def mailpit_count(self, query: str) -> int:
        response = await self.mailpit.get("/api/v1/search", params={"query": query, "limit": 1})
        response.raise_for_status()
        return int(response.json().get("messages_count", 0))

    async def seed_sql(self, n: int, product: str) -> None:
        """N recipients holding an active license of `product`, written set-wise into the
        notifier's projections (what its consumers would write from the same events)."""
        today = clock.today()
        async with self.db.transaction():
            await self.db.execute(
                """
                WITH users AS (
                    INSERT INTO recipient (user_id, email, name, locale, welcomed_at, updated_at)
                    SELECT gen_random_uuid(), 'bench-' || $1 || '-' || i || '@example.com',
                           'Bench ' || i, ($2::text[])[1 + i % 4], now(), now()
                    FROM generate_series(1, $3) AS i
                    RETURNING user_id
                )
                INSERT INTO holding (license_id, account_id, serial, product, coverage_start,
                                     coverage_end, void, as_of)
                SELECT gen_random_uuid(), user_id, 'SN-' || left(user_id::text, 8), $4, $5, $6, false, now()
                FROM users
                """,
                product.lower(),
                list(LOCALES),
                n,
                product,
                today - timedelta(days=30),
                today + timedelta(days=335),
            )

    async def seed(self, n: int, product: str) -> None:
        today = clock.today()
        users = [uuid.uuid4() for _ in range(n)]
        await self.publish_all(
            [
                UserProfileChanged(
                    user_id=user,
                    email=f"bench-{user.hex[:16]}@example.com",
                    name=f"Bench {i}",
                    locale=LOCALES[i % 4],  # type: ignore[arg-type]
                )
                for i, user in enumerate(users)
            ],
            "identity",
        )
        await self.publish_all(
            [
                LicenseBound(
                    license_id=uuid.uuid4(),
                    account_id=user,
                    serial=f"SN-{user.hex[:10]}",
                    product=product,
                    edition="Enterprise",
                    seats=5,
                    coverage_start=today - timedelta(days=30),
                    coverage_end=today + timedelta(days=335),
                )
                for user in users
            ],
            "licensing",
        )

        async def projected() -> bool:
            holdings = await self.db.fetchval(
                "SELECT count(*) FROM holding h JOIN recipient r ON r.user_id = h.account_id "
                "WHERE h.product = $1",
                product,
            )
            return bool(holdings == n)

        await self.wait_until(projected, f"{n} users projected", timeout=60 + n * 0.05)

    async def fan_out(self, n: int, product: str) -> Result:
        release = ReleasePublished(
            release_id=uuid.uuid4(),
            product=product,
            version="9.9.9",
            kind="update",
            title="Benchmark update",
            notes="Fan-out benchmark.",
            published_on=clock.today(),
            artifacts=[],
        )
        reset_peak_rss(self.notifier_pid)
        cpu_before = process_cpu_seconds(self.notifier_pid)
        postgres_before = postgres_cpu_seconds(self.postgres_pid)
        mailpit_before = cpu_seconds(self.mailpit_pid)
        started = time.perf_counter()
        await self.publish_all([release], "downloads")
        await self.wait_until(lambda: self.delivered(release.release_id, product, n), "fan-out", 60 + n * 0.1)
        seconds = time.perf_counter() - started
        cpu = process_cpu_seconds(self.notifier_pid) - cpu_before
        postgres = postgres_cpu_seconds(self.postgres_pid) - postgres_before
        mailpit = cpu_seconds(self.mailpit_pid) - mailpit_before
        return Result(seconds, n, cpu, peak_rss_mib(self.notifier_pid), postgres, mailpit)

    def announcement_size(self) -> int:
        """Bytes of one announcement as the notifier composes it (smtp-source's -l)."""
        return len(self.baseline_messages(1, "BENCH00000000")[0].data)

    def ceiling(
        self, binary: Path, n: int, mail_file: Path | None = None
    ) -> tuple[smtp_source.SmtpSourceRun, float]:
        """smtp-source's run, and the CPU seconds Mailpit spent taking its mails."""
        mailpit_before = cpu_seconds(self.mailpit_pid)
        run = smtp_source.run(
            binary,
            host=self.stack["mailpit"]["smtp_host"],
            port=int(self.stack["mailpit"]["smtp_port"]),
            sessions=self.concurrency,
            messages=n,
            size=self.announcement_size(),
            mail_file=mail_file,
        )
        return run, cpu_seconds(self.mailpit_pid) - mailpit_before

    async def delivered(self, release_id: uuid.UUID, product: str, n: int) -> bool:
        # Poll the database while mail flows (searching Mailpit during the run would compete
        # with its SMTP intake and slow down what is measured), then confirm in Mailpit. The
        # poll asks only whether one of the release's deliveries is still pending (the pending
        # index, a few rows): counting the sent ones every 0.1 s reads every row sent so far and
        # at 100,000 recipients cost PostgreSQL more than the mail itself.
        if release_id not in self.queued:
            queued = await self.db.fetchval("SELECT count(*) FROM delivery WHERE event_id = $1", release_id)
            if queued < n:
                return False
            self.queued.add(release_id)
        pending = await self.db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM delivery WHERE status = 'pending' AND event_id = $1)", release_id
        )
        if pending:
            return False
        sent = await self.db.fetchval(
            "SELECT count(*) FROM delivery WHERE event_id = $1 AND status = 'sent'", release_id
        )
        if sent < n:
            raise SystemExit(f"{n - sent} of {n} mails were not sent (see the notifier's failed deliveries)")
        return n > MAILPIT_COUNT_LIMIT or await self.mailpit_count(f'subject:"{product}"') >= n

    def announcement_file(self, directory: Path) -> Path:
        """One announcement as the notifier composes it, for `smtp-source -F`."""
        path = directory / "announcement.eml"
        path.write_bytes(self.baseline_messages(1, "BENCH00000000")[0].data)
        return path

    async def clients(self, n: int, rounds: int) -> dict[str, list[float]]:
        """CPU per mail (ms) of the notifier's two SMTP pools on the same pre-composed mails,
        in this process, alternating: the client alone, without the database or rendering."""
        settings = Settings(
            smtp_host=self.stack["mailpit"]["smtp_host"], smtp_port=int(self.stack["mailpit"]["smtp_port"])
        )
        found: dict[str, list[float]] = {"lean": [], "aiosmtplib": []}
        for _ in range(rounds):
            for name, pool_class in (("lean", LeanSmtpPool), ("aiosmtplib", SmtpPool)):
                pool = pool_class(settings, self.concurrency)
                mails = self.baseline_messages(n, f"CLI{uuid.uuid4().hex[:8].upper()}")
                before = process_cpu_seconds(os.getpid())
                await asyncio.gather(*(pool.send(mail) for mail in mails))
                found[name].append((process_cpu_seconds(os.getpid()) - before) / n * 1000)
                await pool.close()
        return found

    def baseline_messages(self, n: int, tag: str) -> list[OutgoingMail]:
        settings = Settings()
        rendered = render(
            "release",
            "en",
            {
                "name": "Bench",
                "portal_url": "http://portal.test",
                "product": tag,
                "version": "9.9.9",
                "kind": "update",
                "title": "Benchmark update",
                "notes": "Fan-out benchmark.",
                "release_url": "http://portal.test/downloads/updates?release=x",
                "unsubscribe_url": "http://portal.test/unsubscribe?token=x",
                "preferences_url": "http://portal.test/preferences",
            },
        )
        return [
            compose(
                delivery_id=uuid.uuid4(),
                kind="release",
                locale="en",
                to_email=f"base-{i}-{tag.lower()}@example.com",
                to_name="Bench",
                rendered=rendered,
                mail_from=settings.mail_from,
                reply_to=None,
                one_click_unsubscribe_url="http://portal.test/api/notifier/unsubscribe?token=x",
            )
            for i in range(n)
        ]

    async def baseline(self, n: int) -> Result:
        tag = f"BASE{uuid.uuid4().hex[:8].upper()}"
        messages = self.baseline_messages(n, tag)
        cpu_before = process_cpu_seconds(os.getpid())
        host, port = self.stack["mailpit"]["smtp_host"], int(self.stack["mailpit"]["smtp_port"])

        async def worker(share: list[OutgoingMail]) -> None:
            async with aiosmtplib.SMTP(hostname=host, port=port, start_tls=False) as client:
                for mail in share:
                    await client.sendmail(mail.sender, [mail.recipient], mail.data)

        started = time.perf_counter()
        await asyncio.gather(*(worker(messages[i :: self.concurrency]) for i in range(self.concurrency)))
        if n <= MAILPIT_COUNT_LIMIT:
            await self.wait_until(
                lambda: self._count_at_least(f'subject:"{tag}"', n), "baseline in Mailpit", 60 + n * 0.05
            )
        return Result(time.perf_counter() - started, n, process_cpu_seconds(os.getpid()) - cpu_before)

    async def _count_at_least(self, query: str, n: int) -> bool:
        return await self.mailpit_count(query) >= n


def report(
    n: int,
    seeded: float,
    ours: Result,
    ceiling: smtp_source.SmtpSourceRun,
    ceiling_mailpit_cpu: float,
    same_mail: tuple[smtp_source.SmtpSourceRun, float] | None,
    raw: Result,
    sessions: int,
) -> None:
    ratio = ours.rate / ceiling.rate
    if same_mail is not None:
        run, mailpit_cpu = same_mail
        print(
            f"N={n:>6}  smtp-source -s {sessions} -F <the announcement>: {run.seconds:6.2f}s {run.rate:6.0f} mails/s, "
            f"CPU {run.cpu_seconds / n * 1000:.2f} ms/mail (Mailpit {mailpit_cpu / n * 1000:.2f}) "
            f"| notifier / that {ours.rate / run.rate:.2f} | load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    end = "Mailpit" if n <= MAILPIT_COUNT_LIMIT else "SMTP accepted (DB)"
    print(
        f"N={n:>6}  seeded in {seeded:6.1f}s | notifier: {ours.seconds:6.2f}s {ours.rate:6.0f} mails/s, "
        f"CPU {ours.cpu_seconds / n * 1000:.2f} ms/mail (PostgreSQL {ours.postgres_cpu_seconds / n * 1000:.2f}, "
        f"Mailpit {ours.mailpit_cpu_seconds / n * 1000:.2f}), "
        f"peak RSS {ours.peak_rss_mib:.0f} MiB "
        f"| smtp-source -s {sessions}: {ceiling.seconds:6.2f}s {ceiling.rate:6.0f} mails/s, "
        f"CPU {ceiling.cpu_seconds / n * 1000:.2f} ms/mail (Mailpit {ceiling_mailpit_cpu / n * 1000:.2f}) "
        f"| raw aiosmtplib x{sessions}: {raw.seconds:6.2f}s {raw.rate:6.0f} mails/s, "
        f"CPU {raw.cpu_seconds / n * 1000:.2f} ms/mail "
        f"| notifier / smtp-source {ratio:.2f} (end: last mail {end}) | load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    emit(
        Row(
            benchmark=f"release fan-out, {n:,} recipients",
            figure=f"{ours.rate:.0f} mails/s (peak RSS {ours.peak_rss_mib:.0f} MiB)",
            baseline=f"smtp-source, {sessions} sessions: {ceiling.rate:.0f} mails/s; raw aiosmtplib: {raw.rate:.0f}",
            ratio=round(ratio, 2),
            target=f"≥ {TARGET_RATIO}× smtp-source",
            met=ratio >= TARGET_RATIO,
        )
    )
    if same_mail is not None:
        # The same ceiling with our announcement's bytes instead of smtp-source's plain text of
        # the same size: what the sink can take of this very mail (it parses MIME and base64).
        run, _ = same_mail
        emit(
            Row(
                benchmark=f"release fan-out, {n:,} recipients, against the same mail",
                figure=f"{ours.rate:.0f} mails/s",
                baseline=f"smtp-source -F <the announcement>, {sessions} sessions: {run.rate:.0f} mails/s",
                ratio=round(ours.rate / run.rate, 2),
                target=f"≥ {TARGET_RATIO}× smtp-source",
                met=ours.rate / run.rate >= TARGET_RATIO,
            )
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the notifier's release fan-out against raw SMTP.")
    parser.add_argument("--state", type=Path, default=Path(".run"), help="stack state dir (has stack.json)")
    parser.add_argument("-n", type=int, action="append", help="recipients (repeatable; default 2000)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=Settings().sender_concurrency,
        help="SMTP sessions of the baselines (default: the notifier's sender_concurrency)",
    )
    parser.add_argument("--smtp-source", help="path of Postfix's smtp-source (see bench/smtp_source.py)")
    parser.add_argument(
        "--same-mail",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run smtp-source -F with the announcement itself (what Mailpit takes of our mail)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=0,
        metavar="MAILS",
        help="also compare the CPU per mail of the two SMTP clients on MAILS mails (3 rounds each)",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=200,
        help="recipients of an unmeasured release first (a freshly started notifier loads its templates)",
    )
    parser.add_argument(
        "--seed", choices=("sql", "events"), default="sql", help="how recipients are seeded (see above)"
    )
    args = parser.parse_args()
    binary = smtp_source.find(args.smtp_source)
    if binary is None:
        raise SystemExit(smtp_source.MISSING)
    stack = json.loads((args.state / "stack.json").read_text())
    pids = {name: service_pid(args.state, name) for name in ("notifier", "postgres", "mailpit")}
    async with Bench(stack, args.concurrency, pids) as bench:
        if args.warm_up > 0:
            product = f"WARM{uuid.uuid4().hex[:8].upper()}"
            await bench.seed_sql(args.warm_up, product)
            await bench.fan_out(args.warm_up, product)
        for n in args.n or [2000]:
            product = f"BENCH{uuid.uuid4().hex[:8].upper()}"
            seed_started = time.perf_counter()
            await (bench.seed_sql if args.seed == "sql" else bench.seed)(n, product)
            seeded = time.perf_counter() - seed_started
            ours = await bench.fan_out(n, product)
            ceiling, ceiling_mailpit_cpu = bench.ceiling(binary, n)
            same_mail = None
            if args.same_mail:
                with tempfile.TemporaryDirectory() as directory:
                    same_mail = bench.ceiling(binary, n, bench.announcement_file(Path(directory)))
            raw = await bench.baseline(n)
            report(n, seeded, ours, ceiling, ceiling_mailpit_cpu, same_mail, raw, args.concurrency)
        if args.clients > 0:
            found = await bench.clients(args.clients, rounds=3)
            print(
                "SMTP clients, CPU per mail over "
                f"{args.concurrency} connections ({args.clients} mails, 3 rounds, alternating): "
                + "; ".join(
                    f"{name} " + ", ".join(f"{ms:.2f}" for ms in values) + " ms"
                    for name, values in found.items()
                )
                + f" | load {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
