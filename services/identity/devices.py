"""A readable name for the device behind a session, from its User-Agent header.

Only the browser family with its major version and the operating system: enough for a person to
recognise "the laptop" or "the phone" in their session list. Anything not recognised is None
(the portal shows its own word for "unknown device"); the raw header is never shown, since it is
whatever the client chose to send."""

import re
from dataclasses import dataclass

# Order matters: Edge and Opera announce Chrome too, Chrome announces Safari.
_BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"(?:OPR|Opera)/(\d+)")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)[\d.]* (?:Mobile/\w+ )?Safari/")),
)
_SYSTEMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iPadOS", re.compile(r"\biPad\b")),
    ("iOS", re.compile(r"\biPhone\b|\biPod\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)
_TOOLS = re.compile(r"^(curl|Wget|python-httpx|python-requests|HeadlessChrome)/(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Device:
    browser: str | None  # "Firefox 121"
    system: str | None  # "Windows"

    @property
    def label(self) -> str | None:
        parts = [part for part in (self.browser, self.system) if part]
        return " · ".join(parts) or None


def describe(user_agent: str) -> Device:
    tool = _TOOLS.match(user_agent)
    if tool:
        return Device(f"{tool.group(1)} {tool.group(2)}", None)
    browser = None
    for name, pattern in _BROWSERS:
        found = pattern.search(user_agent)
        if found:
            browser = f"{name} {found.group(1)}"
            break
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    return Device(browser, system)
