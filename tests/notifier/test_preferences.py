"""Mail preferences and RFC 8058 one-click unsubscribe, through the gateway on the real stack.

A customer switches release kinds off on their preferences; the fan-out honours it set-wise;
the one-click POST from a mail's List-Unsubscribe header works without signing in, repeats
harmlessly, and a tampered token changes nothing.
"""

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from shared import clock
from shared.events import ReleasePublished
from shared.events.downloads import ReleaseKind
from tests.accounts import Accounts
from tests.events import EventPublisher, release_published
from tests.kit import Mailpit, eventually
from tests.notifier.conftest import NotifierDb, People
from tests.notifier.mails import read_mail

API = "/api/notifier"


def release(product: str, kind: ReleaseKind, version: str) -> ReleasePublished:
    return release_published(product, version, kind=kind, title=f"{kind} {version}")


async def announced(events: EventPublisher, db: NotifierDb, event: ReleasePublished) -> list[dict[str, Any]]:
    envelope = await events.publish(event)
    await eventually(lambda: db.consumed(envelope.id), what="release consumed")
    return await db.deliveries(event.release_id)


async def test_preferences_default_on_and_filter_the_release_fan_out(
    gateway: httpx.AsyncClient,
    accounts: Accounts,
    people: People,
    events: EventPublisher,
    notifier_db: NotifierDb,
) -> None:
    customer = await accounts.user()
    await eventually(lambda: notifier_db.recipient(customer.user_id), what="recipient projected")
    product = f"PRF{uuid.uuid4().hex[:8].upper()}"
    today = clock.today()
    await people.bind(customer.user_id, product, today - timedelta(days=10), today + timedelta(days=300))

    shown = await gateway.get(f"{API}/me/preferences", headers=customer.headers)
    assert shown.status_code == 200, shown.text
    assert shown.json() == {
        "release_product": True,
        "release_update": True,
        "release_document": True,
        "renewal_reminder": True,
        "case_mails": True,
    }
    assert (await gateway.get(f"{API}/me/preferences")).status_code == 401

    chosen = {
        "release_product": True,
        "release_update": False,
        "release_document": True,
        "renewal_reminder": False,
    }
    saved = await gateway.put(f"{API}/me/preferences", json=chosen, headers=customer.headers)
    assert saved.status_code == 200, saved.text
    assert (await gateway.get(f"{API}/me/preferences", headers=customer.headers)).json() == {
        **chosen,
        "case_mails": True,
    }
    bad = await gateway.put(
        f"{API}/me/preferences", json={**chosen, "release_update": "maybe"}, headers=customer.headers
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")

    assert await announced(events, notifier_db, release(product, "update", "1.0.1")) == []
    documents = await announced(events, notifier_db, release(product, "document", "1.0-doc"))
    assert [d["email"] for d in documents] == [customer.email]


async def test_one_click_unsubscribe_from_the_mail_header(
    gateway: httpx.AsyncClient,
    accounts: Accounts,
    people: People,
    events: EventPublisher,
    notifier_db: NotifierDb,
    mailpit: Mailpit,
    stack: dict[str, Any],
) -> None:
    customer = await accounts.user()
    await eventually(lambda: notifier_db.recipient(customer.user_id), what="recipient projected")
    product = f"UNS{uuid.uuid4().hex[:8].upper()}"
    today = clock.today()
    await people.bind(customer.user_id, product, today - timedelta(days=10), today + timedelta(days=300))

    first = release(product, "product", "2.0")
    await events.publish(first)
    found = await mailpit.wait_for(customer.email, subject_contains=product)
    mail = await read_mail(mailpit, found[0])
    portal = stack["services"]["notifier"]["env"]["NOTIFIER_PUBLIC_URL"].rstrip("/")
    assert f"{portal}/downloads/products?release={first.release_id}" in mail.text
    assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    one_click = (mail.header("List-Unsubscribe") or "").strip("<>")
    assert one_click.startswith(f"{portal}/api/notifier/unsubscribe?token=")
    token = parse_qs(urlsplit(one_click).query)["token"][0]
    # The visible link opens the confirmation page with the same token.
    assert f"{portal}/unsubscribe?token=" in mail.text
    path = one_click.removeprefix(portal)

    # A GET (a mail scanner, a preview) only redirects to the confirmation page.
    looked = await gateway.get(path)
    assert looked.status_code == 303
    assert looked.headers["location"] == f"{portal}/unsubscribe?token={token}"
    topic = await gateway.get(f"{API}/unsubscribe/topic", params={"token": token})
    assert topic.json() == {"topic": "release.product", "subscribed": True}

    # A tampered token is refused and changes nothing.
    body, _, mac = token.partition(".")
    forged = f"{body}.{mac[::-1]}"
    refused = await gateway.post(
        f"{API}/unsubscribe", params={"token": forged}, content=b"List-Unsubscribe=One-Click"
    )
    assert refused.status_code == 400
    assert refused.json()["type"].endswith("/unsubscribe-link-invalid")
    assert refused.json()["detail_id"] == "notifier.unsubscribe-link-damaged"
    assert (await gateway.get(f"{API}/unsubscribe/topic", params={"token": "x"})).status_code == 400

    # The RFC 8058 POST, as a mail client sends it: no sign-in, a form body. Twice is fine.
    for _ in range(2):
        done = await gateway.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200, done.text
        assert done.json() == {"topic": "release.product", "subscribed": False}
    prefs = (await gateway.get(f"{API}/me/preferences", headers=customer.headers)).json()
    assert prefs["release_product"] is False
    assert prefs["release_update"] is True and prefs["release_document"] is True

    assert await announced(events, notifier_db, release(product, "product", "3.0")) == []
    updates = await announced(events, notifier_db, release(product, "update", "3.0.1"))
    assert [d["email"] for d in updates] == [customer.email]
