"""Everything a component needs to know about the stack it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .paths import cache_dir
from .ports import HOST
from .report import Reporter


@dataclass
class Ctx:
    state_dir: Path
    ports: dict[str, int]
    secrets: dict[str, str]
    reporter: Reporter

    @property
    def cache(self) -> Path:
        return cache_dir()

    @property
    def logs(self) -> Path:
        return self.state_dir / "logs"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def url(self, port_name: str) -> str:
        return f"http://{HOST}:{self.ports[port_name]}"
