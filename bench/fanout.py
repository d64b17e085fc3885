"""Release fan-out benchmark: one ReleasePublished to N entitled users, until the last mail.

    .venv/bin/python -m bench.fanout --state .run/test-notifier -n 2000 -n 10000

Needs a running stack with the notifier (`python -m deploy.local up --state DIR`). For each N it
seeds N users with an active license of a fresh product through events (UserProfileChanged +
LicenseBound, as identity and licensing publish them; no mail is caused by seeding), publishes
one ReleasePublished and measures the time until the last announcement is in Mailpit. Beside it
a baseline: raw aiosmtplib sending the same number of (pre-rendered) mails to the same Mailpit
with the same number of parallel connections as the notifier's sender. Prints both and the ratio.

Mailpit keeps at most 5,000 messages (`--max` in deploy/local), so above that the end is taken
from the database instead: the notifier marks a delivery sent only once the SMTP server accepted
it, i.e. once it is in Mailpit.
"""

import argparse
import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
import asyncpg
import httpx

from services.notifier.composition import OutgoingMail, compose
from services.notifier.config import Settings
from services.notifier.rendering import render
from shared import clock
from shared.events import Envelope, Event, LicenseBound, ReleasePublished, UserProfileChanged
from shared.outbox import event_headers
from shared.relay import make_producer

MAILPIT_COUNT_LIMIT = 4500  # below Mailpit's --max 5000, so nothing is pruned while counting
LOCALES = ("zh-TW", "zh-CN", "en", "ja")


@dataclass
class Result:
    seconds: float
    count: int

    @property
    def rate(self) -> float:
        return self.count / self.seconds


class Bench:
    def __init__(self, stack: dict[str, Any], concurrency: int) -> None:
        self.stack = stack
        self.concurrency = concurrency
        self.mailpit = httpx.AsyncClient(base_url=stack["mailpit"]["http_url"], timeout=30)
        self.dsn = stack["postgres"]["url_template"].format(db="notifier").replace("+asyncpg", "")
        self.producer = make_producer(stack["kafka"]["bootstrap"], linger_ms=20)

    async def __aenter__(self) -> "Bench":
        await self.producer.start()
        self.db = await asyncpg.connect(self.dsn)
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
        started = time.perf_counter()
        await self.publish_all([release], "downloads")
        await self.wait_until(lambda: self.delivered(release.release_id, product, n), "fan-out", 60 + n * 0.1)
        return Result(time.perf_counter() - started, n)

    async def delivered(self, release_id: uuid.UUID, product: str, n: int) -> bool:
        # Poll the database while mail flows (searching Mailpit during the run would compete
        # with its SMTP intake and slow down what is measured), then confirm in Mailpit.
        sent = await self.db.fetchval(
            "SELECT count(*) FROM delivery WHERE event_id = $1 AND status = 'sent'", release_id
        )
        if sent < n:
            return False
        return n > MAILPIT_COUNT_LIMIT or await self.mailpit_count(f'subject:"{product}"') >= n

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
        return Result(time.perf_counter() - started, n)

    async def _count_at_least(self, query: str, n: int) -> bool:
        return await self.mailpit_count(query) >= n


async def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the notifier's release fan-out against raw SMTP.")
    parser.add_argument("--state", type=Path, default=Path(".run"), help="stack state dir (has stack.json)")
    parser.add_argument("-n", type=int, action="append", help="recipients (repeatable; default 2000)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=Settings().sender_concurrency,
        help="parallel SMTP connections of the baseline (default: the notifier's sender_concurrency)",
    )
    args = parser.parse_args()
    stack = json.loads((args.state / "stack.json").read_text())
    async with Bench(stack, args.concurrency) as bench:
        for n in args.n or [2000]:
            product = f"BENCH{uuid.uuid4().hex[:8].upper()}"
            seed_started = time.perf_counter()
            await bench.seed(n, product)
            seeded = time.perf_counter() - seed_started
            ours = await bench.fan_out(n, product)
            base = await bench.baseline(n)
            end = "Mailpit" if n <= MAILPIT_COUNT_LIMIT else "SMTP accepted (DB)"
            print(
                f"N={n:>6}  seeded in {seeded:6.1f}s | notifier: {ours.seconds:6.2f}s {ours.rate:7.0f} mails/s "
                f"| raw aiosmtplib x{args.concurrency}: {base.seconds:6.2f}s {base.rate:7.0f} mails/s "
                f"| ratio {ours.seconds / base.seconds:4.2f}x  (end: last mail {end})",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
