"""Mail bodies as plain text for a case: HTML reduced to safe text, quoted history and
signatures trimmed. Pure functions, no I/O.

Reduction keeps only text: no tag, attribute, style or script survives, so whatever a mail
contains, the portal shows characters. Quoted history is what mail clients add under (or above)
an answer — `>` lines, "On … wrote:" in the four languages, Outlook's header block, Gmail's and
Outlook's HTML quote containers — and the signature starts at the RFC 3676 `-- ` line.
"""

import re
from html.parser import HTMLParser

_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "blockquote"})
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "wbr", "area", "base", "col", "source"})
_BLOCKS = frozenset(
    {"p", "div", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "section", "article"}
)
# Containers that mail clients wrap the quoted previous mail in.
_QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote")
_QUOTE_IDS = ("divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container")


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_stack:
            if tag not in _VOID:
                self._skip_stack.append(tag)
            return
        values = " ".join(v or "" for k, v in attrs if k in ("class", "id")).lower()
        if tag in _SKIPPED or any(marker in values for marker in (*_QUOTE_CLASSES, *_QUOTE_IDS)):
            if tag not in _VOID:
                self._skip_stack.append(tag)
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS or tag == "hr":
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_stack:
            if tag in self._skip_stack:
                while self._skip_stack and self._skip_stack.pop() != tag:
                    pass
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_stack:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# A line that introduces the quoted previous mail; everything from it on is history.
_ATTRIBUTION = re.compile(
    r"""^(
        on\s.{4,200}\swrote:\s*$                       # Gmail, Apple Mail, Thunderbird (en)
      | .{0,200}(写道|寫道)\s*[:：]\s*$                   # zh-CN, zh-TW clients
      | .{0,200}(書きました|のメッセージ)\s*[:：]\s*$         # Japanese clients
      | -{2,}\s*(original\s+message|原始邮件|原始郵件|原始信件|元のメッセージ)\s*-{2,}
      | _{10,}\s*$                                       # Outlook's rule above its header block
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Outlook's header block: "From:" followed within a few lines by "Sent:"/"Date:" (any language).
_HEADER_START = re.compile(r"^\s*\*?(from|寄件者|发件人|發件人|差出人)\s*\*?\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(sent|date|to|寄件日期|发送时间|日期|送信日時|宛先)\s*\*?\s*[:：]", re.IGNORECASE
)
# Mobile clients' one-line signatures (the RFC 3676 `-- ` delimiter is checked as such).
_DEVICE_SIGNATURE = re.compile(
    r"^(sent from my .{1,40}|从我的.{1,20}发送|從我的.{1,20}傳送|.{1,20}から送信)$", re.I
)


# A forwarded mail is what the customer reports, not history: nothing below it is cut.
_FORWARDED = re.compile(
    r"^(-{2,}\s*(forwarded message|转发的邮件|轉寄的郵件|転送されたメッセージ)\s*-{2,}|begin forwarded message:)$",
    re.I,
)


def _history_starts(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if _FORWARDED.match(line.strip()):
            return None
        if _ATTRIBUTION.match(line.strip()):
            return index
        # Any language: "<date> <name> <address>:" directly above the quotation (Gmail in ja/ko).
        following = next((n for n in lines[index + 1 :] if n.strip()), "")
        if line.rstrip().endswith((">:", ">：")) and following.lstrip().startswith(">"):
            return index
        if _HEADER_START.match(line) and any(_HEADER_NEXT.match(nxt) for nxt in lines[index + 1 : index + 5]):
            return index
    return None


def trim_reply(text: str) -> str:
    """The new part of an answer: without the quoted history and the signature.

    A mail that is nothing but quotation keeps its text: better a long message than an empty one.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _history_starts(lines)
    if cut is not None:
        lines = lines[:cut]
    lines = [line for line in lines if not line.lstrip().startswith(">")]
    for index, line in enumerate(lines):
        if line.rstrip() == "--" or _DEVICE_SIGNATURE.match(line.strip()):
            lines = lines[:index]
            break
    trimmed = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()
    return trimmed or text.strip()
