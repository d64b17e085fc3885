"""A gateway rendered from the real nginx template by the stack tool, with every service upstream
pointed at `probe_app`, run under uvicorn as the services run."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from deploy.local import gateway
from deploy.local.context import Ctx
from deploy.local.paths import SERVICES
from deploy.local.report import Reporter
from tests.browser.conftest import browser, chromium  # noqa: F401 - the browser tests' own fixtures
from tests.kit import ROOT

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen[bytes], deadline: float = 90.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {deadline}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass(frozen=True)
class ProbeGateway:
    url: str
    log: Path  # the probe service's JSON log lines


@pytest.fixture(scope="module")
def probe_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProbeGateway]:
    if not gateway.NGINX.exists():
        pytest.fail(f"{gateway.NGINX} missing: run `make test`, which installs it with the stack")
    probe_port, gateway_port = _free_port(), _free_port()
    probe_log = tmp_path_factory.mktemp("probe-log") / "probe.log"
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tests.gateway.probe_app:app",
            "--host",
            HOST,
            "--port",
            str(probe_port),
            "--no-access-log",
        ],
        cwd=ROOT,
        stdout=probe_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    ctx = Ctx(
        state_dir=tmp_path_factory.mktemp("probe-gateway"),
        ports={"gateway": gateway_port, **{name: probe_port for name in SERVICES}},
        secrets={},
        reporter=Reporter(quiet=True),
    )
    conf = gateway.write_config(ctx)
    nginx = subprocess.Popen(
        [str(gateway.NGINX), "-p", str(gateway.prefix(ctx)), "-c", str(conf), "-g", "daemon off;"],
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_http(f"http://{HOST}:{probe_port}/notes", app)
        _wait_http(f"http://{HOST}:{gateway_port}/healthz", nginx)
        yield ProbeGateway(f"http://{HOST}:{gateway_port}", probe_log)
    finally:
        _stop(nginx)
        _stop(app)
