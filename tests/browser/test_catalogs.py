"""The four portal catalogs: same keys, no empty text, the manual's labels exactly (no browser)."""

import json
import re

from tests.kit import ROOT

WEB = ROOT / "web"
LOCALES = ("zh-TW", "zh-CN", "en", "ja")
# The manual's labels, kept in the repository so a clone tests them on its own.
UI_LABELS = ROOT / "tests" / "data" / "ui-labels.md"


def load(locale: str) -> dict[str, str]:
    return json.loads((WEB / "i18n" / f"{locale}.json").read_text(encoding="utf-8"))


def manual_labels() -> dict[str, dict[str, str]]:
    """Rows of the table in ui-labels.md: key -> {locale: label}; a trailing ' *' marks a correction."""
    lines = UI_LABELS.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| key |"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    rows: dict[str, dict[str, str]] = {}
    for line in lines[lines.index(header) + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        entry = dict(zip(columns, cells, strict=True))
        rows[entry["key"]] = {locale: re.sub(r"\s*\*$", "", entry[locale]) for locale in LOCALES}
    return rows


def test_catalogs_have_identical_keys_and_no_empty_values() -> None:
    catalogs = {locale: load(locale) for locale in LOCALES}
    reference = set(catalogs["zh-TW"])
    for locale, catalog in catalogs.items():
        assert set(catalog) == reference, (
            f"{locale}: missing {sorted(reference - set(catalog))}, extra {sorted(set(catalog) - reference)}"
        )
        empty = [key for key, value in catalog.items() if not isinstance(value, str) or not value.strip()]
        assert not empty, f"{locale}: empty values for {empty}"


def test_catalogs_use_the_manual_labels_exactly() -> None:
    labels = manual_labels()
    assert len(labels) >= 14, f"ui-labels.md table not parsed: {labels}"
    assert labels["menu.cases.open"]["en"] == "Case Handling / Open a Case"
    for locale in LOCALES:
        catalog = load(locale)
        for key, by_locale in labels.items():
            assert catalog.get(key) == by_locale[locale], (
                f"{locale} {key}: {catalog.get(key)!r} != {by_locale[locale]!r}"
            )


def test_every_key_the_scripts_use_is_in_the_catalogs() -> None:
    used: set[str] = set()
    for script in (WEB / "js").rglob("*.js"):
        used |= set(re.findall(r"\bt\(\"([A-Za-z0-9_.]+)\"", script.read_text(encoding="utf-8")))
    used |= set(re.findall(r'data-i18n="([A-Za-z0-9_.]+)"', (WEB / "index.html").read_text(encoding="utf-8")))
    assert used, "no t(...) calls found"
    missing = sorted(used - set(load("en")))
    assert not missing, f"keys used by web/js but absent from the catalogs: {missing}"
