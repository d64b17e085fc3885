"""Progress lines (``[kafka] starting… ✓ 3.1s``) and the one error type the tool raises."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OK = "✓"
FAIL = "✗"


class StackError(RuntimeError):
    """A step failed. Carries what to do next and the tail of the log that explains it."""

    def __init__(self, step: str, message: str, *, hint: str = "", log: Path | None = None) -> None:
        self.step = step
        self.message = message
        self.hint = hint
        self.log = log
        super().__init__(f"[{step}] {message}")

    def __str__(self) -> str:
        # Callers such as pytest show only str(exc): include the log tail and the hint.
        return self.details()

    def details(self, lines: int = 30) -> str:
        parts = [f"{FAIL} [{self.step}] {self.message}"]
        if self.log is not None:
            tail = tail_lines(self.log, lines)
            if tail:
                parts.append(f"--- last {lines} lines of {self.log} ---")
                parts.append(tail.rstrip("\n"))
                parts.append("---")
        if self.hint:
            parts.append(f"next: {self.hint}")
        return "\n".join(parts)


def tail_lines(path: Path, lines: int = 30) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:]) + "\n"


class Reporter:
    """Prints one line per step. Safe to use from worker threads (they print whole lines)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._lock = threading.Lock()
        self._open_line = False  # an inline step printed its "…" and awaits its ✓/✗

    def _break_open_line(self) -> None:
        if self._open_line:
            print(flush=True)
            self._open_line = False

    def info(self, component: str, message: str) -> None:
        if not self.quiet:
            with self._lock:
                self._break_open_line()
                print(f"[{component}] {message}", flush=True)

    def warn(self, component: str, message: str) -> None:
        with self._lock:
            self._break_open_line()
            print(f"[{component}] ! {message}", file=sys.stderr if self.quiet else sys.stdout, flush=True)

    @contextmanager
    def step(self, component: str, message: str) -> Iterator[None]:
        """Announce a step, then print ✓/✗ and its duration.

        In the main thread the line is opened before the work so slow steps show what they
        are doing; in worker threads the line is printed whole at the end.
        """
        inline = threading.current_thread() is threading.main_thread() and not self.quiet
        start = time.monotonic()
        if inline:
            with self._lock:
                self._break_open_line()
                print(f"[{component}] {message}…", end="", flush=True)
                self._open_line = True
        try:
            yield
        except BaseException:
            self._finish(component, message, FAIL, time.monotonic() - start, inline, failed=True)
            raise
        self._finish(component, message, OK, time.monotonic() - start, inline, failed=False)

    def _finish(
        self, component: str, message: str, mark: str, elapsed: float, inline: bool, *, failed: bool
    ) -> None:
        if self.quiet and not failed:
            return
        with self._lock:
            if inline and self._open_line:
                print(f" {mark} {elapsed:.1f}s", flush=True)
                self._open_line = False
            else:
                print(f"[{component}] {message}… {mark} {elapsed:.1f}s", flush=True)
