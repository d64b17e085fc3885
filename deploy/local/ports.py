"""Free-port selection, persisted per state dir so restarts keep the same addresses."""

from __future__ import annotations

import errno
import random
import socket
from collections.abc import Callable
from pathlib import Path

from .paths import SERVICES
from .state import read_json, write_json

HOST = "127.0.0.1"
# Below the kernel's ephemeral range (32768+), so outgoing connections never squat our ports.
PORT_RANGE = (20000, 32000)

PORT_NAMES = (
    "postgres",
    "kafka",
    "kafka_controller",
    "kafka_sasl",
    "minio",
    "minio_console",
    "mailpit_smtp",
    "mailpit_http",
    "gateway",
    *SERVICES,
    "mailbox",
)

# Which component owns which ports (a running component legitimately holds them).
OWNER = {
    "postgres": "postgres",
    "kafka": "kafka",
    "kafka_controller": "kafka",
    "kafka_sasl": "kafka",
    "minio": "minio",
    "minio_console": "minio",
    "mailpit_smtp": "mailpit",
    "mailpit_http": "mailpit",
    "gateway": "gateway",
    **{name: name for name in SERVICES},
    "mailbox": "mailbox",
}


def port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the servers themselves: a port with only TIME_WAIT leftovers counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """Something accepts connections on the port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pick(taken: set[int]) -> int:
    rng = random.SystemRandom()
    for _ in range(500):
        port = rng.randint(*PORT_RANGE)
        if port not in taken and port_free(port):
            return port
    raise RuntimeError("no free TCP port found on 127.0.0.1")


def load_ports(state_dir: Path) -> dict[str, int]:
    data = read_json(state_dir / "ports.json")
    return {k: int(v) for k, v in data.items() if k in PORT_NAMES and isinstance(v, int)}


def ensure_ports(state_dir: Path, running: set[str], warn: Callable[[str, str], None]) -> dict[str, int]:
    """Return the stack's ports, assigning any missing ones.

    A persisted port whose owner is not running but which is bound by someone else is
    reassigned (with a warning) — a foreign process took it since the last run.
    """
    ports = load_ports(state_dir)
    changed = False
    for name in PORT_NAMES:
        port = ports.get(name)
        if port is not None and (OWNER[name] in running or port_free(port)):
            continue
        taken = set(ports.values())
        new = _pick(taken)
        if port is not None:
            warn(
                OWNER[name],
                f"port {port} ({name}) is taken by another process; using {new} instead",
            )
        ports[name] = new
        changed = True
    if changed:
        write_json(state_dir / "ports.json", dict(ports))
    return ports
