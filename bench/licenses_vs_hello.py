"""A customer's license list through nginx, beside a bare "hello" endpoint behind the same nginx
(prints numbers, asserts nothing).

    .venv/bin/python bench/licenses_vs_hello.py --state .run/test [--seconds 15 --connections 20 --licenses 5]

One customer holding LICENSES bound licenses asks for `GET /me/licenses` (the portal's
`/api/licensing/me/licenses`) with its access token; the baseline is a raw ASGI app
(bench/hello.py) under uvicorn with uvloop and httptools, started here on a free loopback port.
A second baseline shows what the framework costs apart from our code: a FastAPI app with one
authenticated dependency (`bench.hello:fastapi_hello`, the services' own JWT verification against
identity's JWKS), asked with the same token. All sit behind ONE nginx started here with a minimal config (the same proxy settings for both,
keep-alive upstreams, no rate limits: the stack's gateway limits /me per address, which would
measure nginx's limit, not the service). The load generator is `wrk` (apt: wrk) in its own
process, at the same connection count for both; its CPU share is printed. Figures: requests/s,
p50/p99, the ratio licenses ÷ hello (target ≥ 0.5×), and each server process's CPU per request.
"""

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.hello import JWKS_URL_VARIABLE  # noqa: E402
from bench.licensing import import_csv, licenses_csv  # noqa: E402 - the repository root first
from bench.process_cpu import CpuMeter, load_average, service_pid  # noqa: E402
from bench.rows import NO_TARGET, Row, emit  # noqa: E402
from tests.accounts import register_customer  # noqa: E402
from tests.licensing.helpers import create_staff, wait_until_licensing_knows  # noqa: E402

NGINX = "/usr/sbin/nginx"
TARGET_RATIO = 0.5
NGINX_CONF = """
worker_processes 1;
daemon off;
user root;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream licensing_service {{ server {licensing}; keepalive 32; }}
    upstream hello_service {{ server {hello}; keepalive 32; }}
    upstream fastapi_hello_service {{ server {fastapi_hello}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-Prefix /api/licensing;
        location /api/licensing/ {{ proxy_pass http://licensing_service/; }}
        location = /hello {{ proxy_pass http://hello_service/; }}
        location = /fastapi-hello {{ proxy_pass http://fastapi_hello_service/hello; }}
    }}
}}
"""


@dataclass
class WrkResult:
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    cpu_share: float  # of one core, the load generator's own


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, deadline_seconds: float = 30) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port} after {deadline_seconds} s")


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        raise ValueError(f"wrk printed no {pattern!r}:\n{text}")
    return match.group(1)


