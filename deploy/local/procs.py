"""Detached child processes with pid records, so `down` stops exactly what `up` started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import clock

from .state import read_json, write_json


@dataclass
class ProcRecord:
    name: str
    pid: int
    argv: list[str]
    exe: str
    start_ticks: int
    log: str
    stop_signal: int = signal.SIGTERM
    fingerprint: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProcRecord:
        return cls(
            name=str(data["name"]),
            pid=int(data["pid"]),
            argv=[str(a) for a in data["argv"]],
            exe=str(data.get("exe", "")),
            start_ticks=int(data.get("start_ticks", 0)),
            log=str(data.get("log", "")),
            stop_signal=int(data.get("stop_signal", signal.SIGTERM)),
            fingerprint=str(data.get("fingerprint", "")),
        )


def _pid_dir(state_dir: Path) -> Path:
    return state_dir / "pids"


def _start_ticks(pid: int) -> int | None:
    """Process start time in clock ticks since boot (field 22 of /proc/<pid>/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses; split after the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        if fields[0] == "Z":
            return None
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def _exe(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def load(state_dir: Path, name: str) -> ProcRecord | None:
    data = read_json(_pid_dir(state_dir) / f"{name}.json")
    if not data:
        return None
    try:
        return ProcRecord.from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None


def alive(record: ProcRecord | None) -> bool:
    """The recorded pid still runs the program we started (not a recycled pid)."""
    if record is None:
        return False
    ticks = _start_ticks(record.pid)
    if ticks is None or ticks != record.start_ticks:
        return False
    exe = _exe(record.pid)
    return not record.exe or not exe or exe == record.exe or exe.removesuffix(" (deleted)") == record.exe


def running(state_dir: Path, name: str) -> ProcRecord | None:
    record = load(state_dir, name)
    return record if alive(record) else None


def spawn(
    state_dir: Path,
    name: str,
    argv: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    stop_signal: int = signal.SIGTERM,
    fingerprint: str = "",
) -> ProcRecord:
    """Start a long-running process in its own session, output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        stamp = clock.now().isoformat(timespec="seconds")
        out.write(f"\n=== {stamp} starting {name}: {' '.join(argv)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
    ticks = _start_ticks(proc.pid) or 0
    record = ProcRecord(
        name=name,
        pid=proc.pid,
        argv=list(argv),
        exe=_exe(proc.pid),
        start_ticks=ticks,
        log=str(log),
        stop_signal=int(stop_signal),
        fingerprint=fingerprint,
    )
    write_json(_pid_dir(state_dir) / f"{name}.json", record.__dict__)
    # Popen keeps a handle for reaping; we deliberately let the child outlive us.
    proc.returncode = 0
    return record


def exited_early(record: ProcRecord) -> bool:
    """For readiness loops: the process we just started has died."""
    try:
        pid, _ = os.waitpid(record.pid, os.WNOHANG)
        if pid == record.pid:
            return True
    except ChildProcessError:
        pass
    return not alive(record)


def stop(state_dir: Path, name: str, *, timeout: float = 30.0) -> bool:
    """Politely stop a recorded process: its stop signal, wait, then SIGKILL. True if it was running."""
    record = load(state_dir, name)
    pid_file = _pid_dir(state_dir) / f"{name}.json"
    if not alive(record):
        pid_file.unlink(missing_ok=True)
        return False
    assert record is not None
    _signal(record.pid, record.stop_signal)
    if not _wait_gone(record, timeout):
        _signal(record.pid, signal.SIGKILL)
        _wait_gone(record, 10.0)
    pid_file.unlink(missing_ok=True)
    return True


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_gone(record: ProcRecord, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Reap it if it is our own child (e.g. start then stop in one Python process).
        with contextlib.suppress(ChildProcessError):
            os.waitpid(record.pid, os.WNOHANG)
        if not alive(record):
            return True
        time.sleep(0.1)
    return not alive(record)
