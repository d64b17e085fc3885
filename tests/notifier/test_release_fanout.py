"""Release announcements: one mail per entitled user, in their language; nobody else."""

import uuid
from datetime import timedelta
from typing import Any

from shared import clock
from shared.entitlements import Period
from shared.events import ReleasePublished
from tests.events import EventPublisher, binding_moved, license_voided, release_published
from tests.kit import Mailpit, eventually
from tests.notifier.conftest import NotifierDb, People
from tests.notifier.mails import read_mail


def release_event(product: str, *, title: str = "Security update") -> ReleasePublished:
    return release_published(product, "5.2.1", title=title, notes="Fixes a log rotation bug.")


async def test_release_is_announced_once_to_each_entitled_user(
    events: EventPublisher, people: People, notifier_db: NotifierDb, mailpit: Mailpit, stack: dict[str, Any]
) -> None:
    product = f"FAN{uuid.uuid4().hex[:8].upper()}"
    today = clock.today()
    active = (today - timedelta(days=100), today + timedelta(days=265))
    lapsed = (today - timedelta(days=400), today - timedelta(days=35))

    two_licenses = await people.verified_user("zh-TW", prefix="two")
    await people.bind(two_licenses.user_id, product, *active)
    await people.bind(two_licenses.user_id, product, today - timedelta(days=5), today + timedelta(days=30))

    japanese = await people.verified_user("ja", prefix="jp")
    await people.bind(japanese.user_id, product, *active)

    lapsed_user = await people.verified_user("en", prefix="lapsed")
    await people.bind(lapsed_user.user_id, product, *lapsed)

    disabled = await people.verified_user("zh-CN", prefix="disabled")
    await people.bind(disabled.user_id, product, *active)
    await people.disable(disabled)

    other_product = await people.verified_user("en", prefix="other")
    await people.bind(other_product.user_id, f"{product}X", *active)

    not_started = await people.verified_user("en", prefix="future")
    await people.bind(not_started.user_id, product, today + timedelta(days=3), today + timedelta(days=368))

    # Lapsed, then a back-paid contract extends the coverage past today: entitled again.
    renewed = await people.verified_user("en", prefix="renewed")
    renewed_license = await people.bind(renewed.user_id, product, *lapsed)
    await events.bind_contract(
        renewed_license,
        renewed.user_id,
        product,
        lapsed[0],
        lapsed[1] + timedelta(days=1),
        today + timedelta(days=300),
    )

    # A voided license, and a voided contract that shrinks coverage back into the past.
    voided = await people.verified_user("zh-CN", prefix="voided")
    voided_license = await people.bind(voided.user_id, product, *active)
    await events.void_license(voided_license, voided.user_id, product)
    shrunk = await people.verified_user("ja", prefix="shrunk")
    shrunk_license = await people.bind(shrunk.user_id, product, *active)
    await events.publish(license_voided(shrunk_license, shrunk.user_id, product, remaining=Period(*lapsed)))

    # A binding moved to another account: the new holder is entitled, the old one not.
    seller = await people.verified_user("en", prefix="seller")
    buyer = await people.verified_user("zh-CN", prefix="buyer")
    moved_license = await people.bind(seller.user_id, product, *active)
    await events.publish(
        binding_moved(moved_license, product, seller.user_id, buyer.user_id, Period(*active))
    )

    async def projection_settled() -> bool:
        renewed_row = await notifier_db.holding(renewed_license)
        shrunk_row = await notifier_db.holding(shrunk_license)
        moved_row = await notifier_db.holding(moved_license)
        voided_row = await notifier_db.holding(voided_license)
        return bool(
            renewed_row
            and renewed_row["coverage_end"] > today
            and voided_row
            and voided_row["void"]
            and shrunk_row
            and shrunk_row["coverage_end"] < today
            and moved_row
            and moved_row["account_id"] == buyer.user_id
        )

    await eventually(projection_settled, what="holdings projected")

    release = release_event(product)
    await events.publish(release)

    entitled = {two_licenses.email: "zh-TW", japanese.email: "ja", renewed.email: "en", buyer.email: "zh-CN"}
    for address in entitled:
        await mailpit.wait_for(address, subject_contains=product)

    deliveries = await notifier_db.deliveries(release.release_id)
    assert {d["email"]: d["locale"] for d in deliveries} == entitled

    portal = stack["services"]["notifier"]["env"]["NOTIFIER_PUBLIC_URL"].rstrip("/")
    expected_subjects = {
        "zh-TW": f"[{product} 5.2.1] 更新: Security update",
        "zh-CN": f"[{product} 5.2.1] 更新: Security update",
        "ja": f"[{product} 5.2.1] 更新版: Security update",
        "en": f"[{product} 5.2.1] Update: Security update",
    }
    for address, locale in entitled.items():
        found = await mailpit.messages_to(address)
        releases = [m for m in found if product in m["Subject"]]
        assert len(releases) == 1, f"{address} got {len(releases)} release mails"
        mail = await read_mail(mailpit, releases[0])
        assert mail.subject == expected_subjects[locale]
        # An update opens Update Download on that release.
        assert f"{portal}/downloads/updates?release={release.release_id}" in mail.text
        assert "Fixes a log rotation bug." in mail.text
        one_click = mail.header("List-Unsubscribe") or ""
        assert one_click.startswith(f"<{portal}/api/notifier/unsubscribe?token="), one_click
        assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
        assert f"{portal}/preferences" in mail.text
        assert mail.header("Content-Language") == locale

    # A corrected re-publish of the same release (new envelope) announces nothing again.
    corrected = release.model_copy(update={"title": "Security update (corrected)"})
    envelope = await events.publish(corrected)
    await eventually(lambda: notifier_db.consumed(envelope.id), what="corrected release consumed")
    assert len(await notifier_db.deliveries(release.release_id)) == len(entitled)
    for address in entitled:
        assert len([m for m in await mailpit.messages_to(address) if product in m["Subject"]]) == 1
