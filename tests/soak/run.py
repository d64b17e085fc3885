"""One chaos soak: seed, drive traffic while the fault schedule runs, settle, judge.

Used by the short test (tests/soak/test_chaos_soak.py) and the long benchmark (bench/soak.py).
The stack must be one of its own (its own state dir): its components are stopped on purpose.
"""

import asyncio
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from deploy.local.gateway import TRUSTED_PROXY
from deploy.portal_client import create_user, expect, publish_release
from services.downloads.release_tool import release_id_of
from shared import clock
from tests.kit import client_ip, eventually
from tests.soak import backbone
from tests.soak.faults import RECOVERY_LIMIT, FaultResult, Injector, all_ready, schedule
from tests.soak.invariants import Judge, RunFacts
from tests.soak.ledger import Ledger
from tests.soak.traffic import PASSWORD, Journey, LicenseOffer, Mailbox

PRODUCT = "OMCLOUD"
OPS = ("register", "verify", "login", "bind", "bind_contract", "open_case", "reply", "releases", "download")
CHAOS_SHARE = 0.7  # faults start in the first 70% of the traffic time; the rest shows recovery
ENTITLED_BEFORE = 2  # customers holding the product before the first fault (release mail check)


@dataclass
class SoakReport:
    seconds: float
    ledger: Ledger
    faults: list[FaultResult]
    releases: int
    settle_seconds: float
    logged_503: tuple[int, int]  # (503s whose request id is in the service's log, all 503s)
    journey_after: bool  # a whole customer journey succeeded once everything was back
    resent_mails: int  # extra copies of a mail (same Message-ID) after a lost commit
    violations: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.ledger.answers)

    def summary(self) -> str:
        statuses = ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(self.ledger.statuses().items()))
        injected = [f for f in self.faults if f.restart_seconds]
        lines = [
            f"traffic {self.seconds:.0f}s: {self.requests} requests ({statuses})",
            "answered 2xx: " + ", ".join(f"{op} {self.ledger.succeeded(op)}" for op in OPS),
            f"faults injected: {len(injected)}, releases published: {self.releases}",
            f"503 answers: {self.ledger.count(503)} ({self.logged_503[0]} of them found in the service's"
            f" log by request id), 502: {self.ledger.count(502)}",
            f"journey after the faults, everything back: {'complete' if self.journey_after else 'FAILED'};"
            f" settled {self.settle_seconds:.1f}s after the traffic stopped",
        ]
        for f in injected:
            recovery = "never" if f.recovery_seconds is None else f"{f.recovery_seconds:.1f}s"
            overlap = " (overlapped)" if f.overlapped else ""
            lines.append(
                f"  {f.stopped_at:6.1f}s {f.fault.component:<9} down {f.fault.down_for:4.1f}s,"
                f" restart {f.restart_seconds:4.1f}s, all ready again after {recovery}{overlap}"
            )
        lines.append(
            f"mails sent again with the same Message-ID (SMTP accepted, commit lost): {self.resent_mails}"
        )
        lines.append(f"invariant violations: {len(self.violations)}")
        lines += [f"  {v}" for v in self.violations[:50]]
        return "\n".join(lines)


