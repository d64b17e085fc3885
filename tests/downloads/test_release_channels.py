"""Channels: a preview release exists only for holders who opted in to previews — in the
catalog, for downloads and for the release mail; a stable release is for every holder."""

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import httpx

from shared import clock
from tests.accounts import Accounts, PortalUser
from tests.conftest import database_url
from tests.downloads.release_team import Team, draft
from tests.kit import Mailpit, eventually
from tests.licensing_events import EventPublisher


async def _versions(gateway: httpx.AsyncClient, user: PortalUser, product: str) -> list[str]:
    response = await gateway.get("/api/downloads/releases", params={"product": product}, headers=user.headers)
    assert response.status_code == 200, response.text
    return [release["version"] for release in response.json()]


async def test_preview_releases_are_for_those_who_opted_in(
    team: Team,
    accounts: Accounts,
    events: EventPublisher,
    gateway: httpx.AsyncClient,
    mailpit: Mailpit,
    stack: dict[str, Any],
) -> None:
    product = f"CH{uuid.uuid4().hex[:6].upper()}"
    today = clock.today()
    tester, everyone = await accounts.user("customer"), await accounts.user("customer")
    for user in (tester, everyone):
        await events.bind_license(
            user.user_id, product, today - timedelta(days=30), today + timedelta(days=300)
        )

    channels = await gateway.get("/api/downloads/me/channels", headers=tester.headers)
    assert channels.status_code == 200 and channels.json() == {"preview": False}
    chosen = await gateway.put("/api/downloads/me/channels", json={"preview": True}, headers=tester.headers)
    assert chosen.status_code == 200 and chosen.json() == {"preview": True}
    bad = await gateway.put("/api/downloads/me/channels", json={"preview": "maybe"}, headers=tester.headers)
    assert bad.status_code == 422

    stable = (await team.call("POST", "", 201, json=draft(product, "1.0")))["release_id"]
    await team.upload(stable, "setup.zip", b"stable build")
    preview = (await team.call("POST", "", 201, json=draft(product, "2.0-rc1", channel="preview")))[
        "release_id"
    ]
    await team.upload(preview, "setup.zip", b"preview build")

    await team.call("POST", f"/{stable}/publish", 200, json={})
    published = await team.call("POST", f"/{preview}/publish", 200, json={})
    assert published["release"]["channel"] == "preview"

    async def sees(user: PortalUser, versions: list[str]) -> bool:
        return sorted(await _versions(gateway, user, product)) == versions

    # Licensing's events reach the holdings projection on their own time: poll until they have.
    await eventually(lambda: sees(tester, ["1.0", "2.0-rc1"]), what="both releases for the tester")
    await eventually(lambda: sees(everyone, ["1.0"]), what="the stable release for everyone")
    preview_file = f"/api/downloads/releases/{preview}/artifacts/setup.zip"
    hidden = await gateway.get(preview_file, headers=everyone.headers)
    assert hidden.status_code == 404 and hidden.json()["type"] == "/problems/release-not-found"
    granted = await gateway.get(preview_file, headers={**tester.headers, "Prefer": "no-redirect"})
    assert granted.status_code == 200, granted.text

    # The mail follows the channel: the stable release reaches both, the preview the tester only.
    await mailpit.wait_for(tester.email, count=2, subject_contains=product)
    await mailpit.wait_for(everyone.email, count=1, subject_contains=product)
    notifier = await asyncpg.connect(database_url(stack, "notifier"))
    try:
        rows = await notifier.fetch(
            "SELECT email FROM delivery WHERE event_id = $1 AND kind = 'release'", uuid.UUID(preview)
        )
    finally:
        await notifier.close()
    assert [row["email"] for row in rows] == [tester.email]

    # Opting out hides previews again.
    await gateway.put("/api/downloads/me/channels", json={"preview": False}, headers=tester.headers)
    assert await _versions(gateway, tester, product) == ["1.0"]
