"""The browser the portal tests drive: Debian's Chromium, its driver, and CJK fonts.

Not part of the running stack (`make run` needs no browser), but installed the way PostgreSQL
and nginx are, from Debian packages and only when missing, so `make test` works on a fresh
machine without any other setup step. The fonts matter as much as the browser: without them
the zh-TW, zh-CN and ja pages render as empty boxes.
"""

from __future__ import annotations

from pathlib import Path

from .install import apt_install, missing_debian_packages
from .report import Reporter, StackError

NAME = "browser"
PACKAGES = ("chromium", "chromium-driver", "fonts-noto-cjk")
CHROMIUM = Path("/usr/bin/chromium")


def ensure_installed(reporter: Reporter, log: Path) -> Path:
    """Install whatever of PACKAGES is missing; return the Chromium executable."""
    missing = missing_debian_packages(PACKAGES)
    if missing:
        apt_install(reporter, NAME, missing, log)
    if not CHROMIUM.exists():
        raise StackError(NAME, f"{CHROMIUM} missing after installing {', '.join(PACKAGES)}", log=log)
    return CHROMIUM
