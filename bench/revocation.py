"""Revocation propagation (prints numbers, asserts nothing).

How long after identity ends a session do the other services refuse its access token? For each
round: sign in, check the token works in licensing, sign out, then poll licensing with the token
until it answers 401. The baseline beside it is the same poll against identity's own /me, which
checks the session in identity's database (no event in between).

    .venv/bin/python bench/revocation.py --state .run/test --rounds 50
"""

import argparse
import asyncio
import json
import os
import time
import uuid
from pathlib import Path

import httpx

from bench.rows import NO_TARGET, Row, emit
from deploy.portal_client import run_cli

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Quiet-Lantern-7731"  # noqa: S105 - a throwaway account of the benchmark


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def _until_refused(client: httpx.AsyncClient, path: str, token: str, started: float) -> float:
    while True:
        answer = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        if answer.status_code == 401:
            return time.perf_counter() - started
        await asyncio.sleep(0.005)


async def one_round(client: httpx.AsyncClient, email: str, path: str) -> float:
    signed_in = await client.post("/api/identity/auth/login", json={"email": email, "password": PASSWORD})
    signed_in.raise_for_status()
    token = signed_in.json()["access_token"]
    (await client.get(path, headers={"Authorization": f"Bearer {token}"})).raise_for_status()
    started = time.perf_counter()
    (
        await client.post("/api/identity/auth/logout", headers={"Authorization": f"Bearer {token}"})
    ).raise_for_status()
    return await asyncio.wait_for(_until_refused(client, path, token, started), timeout=30)


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name:<28} p50 {percentile(ms, 50):7.1f} ms   p99 {percentile(ms, 99):7.1f} ms   max {max(ms):7.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--state", default=os.environ.get("SP_TEST_STATE", str(ROOT / ".run" / "test")))
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    stack = json.loads((Path(args.state) / "stack.json").read_text())
    email = f"bench-revoke-{uuid.uuid4().hex[:10]}@example.com"
    run_cli(
        "services.identity.cli", stack["services"]["identity"]["env"], "create-user", "--email", email, "--name", "Bench User",
        "--phone", "+886912345678", "--password", PASSWORD, "--verified",
    )  # fmt: skip
    async with httpx.AsyncClient(base_url=stack["gateway"]["url"], timeout=30) as client:
        baseline = [await one_round(client, email, "/api/identity/me") for _ in range(args.rounds)]
        across = [await one_round(client, email, "/api/licensing/me/licenses") for _ in range(args.rounds)]
    print(f"sign-out to refusal, {args.rounds} rounds each")
    report("identity /me (database)", baseline)
    report("licensing (SessionsRevoked)", across)
    print(f"ratio p50 licensing/identity: {percentile(across, 50) / percentile(baseline, 50):.1f}x")
    emit(
        Row(
            benchmark=f"sign-out → access token refused by licensing (SessionsRevoked), {args.rounds} rounds",
            figure=f"p50 {1000 * percentile(across, 50):.0f} ms, p99 {1000 * percentile(across, 99):.0f} ms",
            baseline=f"identity /me (its database): p50 {1000 * percentile(baseline, 50):.0f} ms",
            ratio=round(percentile(baseline, 50) / percentile(across, 50), 3),
            target=NO_TARGET,
            met=False,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
