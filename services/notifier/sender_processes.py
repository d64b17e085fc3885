"""The sender in more than one process.

One Python process sending mail is bound by its own CPU (render, MIME bytes, SMTP protocol and the
event loop, ~1 ms per mail) well below what an SMTP server takes. So the service process runs one
MailSender itself and starts `sender_processes - 1` workers, each a MailSender with its own
database connections and its share of the `sender_concurrency` SMTP connections (the total stays
what the settings say). `SKIP LOCKED` keeps their batches apart as it does between replicas, so
every guarantee of sender.py holds: once per (event, recipient), the status per recipient, the
retries through an SMTP outage.

A worker is `python -m services.notifier.sender_processes --connections N` with the service's
environment (so its settings). It writes its counters' totals to stdout as `SENDER-COUNTERS {json}`
lines, which the service adds to its own counters, so /metrics counts every mail; its other
output (the JSON log) is passed through. It exits when its stdin closes, i.e. when the service
process is gone, so no worker outlives it; a worker that exits is started again.
"""

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI
from prometheus_client import Counter

from services.notifier.config import Settings
from services.notifier.sender import MAILS_GIVEN_UP, MAILS_SENT, SEND_FAILURES, MailSender
from shared.logging import configure_logging, get_logger

log = get_logger(__name__)

COUNTERS_PREFIX = b"SENDER-COUNTERS "
FORWARDED: dict[str, Counter] = {"sent": MAILS_SENT, "failed": SEND_FAILURES, "given_up": MAILS_GIVEN_UP}
REPORT_SECONDS = 0.5
STOP_SECONDS = 10.0


def connection_shares(connections: int, processes: int) -> list[int]:
    """SMTP connections per process, as even as they go; no process without one."""
    processes = max(1, min(processes, connections))
    return [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]


def sender_task(settings: Settings) -> Callable[[FastAPI], Coroutine[Any, Any, None]]:
    """The background loop create_service_app runs for the app's lifetime."""

    async def run(app: FastAPI) -> None:
        own, *workers = connection_shares(settings.sender_concurrency, settings.sender_processes)
        sender = MailSender(settings, own)
        app.state.mail_sender = sender
        await asyncio.gather(sender.run(), *(supervise(share) for share in workers))

    return run


# --- in the service process ------------------------------------------------------------------


async def supervise(connections: int) -> None:
    """Run one worker for as long as the service runs, starting it again if it exits."""
    delay = 1.0
    while True:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            "--connections",
            str(connections),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert process.stdout is not None
            await _read_worker_output(process.stdout)
            code = await process.wait()
        except asyncio.CancelledError:
            await _stop(process)
            raise
        log.warning("sender process exited, starting it again", code=code, retry_in=delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 30.0)


async def _read_worker_output(stream: asyncio.StreamReader) -> None:
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    while line := await stream.readline():
        if not line.startswith(COUNTERS_PREFIX):
            sys.stdout.buffer.write(line)  # the worker's log joins the service's
            sys.stdout.buffer.flush()
            continue
        for name, samples in json.loads(line[len(COUNTERS_PREFIX) :]).items():
            for labels, total in samples:
                key = (name, tuple(sorted(labels.items())))
                delta = total - seen.get(key, 0.0)
                if delta > 0 and name in FORWARDED:
                    FORWARDED[name].labels(**labels).inc(delta)
                seen[key] = total


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


# --- in a worker process ---------------------------------------------------------------------


def _counter_totals() -> dict[str, list[tuple[dict[str, str], float]]]:
    totals: dict[str, list[tuple[dict[str, str], float]]] = {}
    for name, counter in FORWARDED.items():
        totals[name] = [
            (sample.labels, sample.value)
            for metric in counter.collect()
            for sample in metric.samples
            if sample.name.endswith("_total")
        ]
    return totals


async def _report_counters() -> None:
    last = ""
    while True:
        await asyncio.sleep(REPORT_SECONDS)
        current = json.dumps(_counter_totals())
        if current != last:
            sys.stdout.buffer.write(COUNTERS_PREFIX + current.encode() + b"\n")
            sys.stdout.buffer.flush()
            last = current


async def _until_stdin_closes() -> None:
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    await reader.read()  # returns at end of file: the service process closed the pipe or is gone


async def work(connections: int) -> None:
    settings = Settings()
    configure_logging(settings.service_name)
    sender = MailSender(settings, connections)
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(c) for c in (sender.run(), _report_counters(), _until_stdin_closes())]
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, tasks[2].cancel)
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*tasks[:2], return_exceptions=True)
    sys.stdout.buffer.write(COUNTERS_PREFIX + json.dumps(_counter_totals()).encode() + b"\n")
    sys.stdout.buffer.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One worker process of the notifier's mail sender.")
    parser.add_argument("--connections", type=int, required=True, help="SMTP connections of this worker")
    args = parser.parse_args(argv)
    asyncio.run(work(args.connections))


if __name__ == "__main__":
    main()
