"""Licensing benchmark (prints numbers, asserts nothing).

1. Bind throughput and latency p50/p99: 50 verified customers bind licenses concurrently
   (each its own, a bounded count), straight to the service (the gateway's per-address rate
   limit would measure nginx, not licensing); and the licensing process's CPU time per bind
   (from /proc, its relay publishing LicenseBound included), the figure with a target (≤ 3 ms).
   The customers first all come from one address (the lookup limit counts per address: binds
   must not take turns on it), then, as the baseline beside it, each from its own.
2. Bulk import of 100,000 licenses as one CSV: wall time, and the service process's peak
   resident memory (VmHWM from /proc/<pid>/status) before and after.

    .venv/bin/python bench/licensing.py --state .run/test-licensing --customers 50 --binds 10 --rows 100000
"""

import argparse
import asyncio
import csv
import io
import json
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.process_cpu import CpuMeter, load_average, outbox_drained  # noqa: E402 - the repository root first
from bench.rows import NO_TARGET, Row, emit  # noqa: E402
from tests.accounts import PortalUser, register_customer  # noqa: E402
from tests.licensing.helpers import create_staff, wait_until_licensing_knows  # noqa: E402

CPU_TARGET_MS = 3.0
# Where the first round's customers all come from (named in X-Forwarded-For: licensing believes
# it from a loopback peer, as from the gateway; TEST-NET-3, never a real client).
SHARED_ADDRESS = "203.0.113.7"
HEADER = "product,edition,seats,purchased_on,warranty_ends,customer_ref\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def memory_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0])
    return fields


def licenses_csv(rows: int, tag: str) -> bytes:
    return (
        HEADER
        + "".join(f"OMFLOW,Enterprise,{i % 100 + 1},2025-01-01,2026-01-01,{tag}-{i}\n" for i in range(rows))
    ).encode()


async def import_csv(client: httpx.AsyncClient, staff: PortalUser, body: bytes) -> list[dict[str, str]]:
    response = await client.post(
        "/admin/licenses/import", content=body, headers={**staff.headers, "Content-Type": "text/csv"}
    )
    response.raise_for_status()
    return list(csv.DictReader(io.StringIO(response.text)))


@dataclass
class BindRound:
    requests: int
    statuses: dict[int, int]
    per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    load: str


