"""The catalog answers a release's title and notes in the caller's language: the release tool's
--title-<lang>/--notes-<lang> travel in the event, the downloads service keeps them, and the list
and detail endpoints pick by Accept-Language, falling back to English where none was given."""

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from tests.accounts import Accounts, PortalUser
from tests.downloads.conftest import ReleaseTool
from tests.events import EventPublisher
from tests.kit import eventually

ENGLISH = {"title": "Faster reports", "notes": "Reports open twice as fast.\n"}
JAPANESE = {"title": "レポートの高速化", "notes": "レポートが二倍速く開きます。\n"}
CHINESE_TITLE = "报表提速"  # zh-CN: a title without notes


async def _listed(
    gateway: httpx.AsyncClient, user: PortalUser, product: str, language: str | None
) -> list[dict[str, Any]]:
    headers = {**user.headers, **({"Accept-Language": language} if language else {})}
    response = await gateway.get("/api/downloads/releases", params={"product": product}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _text(release: dict[str, Any]) -> dict[str, str]:
    return {"title": release["title"], "notes": release["notes"]}


async def test_release_text_follows_accept_language_with_english_fallback(
    release_tool: ReleaseTool,
    accounts: Accounts,
    events: EventPublisher,
    gateway: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    product = f"DLL{uuid.uuid4().hex[:6].upper()}"
    file = tmp_path / f"{product.lower()}-3.1.0.zip"
    file.write_bytes(b"installer")
    japanese_notes = tmp_path / "notes-ja.md"
    japanese_notes.write_text(JAPANESE["notes"], encoding="utf-8")
    release_tool.publish(
        *("--product", product, "--version", "3.1.0", "--kind", "update"),
        *("--title", ENGLISH["title"], "--notes", ENGLISH["notes"]),
        *("--title-ja", JAPANESE["title"], "--notes-ja", japanese_notes),
        *("--title-zh-CN", CHINESE_TITLE),
        *("--published-on", "2026-03-01", file),
    )
    reader = await accounts.user()
    await events.bind_license(reader.user_id, product, date(2025, 1, 1), date(2030, 12, 31))

    async def listed_in_japanese() -> list[dict[str, Any]] | None:
        return await _listed(gateway, reader, product, "ja") or None

    [japanese] = await eventually(listed_in_japanese, timeout=60, what="release and holding projected")
    assert _text(japanese) == JAPANESE

    # No zh-TW text was given: English, whole (title and notes from one language).
    [traditional] = await _listed(gateway, reader, product, "zh-TW")
    assert _text(traditional) == ENGLISH
    # Only a zh-CN title was given: that title, with the English notes.
    [simplified] = await _listed(gateway, reader, product, "zh-Hans-CN, ja;q=0.5")
    assert _text(simplified) == {"title": CHINESE_TITLE, "notes": ENGLISH["notes"]}
    # No Accept-Language, or none of ours: English.
    [unspecified] = await _listed(gateway, reader, product, None)
    assert _text(unspecified) == ENGLISH
    [unknown] = await _listed(gateway, reader, product, "fr-FR")
    assert _text(unknown) == ENGLISH

    detail = await gateway.get(
        f"/api/downloads/releases/{japanese['release_id']}",
        headers={**reader.headers, "Accept-Language": "ja-JP,en;q=0.8"},
    )
    assert detail.status_code == 200, detail.text
    assert _text(detail.json()) == JAPANESE
