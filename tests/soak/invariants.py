"""After the soak, with everything back: wait for the stack to settle, then judge it.

Settled means: every service's outbox is empty, every consumer group has committed the end of
its topics, and no mail of this run waits in the notifier's queue. Then:

- every answer 2xx has its effect exactly once, every other answer at most once (ledger.py);
- every event written during the run reached each consumer that handles its type exactly once
  (its inbox row; the inbox key makes a second application impossible, so one row = once);
- every mail that should exist is in Mailpit exactly once: per address as many messages as the
  notifier recorded as sent, one verification per registration, one welcome per verification,
  one announcement per release for each customer entitled before the run; no Message-ID twice;
- nothing is stuck or lost: no new dead letter, no delivery given up;
- no 500 (or any 5xx other than the outage answers 502/503/504).
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.soak import backbone
from tests.soak.backbone import Offsets
from tests.soak.ledger import Ledger

OP_SERVICE = {
    "register": "identity",
    "verify": "identity",
    "login": "identity",
    "bind": "licensing",
    "bind_contract": "licensing",
    "open_case": "cases",
    "reply": "cases",
    "releases": "downloads",
    "download": "downloads",
}


@dataclass
class RunFacts:
    """What the run knows beside the ledger."""

    run_id: str
    start_offsets: Offsets
    entitled: list[str]  # customers holding the product before the first fault
    releases: list[str] = field(default_factory=list)  # release ids the release tool published


class Judge:
    def __init__(self, stack: dict[str, Any], ledger: Ledger, facts: RunFacts) -> None:
        self.stack = stack
        self.ledger = ledger
        self.facts = facts
        self.bootstrap = stack["kafka"]["bootstrap"]
        self.consumers = backbone.consumed_types()
        self.violations: list[str] = []
        self.resent: dict[str, int] = {}  # Message-ID → extra copies in Mailpit

    def dsn(self, service: str) -> str:
        template = self.stack["postgres"]["url_template"]
        return str(template.format(db=service).replace("postgresql+asyncpg://", "postgresql://"))

    async def settle(self, timeout: float) -> float:
        """Seconds until settled; records a violation naming what stayed stuck at the deadline."""
        began = time.monotonic()
        last: dict[str, Any] = {}
        while time.monotonic() - began < timeout:
            try:
                last = await self._backlog()
            except (TimeoutError, OSError) as error:
                last = {"unreachable": repr(error)}
            else:
                if not any(last.values()):
                    return time.monotonic() - began
            await asyncio.sleep(1.0)
        self.violations.append(f"not settled after {timeout:.0f}s: {last}")
        return time.monotonic() - began

    async def _backlog(self) -> dict[str, Any]:
        outboxes = {
            name: (await backbone.fetch(self.dsn(name), "SELECT count(*) AS n FROM outbox"))[0]["n"]
            for name in self.stack["services"]
        }
        lag = await backbone.consumer_lag(self.bootstrap, self.consumers)
        pending = await backbone.fetch(
            self.dsn("notifier"), "SELECT count(*) AS n FROM delivery WHERE status = 'pending'"
        )
        return {
            "outbox": {k: v for k, v in outboxes.items() if v},
            "lag": {k: v for k, v in lag.items() if v},
            "pending mails": pending[0]["n"],
        }

    async def judge(self) -> list[str]:
        self._no_server_errors()
        ends = await backbone.end_offsets(self.bootstrap)
        records = await backbone.records_between(self.bootstrap, self.facts.start_offsets, ends)
        events = backbone.envelopes(records)
        for topic, value in records:
            if topic in backbone.DLQ_TOPICS:
                self.violations.append(f"dead letter on {topic}: {backbone.describe(value)}")
        await self._every_event_consumed_once(events)
        await self._accounts()
        await self._licenses(events)
        await self._cases(events)
        await self._mails()
        return self.violations

    def unavailable_logged(self) -> tuple[int, int]:
        """(503 answers whose request id is in the answering service's log, all 503 answers):
        the gateway's X-Request-ID reaches the service and its log lines."""
        logs = Path(self.stack["state_dir"]) / "logs"
        texts: dict[str, str] = {}
        found = total = 0
        for answer in self.ledger.answers:
            if answer.status != 503:
                continue
            service = OP_SERVICE[answer.op]
            if service not in texts:
                texts[service] = (logs / f"{service}.log").read_text(encoding="utf-8", errors="replace")
            total += 1
            found += bool(answer.request_id) and f'"request_id": "{answer.request_id}"' in texts[service]
        return found, total

    def _no_server_errors(self) -> None:
        for status, n in sorted(self.ledger.statuses().items()):
            if status >= 500 and status not in (502, 503, 504):
                self.violations.append(f"{n} answer(s) {status}")

    async def _every_event_consumed_once(self, events: dict[str, Any]) -> None:
        for consumer, types in self.consumers.items():
            expected = {eid for eid, e in events.items() if e.type in types}
            if not expected:
                continue
            rows = await backbone.fetch(
                self.dsn(consumer),
                "SELECT event_id::text AS id FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
                consumer,
                list(expected),
            )
            for missing in sorted(expected - {r["id"] for r in rows}):
                self.violations.append(f"{consumer} never applied {events[missing].type} {missing}")

    async def _accounts(self) -> None:
        registered = self.ledger.keys("register", succeeded=True)
        tried = registered | self.ledger.keys("register", succeeded=False)
        rows = await backbone.fetch(
            self.dsn("identity"),
            "SELECT email_key, email_verified_at IS NOT NULL AS verified FROM users WHERE email_key = ANY($1)",
            [e.lower() for e in tried],
        )
        found = Counter(r["email_key"] for r in rows)
        for email in registered:
            if found[email.lower()] != 1:
                self.violations.append(
                    f"registration of {email} answered 202 but {found[email.lower()]} accounts"
                )
        verified = {r["email_key"] for r in rows if r["verified"]}
        for email in self.ledger.keys("verify", succeeded=True):
            if email.lower() not in verified:
                self.violations.append(f"verification of {email} answered 200 but the account is unverified")

    async def _licenses(self, events: dict[str, Any]) -> None:
        bound = {
            key.split(" ", 1)[0]: key.split(" ", 1)[1] for key in self.ledger.keys("bind", succeeded=True)
        }
        if not bound:
            return
        rows = await backbone.fetch(
            self.dsn("licensing"),
            "SELECT l.serial, a.email, (SELECT count(*) FROM contract c WHERE c.license_id = l.id"
            " AND c.bound_at IS NOT NULL) AS contracts FROM license l"
            " LEFT JOIN verified_account a ON a.account_id = l.account_id WHERE l.serial = ANY($1)",
            list(bound),
        )
        by_serial = {r["serial"]: r for r in rows}
        contracted = {key.split(" ", 1)[0] for key in self.ledger.keys("bind_contract", succeeded=True)}
        bind_events = Counter(
            e.data["serial"] for e in events.values() if e.type == "licensing.LicenseBound.v1"
        )
        for serial, email in bound.items():
            row = by_serial.get(serial)
            if row is None or (row["email"] or "").lower() != email.lower():
                self.violations.append(f"bind of {serial} answered 201 but it is not {email}'s")
            if bind_events[serial] != 1:
                self.violations.append(f"bind of {serial}: {bind_events[serial]} LicenseBound events")
            if serial in contracted and (row is None or row["contracts"] != 1):
                self.violations.append(f"contract bind of {serial} answered 2xx but is not recorded once")

    async def _cases(self, events: dict[str, Any]) -> None:
        for op, query in (
            ("open_case", "SELECT subject AS key FROM cases WHERE subject = ANY($1)"),
            ("reply", "SELECT body AS key FROM case_messages WHERE body = ANY($1)"),
        ):
            ok, other = self.ledger.keys(op, succeeded=True), self.ledger.keys(op, succeeded=False)
            rows = await backbone.fetch(self.dsn("cases"), query, list(ok | other))
            found = Counter(r["key"] for r in rows)
            self.violations += [
                f"{op} {k!r} answered 2xx, stored {found[k]} times" for k in ok if found[k] != 1
            ]
            self.violations += [
                f"{op} {k!r} not answered 2xx, stored {found[k]} times" for k in other if found[k] > 1
            ]
        opened = Counter(e.data["subject_line"] for e in events.values() if e.type == "cases.CaseOpened.v1")
        for subject in self.ledger.keys("open_case", succeeded=True):
            if opened[subject] != 1:
                self.violations.append(f"case {subject!r}: {opened[subject]} CaseOpened events")

    async def _mails(self) -> None:
        pattern = f"soak-{self.facts.run_id}-%"
        deliveries = await backbone.fetch(
            self.dsn("notifier"),
            "SELECT email, kind, event_id::text AS event_id, status FROM delivery WHERE email LIKE $1",
            pattern,
        )
        for row in deliveries:
            if row["status"] != "sent":
                self.violations.append(f"{row['kind']} mail to {row['email']} is {row['status']}")
        sent = Counter(r["email"].lower() for r in deliveries if r["status"] == "sent")
        kinds = Counter((r["email"].lower(), r["kind"]) for r in deliveries)
        inbox, copies = await self._mailpit()
        for address in set(sent) | set(inbox):
            if sent[address] != inbox[address]:
                self.violations.append(f"{address}: {sent[address]} mails sent, {inbox[address]} in Mailpit")
        # The same mail twice, same Message-ID: SMTP accepted it but the commit marking it sent
        # was lost (PostgreSQL or the notifier stopped in between), so it went out again. The
        # sender's documented at-least-once edge towards SMTP: counted apart, never hidden.
        self.resent = {message_id: n - 1 for message_id, n in copies.items() if n > 1}
        for email in self.ledger.keys("register", succeeded=True):
            if kinds[(email.lower(), "verification")] != 1:
                self.violations.append(
                    f"{email}: {kinds[(email.lower(), 'verification')]} verification mails"
                )
        for email in self.ledger.keys("verify", succeeded=True):
            if kinds[(email.lower(), "welcome")] != 1:
                self.violations.append(f"{email}: {kinds[(email.lower(), 'welcome')]} welcome mails")
        releases = Counter((r["email"].lower(), r["event_id"]) for r in deliveries if r["kind"] == "release")
        for email in self.facts.entitled:
            for release_id in self.facts.releases:
                if releases[(email.lower(), release_id)] != 1:
                    n = releases[(email.lower(), release_id)]
                    self.violations.append(f"{email}: {n} announcements of release {release_id}")

    async def _mailpit(self) -> tuple[Counter[str], Counter[str]]:
        """This run's distinct messages in Mailpit per recipient (by Message-ID), and how often
        each Message-ID occurs."""
        seen: set[tuple[str, str]] = set()  # (address, Message-ID): a resent copy counts once
        message_ids: Counter[str] = Counter()
        prefix = f"soak-{self.facts.run_id}-"
        async with httpx.AsyncClient(base_url=self.stack["mailpit"]["http_url"], timeout=30) as client:
            start = 0
            while True:
                page = (await client.get("/api/v1/messages", params={"start": start, "limit": 500})).json()
                messages = page.get("messages", [])
                for message in messages:
                    ours = [
                        a["Address"].lower() for a in message.get("To", []) if a["Address"].startswith(prefix)
                    ]
                    message_id = message.get("MessageID", "")
                    seen.update((address, message_id) for address in ours)
                    if ours:
                        message_ids[message_id] += 1
                start += len(messages)
                if not messages or start >= page.get("messages_count", page.get("total", 0)):
                    break
        return Counter(address for address, _ in seen), message_ids
