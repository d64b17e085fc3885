"""What the portal (web/js) asks of the services: every `api(...)` call read from the scripts as
a method and a path pattern, and the fields a page reads from an answer.

Good enough for our own plain modules, not a JavaScript parser: string and template literals,
`${…}` expressions (a path segment holding one matches any segment), and a call whose path is a
variable resolved from where the script sets it (`const base = …`), else from the service paths
the script writes (handed to the call as parameters), else from what other scripts hand it
(`searchPath: "…"`).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from tests.kit import ROOT

WEB_JS = ROOT / "web" / "js"
SERVICES = ("identity", "licensing", "downloads", "cases", "notifier")
ANY = "\0"  # a path segment built from an expression
_QUOTES = "\"'`"


@dataclass(frozen=True)
class Literal:
    parts: tuple[str, ...]  # text, with each ${expression} as ANY
    expressions: tuple[str, ...]
    end: int  # index after the closing quote


@dataclass(frozen=True)
class PortalCall:
    where: str  # file:line
    method: str
    service: str
    segments: tuple[str, ...]  # the path below /api/<service>, ANY where an expression goes

    @property
    def shown(self) -> str:
        return f"{self.method} /{self.service}/" + "/".join("{…}" if ANY in s else s for s in self.segments)


def read_literal(text: str, start: int) -> Literal | None:
    """The string or template literal starting at `start`, or None if none starts there."""
    quote = text[start] if start < len(text) else ""
    if quote not in _QUOTES:
        return None
    parts, expressions, current, i = [], [], [], start + 1
    while i < len(text) and text[i] != quote:
        if text[i] == "\\":
            current.append(text[i + 1])
            i += 2
        elif quote == "`" and text.startswith("${", i):
            depth, j = 1, i + 2
            while depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            parts.append("".join(current) + ANY)
            current = []
            expressions.append(text[i + 2 : j - 1].strip())
            i = j
        else:
            current.append(text[i])
            i += 1
    parts.append("".join(current))
    return Literal(tuple(parts), tuple(expressions), i + 1)


def _call_arguments(text: str, open_paren: int) -> str:
    """The text between a call's parentheses (quotes and nesting respected)."""
    depth, i = 0, open_paren
    while True:
        char = text[i]
        if char in _QUOTES:
            literal = read_literal(text, i)
            assert literal is not None
            i = literal.end
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        i += 1
        if depth == 0:
            return text[open_paren + 1 : i - 1]


def _definitions(name: str, texts: list[str]) -> list[Literal]:
    """Literals assigned to `name` (`name = …`, `name: …`) in these scripts."""
    found = []
    for text in texts:
        for match in re.finditer(rf"\b{re.escape(name)}\s*[:=]\s*(?=[{_QUOTES}])", text):
            literal = read_literal(text, match.end())
            if literal is not None:
                found.append(literal)
    return found


def _inline(literal: Literal, texts: list[str]) -> str:
    """The literal's text, with a leading `${name}` replaced by what `name` is set to."""
    text = "".join(literal.parts)
    if literal.parts[0] == ANY and re.fullmatch(r"\w+", literal.expressions[0]):
        defined = _definitions(literal.expressions[0], texts)
        if len(defined) == 1:
            text = _inline(defined[0], texts) + text[1:]
    return text


def _as_call(where: str, method: str, path: str) -> PortalCall | None:
    path = path.split("?", 1)[0]
    segments = path.strip("/").split("/")
    if not path.startswith("/") or segments[0] not in SERVICES:
        return None
    return PortalCall(where, method, segments[0], tuple(segments[1:]))


def _service_paths_in(text: str) -> list[Literal]:
    found = []
    for match in re.finditer(rf"[{_QUOTES}]/(?:{'|'.join(SERVICES)})/", text):
        literal = read_literal(text, match.start())
        if literal is not None:
            found.append(literal)
    return found


def portal_calls() -> list[PortalCall]:
    texts = {path: path.read_text(encoding="utf-8") for path in sorted(WEB_JS.rglob("*.js"))}
    calls: list[PortalCall] = []
    for path, text in texts.items():
        for match in re.finditer(r"(?<![\w.])(?<!function )(api|fetch)\(", text):
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            arguments = _call_arguments(text, match.end() - 1)
            method_named = re.search(r"\bmethod:\s*[\"'](\w+)[\"']", arguments)
            method = method_named.group(1) if method_named else "GET"
            first = arguments.split(",", 1)[0].strip()
            if match.group(1) == "fetch":
                literal = read_literal(arguments, 0)
                if literal is None or not "".join(literal.parts).startswith("/api/"):
                    continue  # not a call to the services (i18n catalogs, upload targets)
                paths = ["".join(literal.parts).removeprefix("/api")]
            elif (literal := read_literal(arguments, 0)) is not None:
                paths = [_inline(literal, [text])]
            elif re.fullmatch(r"\w+", first):
                # Set in this script, else a parameter: the service paths this script passes
                # along, or else what callers hand it (`searchPath: "…"`).
                defined = (
                    _definitions(first, [text])
                    or _service_paths_in(text)
                    or _definitions(first, list(texts.values()))
                )
                paths = [_inline(literal, [text]) for literal in defined]
            else:
                raise AssertionError(f"{where}: cannot tell which path api({first}) calls")
            found = [call for p in paths if (call := _as_call(where, method, p)) is not None]
            assert found, f"{where}: no service path found for this call"
            calls += found
    return calls


def fields_read(script: Path, variable: str) -> set[str]:
    """The fields a script reads from `variable`: `variable.x`, `variable?.x`, and
    `const { x, y } = variable`."""
    text = script.read_text(encoding="utf-8")
    fields = set(re.findall(rf"(?<![\w.]){re.escape(variable)}\??\.(\w+)", text))
    for names in re.findall(rf"const\s*\{{([^}}]*)\}}\s*=\s*{re.escape(variable)}\b", text):
        fields |= {name.split(":")[0].strip() for name in names.split(",") if name.strip()}
    return fields
