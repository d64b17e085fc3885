"""Serials and registration numbers: readable, grouped, Crockford base32.

A serial is `<PREFIX>-XXXX-XXXX-XXXC`: the product prefix, eleven random symbols and one
check symbol, so a mistyped serial is caught before any lookup (and before it counts as a failed
attempt). The check symbol comes from the same 32 letters and digits as the rest (Crockford's
mod-37 check adds `*~$=U`, which no file system or invoice reader handles well).

The check is Damm's scheme over a totally anti-symmetric quasigroup of order 32,
`x ∘ y = 2·x + y` in GF(2⁵) (x⁵ + x² + 1): every single wrong symbol and every swap of two
neighbours (the check symbol included) changes the result, by construction rather than by
chance. Registration numbers are 20 random symbols (100 bits) in groups of five; they are
secrets and only their keyed hash is stored.
"""

import hashlib
import hmac
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# x⁵ + x² + 1: irreducible over GF(2), so doubling below is multiplication in GF(32).
_FIELD_POLYNOMIAL = 0b100101
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
# Crockford decoding is lenient with the symbols people confuse.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_]+")

SERIAL_BODY = 11
REGISTRATION_LENGTH = 20


class MalformedSerial(ValueError):
    """The text cannot be a serial: wrong shape, unknown prefix or wrong check symbol."""


def _double(value: int) -> int:
    """2·value in GF(32): 2 is neither 0 nor 1, which makes `∘` totally anti-symmetric."""
    value <<= 1
    return value ^ _FIELD_POLYNOMIAL if value & 32 else value


def _interim(symbols: str) -> int:
    # (c∘x)∘y = 4c + 2x + y; equal to (c∘y)∘x only when x = y (addition is XOR).
    value = 0
    for symbol in symbols:
        value = _double(value) ^ _VALUES[symbol]
    return value


def check_symbol(body: str) -> str:
    """The symbol that brings the whole serial's interim back to 0."""
    return ALPHABET[_double(_interim(body))]


def is_valid(body_and_check: str) -> bool:
    return _interim(body_and_check) == 0


def _random_symbols(count: int) -> str:
    # Five random bits per symbol from one read of the CSPRNG: bulk imports issue 100,000s.
    value = int.from_bytes(secrets.token_bytes((count * 5 + 7) // 8), "big")
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(count))


def _group(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def format_serial(prefix: str, body: str) -> str:
    return "-".join([prefix, *_group(body + check_symbol(body), 4)])


def new_serial(prefix: str) -> str:
    return format_serial(prefix, _random_symbols(SERIAL_BODY))


def parse_serial(text: str, prefixes: set[str] | frozenset[str]) -> tuple[str, str]:
    """Normalise (case, spaces, dashes, O/I/L) and validate; return (prefix, canonical serial)."""
    compact = _SEPARATORS.sub("", text).upper()
    for prefix in sorted(prefixes, key=len, reverse=True):
        if compact.startswith(prefix.upper()):
            rest = compact[len(prefix) :].translate(_ALIASES)
            break
    else:
        raise MalformedSerial("unknown product prefix")
    if len(rest) != SERIAL_BODY + 1 or any(s not in _VALUES for s in rest):
        raise MalformedSerial("wrong length or symbols")
    if not is_valid(rest):
        raise MalformedSerial("check symbol does not match")
    return prefix, format_serial(prefix, rest[:-1])


def new_registration_number() -> str:
    return "-".join(_group(_random_symbols(REGISTRATION_LENGTH), 5))


def normalise_registration_number(text: str) -> str:
    return _SEPARATORS.sub("", text).upper().translate(_ALIASES)


def registration_hash(pepper: bytes, registration_number: str) -> str:
    """Keyed hash (HMAC-SHA256): a stolen database alone does not allow offline guessing."""
    normalised = normalise_registration_number(registration_number)
    return hmac.new(pepper, normalised.encode(), hashlib.sha256).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