async def run_soak(
    stack: dict[str, Any], *, seconds: float, seed: int, customers: int = 4, release_every: float = 30.0
) -> SoakReport:
    state_dir = Path(stack["state_dir"])
    run_id = uuid.uuid4().hex[:8]
    product = PRODUCT
    series = int(run_id, 16) % 100_000  # this run's releases: 8.<series>.<n>
    ledger = Ledger()
    offers, entitled = await _seed(stack, run_id, product, customers * max(4, int(seconds // 15)))
    kept: asyncio.Queue[LicenseOffer] = asyncio.Queue()
    kept.put_nowait(offers.get_nowait())  # for the journey after the faults
    facts = RunFacts(run_id, await backbone.end_offsets(stack["kafka"]["bootstrap"]), entitled)
    mailbox = Mailbox(stack["mailpit"]["http_url"])
    journey = Journey(stack["gateway"]["url"], mailbox, ledger, run_id, product)
    injector = Injector(state_dir, stack["services"])
    began = time.monotonic()
    deadline = began + seconds

    async def customer() -> None:
        while time.monotonic() < deadline:
            if not await journey.walk(offers):
                await asyncio.sleep(1.0)  # as a person would before trying again

    async def releases() -> None:
        n = 0
        while time.monotonic() < deadline:
            await asyncio.sleep(min(release_every, max(0.0, deadline - time.monotonic())))
            n += 1
            version = f"8.{series}.{n}"
            if await _publish(stack, product, version, deadline + 120):
                facts.releases.append(str(release_id_of(product, version, "update")))

    injecting = asyncio.create_task(injector.run(schedule(seed, seconds * CHAOS_SHARE)))
    try:
        await asyncio.gather(releases(), *(customer() for _ in range(customers)))
        faults = await injecting
    finally:
        injecting.cancel()
    traffic_seconds = time.monotonic() - began
    async with httpx.AsyncClient(timeout=5) as client:
        await eventually(
            lambda: all_ready(client, stack["services"]),
            timeout=RECOVERY_LIMIT,
            interval=0.5,
            what="all ready",
        )
    # Everything is back without a restart by hand: one more customer walks the whole journey.
    try:
        walked_after = await journey.walk(kept)
    finally:
        await mailbox.close()
    judge = Judge(stack, ledger, facts)
    settle = await judge.settle(timeout=240)
    violations = await judge.judge()
    return SoakReport(
        traffic_seconds,
        ledger,
        faults,
        len(facts.releases),
        settle,
        judge.unavailable_logged(),
        walked_after,
        sum(judge.resent.values()),
        violations,
    )


def _client(stack: dict[str, Any], token: str | None = None) -> httpx.AsyncClient:
    """Through the gateway as a customer's own address (the trusted proxy names it)."""
    headers = {"X-Forwarded-For": client_ip()}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    transport = httpx.AsyncHTTPTransport(local_address=TRUSTED_PROXY)
    return httpx.AsyncClient(
        base_url=stack["gateway"]["url"], transport=transport, headers=headers, timeout=30
    )


async def _sign_in(stack: dict[str, Any], email: str) -> str:
    async with _client(stack) as http:
        answer = expect(
            await http.post("/api/identity/auth/login", json={"email": email, "password": PASSWORD}), 200
        )
    return str(answer["access_token"])


async def _seed(
    stack: dict[str, Any], run_id: str, product: str, n_offers: int
) -> tuple[asyncio.Queue[LicenseOffer], list[str]]:
    """Licenses with contracts for the customers to bind, and customers already entitled to the
    product's releases (their holdings known to the notifier before the first fault)."""
    admin_email = f"soak-{run_id}-admin@example.com"
    await asyncio.to_thread(
        create_user, stack["services"]["identity"]["env"],
        email=admin_email, password=PASSWORD, name="Soak Admin", roles="admin,support",
    )  # fmt: skip
    today = clock.today()
    offers: asyncio.Queue[LicenseOffer] = asyncio.Queue()
    held: list[tuple[str, dict[str, Any]]] = []
    async with _client(stack, await _sign_in(stack, admin_email)) as admin:
        for n in range(n_offers + ENTITLED_BEFORE):
            body = {
                "product": product, "edition": "Enterprise", "seats": 5,
                "purchased_on": (today - timedelta(days=30)).isoformat(),
                "warranty_ends": (today + timedelta(days=300)).isoformat(),
            }  # fmt: skip
            issued = expect(await admin.post("/api/licensing/admin/licenses", json=body), 201)
            renewal = {
                "starts_on": (today + timedelta(days=301)).isoformat(),
                "ends_on": (today + timedelta(days=700)).isoformat(),
            }
            contract = expect(
                await admin.post(f"/api/licensing/admin/licenses/{issued['serial']}/contracts", json=renewal),
                201,
            )
            if n < ENTITLED_BEFORE:
                held.append((f"soak-{run_id}-entitled{n}@example.com", issued))
                continue
            offers.put_nowait(
                LicenseOffer(
                    str(issued["license_id"]),
                    issued["serial"],
                    issued["registration_number"],
                    contract["registration_number"],
                )
            )
    for email, issued in held:
        await _entitle(stack, email, issued)
    return offers, [email for email, _ in held]


async def _entitle(stack: dict[str, Any], email: str, issued: dict[str, Any]) -> None:
    await asyncio.to_thread(
        create_user, stack["services"]["identity"]["env"], email=email, password=PASSWORD, name="Soak Holder"
    )
    lookup = {"serial": issued["serial"], "registration_number": issued["registration_number"]}
    async with _client(stack, await _sign_in(stack, email)) as http:

        async def bound() -> bool:  # 403 until licensing has consumed UserVerified
            return (await http.post("/api/licensing/me/licenses", json=lookup)).status_code == 201

        await eventually(bound, timeout=60, interval=0.5, what=f"{email} binds {issued['serial']}")
    dsn = (
        stack["postgres"]["url_template"]
        .format(db="notifier")
        .replace("postgresql+asyncpg://", "postgresql://")
    )

    async def notifier_knows() -> bool:
        rows = await backbone.fetch(dsn, "SELECT 1 FROM holding WHERE license_id = $1", issued["license_id"])
        return bool(rows)

    await eventually(notifier_knows, timeout=60, interval=0.5, what=f"the notifier learns {email}'s license")


async def _publish(stack: dict[str, Any], product: str, version: str, deadline: float) -> bool:
    """The release team's tool, run again after a failure (a re-publish is the same release)."""
    with tempfile.TemporaryDirectory() as scratch:
        artifact = Path(scratch) / f"{product.lower()}-{version}.zip"
        artifact.write_bytes(f"{product} {version}\n".encode() * 64)
        while time.monotonic() < deadline:
            try:
                await asyncio.to_thread(
                    publish_release, stack, product=product, version=version, kind="update",
                    title=f"{product} {version}", files=[artifact],
                )  # fmt: skip
                return True
            except RuntimeError:
                await asyncio.sleep(2.0)  # MinIO or Kafka is down: the tool fails whole
    return False