async def bind_round(
    stack: dict,
    licensing: httpx.AsyncClient,
    accounts: list[PortalUser],
    issued: list[dict[str, str]],
    binds: int,
    pid: int,
    addresses: list[str],
) -> BindRound:
    """Every customer binds its share of `issued` at once, customer i from `addresses[i]`."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def worker(index: int, account: PortalUser) -> None:
        headers = {**account.headers, "X-Forwarded-For": addresses[index]}
        for row in issued[index * binds : (index + 1) * binds]:
            started = time.perf_counter()
            response = await licensing.post(
                "/me/licenses",
                json={"serial": row["serial"], "registration_number": row["registration_number"]},
                headers=headers,
            )
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    with CpuMeter(pid) as cpu:
        await asyncio.gather(*(worker(i, a) for i, a in enumerate(accounts)))
        await outbox_drained(stack, "licensing")  # the relay of the same process publishes what binds queued
    elapsed = time.perf_counter() - started
    return BindRound(
        requests=len(latencies),
        statuses=statuses,
        per_s=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        cpu_ms=1000 * cpu.per(len(latencies)),
        load=load_average(),
    )


def print_round(name: str, measured: BindRound) -> None:
    print(f"{name}_requests {measured.requests}")
    print(f"{name}_statuses {json.dumps(measured.statuses, sort_keys=True)}")
    print(f"{name}_throughput_per_s {measured.per_s:.1f}")
    print(f"{name}_p50_ms {measured.p50_ms:.1f}")
    print(f"{name}_p99_ms {measured.p99_ms:.1f}")
    print(f"{name}_cpu_ms_per_request {measured.cpu_ms:.2f}  (load {measured.load})")


async def bench_binds(
    stack: dict,
    identity: httpx.AsyncClient,
    gateway: httpx.AsyncClient,
    licensing: httpx.AsyncClient,
    staff: PortalUser,
    customers: int,
    binds: int,
    pid: int,
) -> None:
    """Two rounds with the same customers: all from one address (an office behind one NAT; the
    lookup limit counts per address), then, as the baseline beside it, each from its own."""
    slots = asyncio.Semaphore(4)

    async def customer() -> PortalUser:
        async with slots:
            account = await register_customer(identity, staff)
            await wait_until_licensing_knows(gateway, account)
            return account

    accounts = await asyncio.gather(*(customer() for _ in range(customers)))
    tag = f"bench-bind-{uuid.uuid4().hex[:12]}"
    issued = await import_csv(licensing, staff, licenses_csv(2 * customers * binds + customers, tag))
    one_address = [SHARED_ADDRESS] * customers
    own_addresses = [f"198.18.{i // 250}.{i % 250 + 1}" for i in range(customers)]
    # Unmeasured: one bind per customer, so that neither round pays for a freshly started
    # process (pooled connections opened, statements prepared on each, signing keys fetched).
    await bind_round(stack, licensing, accounts, issued[2 * customers * binds :], 1, pid, own_addresses)

    print(f"bind_customers {customers}")
    print(f"binding: {customers} customers × {binds} licenses, from one address", flush=True)
    shared = await bind_round(
        stack, licensing, accounts, issued[: customers * binds], binds, pid, one_address
    )
    print_round("bind", shared)
    print(f"binding: {customers} customers × {binds} licenses, each from its own address", flush=True)
    apart = await bind_round(
        stack, licensing, accounts, issued[customers * binds :], binds, pid, own_addresses
    )
    print_round("bind_own_address", apart)
    emit(
        Row(
            benchmark=f"bind a license, {customers} concurrent customers",
            figure=f"{shared.cpu_ms:.2f} ms CPU/bind ({shared.per_s:.0f}/s, load {shared.load})",
            baseline="—",
            ratio=None,
            target=f"≤ {CPU_TARGET_MS:g} ms CPU",
            met=shared.cpu_ms <= CPU_TARGET_MS,
        )
    )
    emit(
        Row(
            benchmark=f"bind a license, {customers} concurrent customers behind one address",
            figure=f"{shared.per_s:.0f}/s, p50 {shared.p50_ms:.0f} / p99 {shared.p99_ms:.0f} ms (load {shared.load})",
            baseline=(
                f"each from its own address: {apart.per_s:.0f}/s, "
                f"p50 {apart.p50_ms:.0f} / p99 {apart.p99_ms:.0f} ms (load {apart.load})"
            ),
            ratio=shared.per_s / apart.per_s,
            target=NO_TARGET,
            met=False,  # no target: the table shows —
        )
    )


async def bench_import(licensing: httpx.AsyncClient, staff: PortalUser, pid: int, rows: int) -> None:
    body = licenses_csv(rows, f"bench-import-{uuid.uuid4().hex[:12]}")
    before = memory_kib(pid)
    started = time.perf_counter()
    issued = await import_csv(licensing, staff, body)
    elapsed = time.perf_counter() - started
    after = memory_kib(pid)
    print(f"import_rows {len(issued)}")
    print(f"import_csv_bytes {len(body)}")
    print(f"import_seconds {elapsed:.2f}")
    print(f"import_rows_per_s {len(issued) / elapsed:.0f}")
    print(f"service_vmhwm_before_mib {before['VmHWM'] / 1024:.1f}")
    print(f"service_vmhwm_after_mib {after['VmHWM'] / 1024:.1f}")
    print(f"service_vmrss_after_mib {after['VmRSS'] / 1024:.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, default=ROOT / ".run" / "test-licensing")
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--binds", type=int, default=10, help="licenses each customer binds")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    stack = json.loads((args.state / "stack.json").read_text())
    pid = json.loads((args.state / "pids" / "licensing.json").read_text())["pid"]
    async with (
        httpx.AsyncClient(base_url=stack["services"]["identity"]["url"], timeout=60) as identity,
        httpx.AsyncClient(base_url=stack["gateway"]["url"], timeout=60) as gateway,
        httpx.AsyncClient(
            base_url=stack["services"]["licensing"]["url"],
            timeout=600,
            limits=httpx.Limits(max_connections=100),
        ) as licensing,
    ):
        staff = await create_staff(stack)
        await bench_binds(stack, identity, gateway, licensing, staff, args.customers, args.binds, pid)
        if args.rows:
            await bench_import(licensing, staff, pid, args.rows)


if __name__ == "__main__":
    asyncio.run(main())
