"""What a person reads in a problem's detail: a message id with parameters, in four languages.

A service declares each sentence once, next to the code that refuses:

    BIND_FIRST = Text(
        "licensing.bind-first",
        en="Bind the license {serial} to your account first.",
        zh_tw="請先將授權 {serial} 加入您的帳號。",
        zh_cn="请先将授权 {serial} 加入您的账号。",
        ja="先にライセンス {serial} をアカウントに登録してください。",
    )
    raise Problem(NOT_BOUND, detail=BIND_FIRST(serial=license.serial))

and the edge renders it in the caller's language (`shared.http.problems`). A missing language,
a placeholder one language lacks, or a parameter left out fails at import or at the call, so
the test that imports every service proves the catalog whole.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from string import Formatter
from typing import Any, ClassVar

from shared.i18n import Locale


def _placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


@dataclass(frozen=True)
class Text:
    """One sentence in the four languages, named by a stable id clients may key on."""

    id: str
    en: str
    zh_tw: str
    zh_cn: str
    ja: str
    registry: ClassVar[dict[str, "Text"]] = {}

    def __post_init__(self) -> None:
        if self.id in Text.registry and Text.registry[self.id] != self:
            raise ValueError(f"message id {self.id!r} is declared twice")
        names = {_placeholders(template) for template in self.translations.values()}
        if any(not template.strip() for template in self.translations.values()):
            raise ValueError(f"message {self.id!r} lacks a language")
        if len(names) != 1:
            raise ValueError(f"message {self.id!r} uses different placeholders per language: {names}")
        Text.registry[self.id] = self

    @property
    def translations(self) -> Mapping[Locale, str]:
        return {"en": self.en, "zh-TW": self.zh_tw, "zh-CN": self.zh_cn, "ja": self.ja}

    @property
    def parameters(self) -> frozenset[str]:
        return _placeholders(self.en)

    def __call__(self, **params: Any) -> "Message":
        if set(params) != self.parameters:
            raise TypeError(f"message {self.id!r} takes {sorted(self.parameters)}, got {sorted(params)}")
        return Message(self, params)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(
            str(item) for item in (sorted(value) if isinstance(value, (set, frozenset)) else value)
        )
    return value


@dataclass(frozen=True)
class Message:
    text: Text
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.text.id

    def render(self, locale: Locale) -> str:
        return self.text.translations[locale].format(**{k: _plain(v) for k, v in self.params.items()})
