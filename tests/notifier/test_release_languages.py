"""Release notes in the reader's language: the release tool's per-language flags, the event's
optional `translations` (older events and consumers keep working), and the mail."""

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from services.downloads.release_tool import parser, release_id_of, translations_of
from services.notifier.rendering import render
from shared import clock
from shared.events import ReleasePublished
from shared.events.downloads import ReleaseText
from tests.downloads.conftest import ReleaseTool
from tests.events import release_published
from tests.kit import Mailpit
from tests.notifier.conftest import People
from tests.notifier.mails import read_mail


def english_only() -> ReleasePublished:
    return release_published("OMFLOW", "5.3", title="Faster reports", notes="Reports open twice as fast.")


def test_an_event_without_translations_reads_as_english_in_every_language() -> None:
    # What an older release tool put on the wire: no `translations` field at all.
    wire = english_only().model_dump_json(exclude={"translations"})
    event = ReleasePublished.model_validate_json(wire)
    assert event.text_in("ja") == ReleaseText(title="Faster reports", notes="Reports open twice as fast.")


def test_a_translated_title_without_notes_keeps_the_english_notes() -> None:
    event = english_only().model_copy(update={"translations": {"ja": ReleaseText(title="レポート高速化")}})
    assert event.text_in("ja") == ReleaseText(title="レポート高速化", notes="Reports open twice as fast.")
    assert event.text_in("zh-TW").title == "Faster reports"


def test_the_release_tool_takes_a_title_and_notes_per_language(tmp_path: Path) -> None:
    notes = tmp_path / "notes.ja.md"
    notes.write_text("レポートが2倍速く開きます。", encoding="utf-8")
    args = parser().parse_args(
        [
            "publish",
            "--product",
            "OMFLOW",
            "--version",
            "5.3",
            "--kind",
            "update",
            "--title",
            "Faster reports",
            "--title-ja",
            "レポート高速化",
            "--notes-ja",
            str(notes),
            "--title-zh-TW",
            "報表加速",
            "f.zip",
        ]
    )
    assert translations_of(args) == {
        "ja": ReleaseText(title="レポート高速化", notes="レポートが2倍速く開きます。"),
        "zh-TW": ReleaseText(title="報表加速", notes=""),
    }


def test_the_mail_template_falls_back_to_english_for_queued_mail_without_texts() -> None:
    context = {
        "name": "Ann",
        "portal_url": "http://p",
        "product": "OMFLOW",
        "version": "5.3",
        "kind": "update",
        "title": "Faster reports",
        "notes": "Reports open twice as fast.",
        "release_url": "http://p/downloads/updates?release=1",
        "unsubscribe_url": "http://p/unsubscribe?token=t",
        "preferences_url": "http://p/preferences",
    }
    assert render("release", "ja", context).subject.endswith(": Faster reports")


async def test_each_reader_gets_the_release_in_their_language(
    stack: dict[str, Any], people: People, mailpit: Mailpit, tmp_path: Path
) -> None:
    product = f"LNG{uuid.uuid4().hex[:6].upper()}"
    today = clock.today()
    japanese = await people.verified_user("ja", prefix="lang-ja")
    chinese = await people.verified_user("zh-CN", prefix="lang-cn")
    for user in (japanese, chinese):
        await people.bind(user.user_id, product, today - timedelta(days=10), today + timedelta(days=300))
    artifact = tmp_path / "patch.zip"
    artifact.write_bytes(b"PK patch")
    ReleaseTool(stack).publish(
        *("--product", product, "--version", "5.3", "--kind", "update"),
        *("--title", "Faster reports", "--notes", "Reports open twice as fast."),
        *("--title-ja", "レポート高速化", "--notes-ja", "レポートが2倍速く開きます。"),
        artifact,
    )
    release_id = release_id_of(product, "5.3", "update")

    ja = await read_mail(mailpit, (await mailpit.wait_for(japanese.email, subject_contains=product))[0])
    assert ja.subject == f"[{product} 5.3] 更新版: レポート高速化"
    assert "レポートが2倍速く開きます。" in ja.text and "twice as fast" not in ja.text
    assert f"/downloads/updates?release={release_id}" in ja.text

    cn = await read_mail(mailpit, (await mailpit.wait_for(chinese.email, subject_contains=product))[0])
    assert cn.subject == f"[{product} 5.3] 更新: Faster reports"  # no zh-CN text given: English
    assert "Reports open twice as fast." in cn.text
