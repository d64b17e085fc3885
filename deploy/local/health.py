"""Readiness polling with deadlines."""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from . import procs
from .report import StackError

T = TypeVar("T")


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback URLs we built
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


def http_ok(url: str, timeout: float = 2.0) -> bool:
    return http_status(url, timeout) == 200


def wait_ready(
    component: str,
    check: Callable[[], bool],
    *,
    deadline: float,
    record: procs.ProcRecord | None = None,
    log: Path | None = None,
    what: str = "ready",
    hint: str = "",
    interval: float = 0.2,
) -> None:
    """Poll ``check`` until true; fail early if the started process dies, or at the deadline."""
    end = time.monotonic() + deadline
    while True:
        if check():
            return
        if record is not None and procs.exited_early(record):
            raise StackError(component, f"process exited before it was {what}", hint=hint, log=log)
        if time.monotonic() >= end:
            raise StackError(component, f"not {what} after {deadline:.0f}s", hint=hint, log=log)
        time.sleep(interval)


def run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]], timeout: float) -> T:
    """Run a coroutine to completion from sync code, even when the caller's thread already runs
    an event loop (e.g. an async pytest fixture): it gets its own loop in a helper thread."""

    def runner() -> T:
        return asyncio.run(asyncio.wait_for(factory(), timeout=timeout))

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(runner).result()