def _ms(text: str) -> float:
    number, unit = _found(r"^([\d.]+)(?:us|ms|s)$", text), _found(r"(us|ms|s)$", text)
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, token: str | None, seconds: int, connections: int) -> WrkResult:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        argv[1:1] = ["-H", f"Authorization: Bearer {token}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    output = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rate = float(_found(r"Requests/sec:\s+([\d.]+)", output))
    # Anchored: "+/- Stdev" columns end in percentages too (e.g. "87.50%").
    p50, p99 = _ms(_found(r"^\s+50%\s+(\S+)", output)), _ms(_found(r"^\s+99%\s+(\S+)", output))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    requests = int(_found(r"(\d+) requests in", output))
    return WrkResult(requests, rate, p50, p99, int(bad.group(1)) if bad else 0, cpu / elapsed)


async def customer_with_licenses(stack: dict, licenses: int) -> str:
    """An access token of a customer holding `licenses` bound licenses."""
    async with (
        httpx.AsyncClient(base_url=stack["services"]["identity"]["url"], timeout=60) as identity,
        httpx.AsyncClient(base_url=stack["gateway"]["url"], timeout=60) as gateway,
        httpx.AsyncClient(base_url=stack["services"]["licensing"]["url"], timeout=60) as licensing,
    ):
        staff = await create_staff(stack)
        account = await register_customer(identity, staff)
        await wait_until_licensing_knows(gateway, account)
        issued = await import_csv(
            licensing, staff, licenses_csv(licenses, f"bench-list-{time.monotonic_ns()}")
        )
        for row in issued:
            response = await licensing.post(
                "/me/licenses",
                json={"serial": row["serial"], "registration_number": row["registration_number"]},
                headers=account.headers,
            )
            response.raise_for_status()
        listed = await licensing.get("/me/licenses", headers=account.headers)
        assert len(listed.json()) == licenses, listed.text
        return account.headers["Authorization"].removeprefix("Bearer ")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--state", type=Path, default=ROOT / ".run" / "test")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--licenses", type=int, default=5, help="licenses the customer holds")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    stack = json.loads((args.state / "stack.json").read_text())
    token = asyncio.run(customer_with_licenses(stack, args.licenses))
    licensing_address = stack["services"]["licensing"]["url"].removeprefix("http://")
    jwks_url = stack["services"]["identity"]["url"] + "/.well-known/jwks.json"
    hello_port, fastapi_port, nginx_port = free_port(), free_port(), free_port()
    uvicorn = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--no-access-log",
               "--loop", "uvloop", "--http", "httptools", "--log-level", "warning"]  # fmt: skip
    with tempfile.TemporaryDirectory() as prefix:
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                prefix=prefix,
                licensing=licensing_address,
                hello=f"127.0.0.1:{hello_port}",
                fastapi_hello=f"127.0.0.1:{fastapi_port}",
                port=nginx_port,
            )
        )
        hello = subprocess.Popen([*uvicorn, "--port", str(hello_port), "bench.hello:app"], cwd=ROOT)
        fastapi_hello = subprocess.Popen(
            [*uvicorn, "--port", str(fastapi_port), "--factory", "bench.hello:fastapi_hello"],
            cwd=ROOT,
            env={**os.environ, JWKS_URL_VARIABLE: jwks_url},
        )
        nginx = subprocess.Popen([NGINX, "-p", prefix, "-c", str(conf)])
        try:
            for port in (hello_port, fastapi_port, nginx_port):
                wait_listening(port)
            base = f"http://127.0.0.1:{nginx_port}"
            targets = {  # label: (url, token, the process answering)
                "hello (bare uvicorn)": (f"{base}/hello", None, hello.pid),
                "FastAPI hello + JWT": (f"{base}/fastapi-hello", token, fastapi_hello.pid),
                "GET my licenses": (
                    f"{base}/api/licensing/me/licenses",
                    token,
                    service_pid(args.state, "licensing"),
                ),
            }
            for url, bearer, _ in targets.values():  # warm up every path
                wrk(url, bearer, 2, args.connections)
            results: dict[str, tuple[WrkResult, float]] = {}
            for label, (url, bearer, pid) in targets.items():
                with CpuMeter(pid) as cpu:
                    result = wrk(url, bearer, args.seconds, args.connections)
                results[label] = (result, cpu.per(result.requests))
        finally:
            for process in (nginx, hello, fastapi_hello):
                process.terminate()
            for process in (nginx, hello, fastapi_hello):
                process.wait(10)
    load = load_average()
    for label, (result, cpu_per_request) in results.items():
        print(
            f"  {label:<22} {result.rate:9.0f} req/s   p50 {result.p50_ms:7.2f} ms   p99 {result.p99_ms:7.2f} ms"
            f"   non-2xx {result.non_2xx}   server CPU {1000 * cpu_per_request:.3f} ms/request"
            f"   wrk CPU {100 * result.cpu_share:.0f}% of a core"
        )
    hello_result, _ = results["hello (bare uvicorn)"]
    framework, framework_cpu = results["FastAPI hello + JWT"]
    listing, listing_cpu = results["GET my licenses"]
    ratio = listing.rate / hello_result.rate
    print(
        f"  ratio licenses/hello: {ratio:.3f}   licenses/FastAPI hello: {listing.rate / framework.rate:.3f}"
    )
    print(f"  ({args.connections} connections, load {load})")
    emit(
        Row(
            benchmark=f"GET my licenses ({args.licenses}) through nginx, {args.connections} connections",
            figure=f"{listing.rate:.0f} req/s, p50 {listing.p50_ms:.1f} / p99 {listing.p99_ms:.1f} ms, "
            f"{1000 * listing_cpu:.2f} ms CPU/request (load {load})",
            baseline=f"bare uvicorn hello behind the same nginx: {hello_result.rate:.0f} req/s, "
            f"p50 {hello_result.p50_ms:.1f} / p99 {hello_result.p99_ms:.1f} ms",
            ratio=round(ratio, 3),
            target=f"≥ {TARGET_RATIO}×",
            met=ratio >= TARGET_RATIO and listing.non_2xx == 0,
        )
    )
    emit(
        Row(
            benchmark=f"GET my licenses ({args.licenses}) vs FastAPI + the same JWT dependency, "
            f"{args.connections} connections",
            figure=f"{listing.rate:.0f} req/s, {1000 * listing_cpu:.2f} ms CPU/request (load {load})",
            baseline=f"FastAPI hello + JWT behind the same nginx: {framework.rate:.0f} req/s, "
            f"{1000 * framework_cpu:.2f} ms CPU/request",
            ratio=round(listing.rate / framework.rate, 3),
            target=NO_TARGET,
            met=False,  # no target: the summary shows "—" and counts it as none
        )
    )


if __name__ == "__main__":
    main()
