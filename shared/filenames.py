"""File names a customer's browser saves: the same name on Windows, macOS and Linux.

A name we hand out (a license file, a release artifact) must be saved exactly as we named it.
Browsers silently rewrite what a file system refuses (Chromium saves `A*.lic` as `A_.lic`), and
Windows refuses `<>:"/\\|?*`, control characters, a trailing dot or space and device names such
as `CON` or `LPT1` whatever their extension. Bidirectional controls can disguise an extension
(`invoice\u202egpj.exe`). `safe_filename` keeps every other character (non-ASCII letters are fine
everywhere) and replaces the rest with `_`; `attachment_disposition` sends it in a
Content-Disposition header with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).
"""

import re
import unicodedata
from urllib.parse import quote

# Windows' reserved characters plus what no file system or header should carry.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{n}" for n in range(1, 10)} | {f"LPT{n}" for n in range(1, 10)}
)
_TRAILING = re.compile(r"[\s.]+$")  # Windows drops trailing dots and spaces
_SUFFIX = re.compile(r"(\.[^.]{1,10}){1,2}$")  # `.zip`, `.tar.gz`
MAX_BYTES = 255  # the usual limit of one path component (ext4, APFS, NTFS in UTF-16 units)


def _replace_invisible(name: str) -> str:
    # Format (Cf: bidi controls, zero-width joiners) and other control characters.
    return "".join("_" if unicodedata.category(ch) in {"Cf", "Cc"} else ch for ch in name)


def safe_filename(name: str, fallback: str = "download") -> str:
    """A name every common file system stores unchanged; `fallback` when nothing usable is left."""
    cleaned = _FORBIDDEN.sub("_", _replace_invisible(unicodedata.normalize("NFC", name)))
    cleaned = _TRAILING.sub("", cleaned).lstrip()
    stem = cleaned.split(".", 1)[0].rstrip(" ")
    if stem.upper() in _WINDOWS_DEVICES:
        cleaned = f"_{cleaned}"
    if len(cleaned.encode()) > MAX_BYTES:  # shorten the stem, keep the extension(s)
        suffix = _SUFFIX.search(cleaned)
        extension = suffix.group() if suffix and suffix.start() > 0 else ""
        stem = cleaned[: len(cleaned) - len(extension)]
        while len((stem + extension).encode()) > MAX_BYTES:
            stem = stem[:-1]
        cleaned = _TRAILING.sub("", stem) + extension
    return cleaned if cleaned.strip("._ ") else fallback


def is_safe_filename(name: str) -> bool:
    return bool(name) and safe_filename(name) == name


def attachment_disposition(filename: str) -> str:
    """`attachment` for a name made safe, with an ASCII fallback for old clients."""
    safe = safe_filename(filename)
    fallback = safe.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"
