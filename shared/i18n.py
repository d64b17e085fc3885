"""The four languages of the product and how a request picks one.

Texts a person reads live next to what they belong to (problem titles in `ProblemType`,
mail catalogs in the notifier, portal labels in web/); this module only knows the locales.
"""

from typing import Literal, cast, get_args

Locale = Literal["zh-TW", "zh-CN", "en", "ja"]
LOCALES: tuple[Locale, ...] = get_args(Locale)
DEFAULT_LOCALE: Locale = "en"

_ALIASES: dict[str, Locale] = {
    "zh-tw": "zh-TW",
    "zh-hk": "zh-TW",
    "zh-mo": "zh-TW",
    "zh-hant": "zh-TW",
    "zh-cn": "zh-CN",
    "zh-sg": "zh-CN",
    "zh-hans": "zh-CN",
    "zh": "zh-CN",
    "en": "en",
    "ja": "ja",
}


def normalize_locale(tag: str | None) -> Locale | None:
    """Map a language tag (`zh-Hant-TW`, `ja-JP`, `en_US`) to one of ours, or None."""
    if not tag:
        return None
    parts = tag.strip().replace("_", "-").lower().split("-")
    for length in (3, 2, 1):
        candidate = "-".join(parts[:length])
        if candidate in _ALIASES:
            return _ALIASES[candidate]
        if length == 3 and len(parts) >= 3 and f"{parts[0]}-{parts[2]}" in _ALIASES:
            return _ALIASES[f"{parts[0]}-{parts[2]}"]
    return None


def negotiate(accept_language: str | None, default: Locale = DEFAULT_LOCALE) -> Locale:
    """Pick our best locale for an Accept-Language header (RFC 9110 weights)."""
    if not accept_language:
        return default
    weighted: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        weighted.append((-weight, index, tag))
    for negative_weight, _, tag in sorted(weighted):
        if negative_weight < 0:
            locale = normalize_locale(tag)
            if locale:
                return locale
    return default


def is_locale(value: str) -> bool:
    return value in LOCALES


def as_locale(value: str) -> Locale:
    if not is_locale(value):
        raise ValueError(f"unsupported locale {value!r}; use one of {', '.join(LOCALES)}")
    return cast(Locale, value)
