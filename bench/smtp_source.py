"""Postfix's `smtp-source`: a native SMTP load generator, the ceiling an SMTP sink can take.

It ships in Debian's `postfix` package. A benchmark installs nothing, so it is looked up here:
`--smtp-source PATH`, else `$SMTP_SOURCE`, else `smtp-source` on the PATH or in /usr/sbin, else
the package extracted (without installing or starting a mail server) into the cache:

    cd /tmp && apt-get download postfix
    dpkg-deb -x postfix_*.deb ~/.cache/support-portal/postfix

An extracted binary needs Postfix's own libraries (`usr/lib/postfix` beside it), which is set in
`LD_LIBRARY_PATH` when it is run. `postfix` installed with apt-get would start a mail server
listening on port 25; nothing here needs it, only the binary.
"""

import os
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "support-portal" / "postfix"
MISSING = f"""smtp-source (Postfix's SMTP load generator) was not found.
Give its path with --smtp-source or SMTP_SOURCE, or extract it (nothing is installed or started):
    cd /tmp && apt-get download postfix && dpkg-deb -x postfix_*.deb {CACHE}"""


@dataclass(frozen=True)
class SmtpSourceRun:
    seconds: float
    count: int
    cpu_seconds: float  # user + system time of the smtp-source process

    @property
    def rate(self) -> float:
        return self.count / self.seconds


def find(explicit: str | None) -> Path | None:
    candidates = [
        explicit,
        os.environ.get("SMTP_SOURCE"),
        shutil.which("smtp-source"),
        "/usr/sbin/smtp-source",
        str(CACHE / "usr" / "sbin" / "smtp-source"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def run(
    binary: Path,
    *,
    host: str,
    port: int,
    sessions: int,
    messages: int,
    size: int,
    mail_file: Path | None = None,
) -> SmtpSourceRun:
    """`smtp-source -s sessions -m messages -l size` against host:port; wall and CPU time.
    With `mail_file`, `-F mail_file` instead of `-l`: that very message (header and body) each time."""
    env = dict(os.environ)
    libraries = binary.parent.parent / "lib" / "postfix"  # an extracted package's own libraries
    if libraries.is_dir():
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(libraries), env.get("LD_LIBRARY_PATH")]))
    command = [
        str(binary),
        *("-s", str(sessions), "-m", str(messages)),
        *(("-F", str(mail_file)) if mail_file else ("-l", str(size))),
        *("-f", "bench@example.com", "-t", "smtp-source@example.com"),
        f"{host}:{port}",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return SmtpSourceRun(seconds=seconds, count=messages, cpu_seconds=cpu)
