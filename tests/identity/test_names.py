"""Names are shown in mails and staff screens: text-direction controls could disguise them."""

import asyncpg
import pytest

from tests.identity.helpers import API, bearer, client_ip, registration, verified_user
from tests.kit import unique_email

# "Mei" + RIGHT-TO-LEFT OVERRIDE + "gnp.exe" displays as "Meiexe.png".
DISGUISED = ["Mei\u202egnp.exe", "Mei \u2067Chen\u2069", "Mei\u200fChen"]


@pytest.mark.parametrize("name", DISGUISED)
async def test_registration_refuses_bidi_controls_in_the_name(
    gateway, identity_db: asyncpg.Connection, name: str
) -> None:
    email = unique_email("bidi")
    response = await gateway.post(
        f"{API}/auth/register",
        json=registration(email=email, name=name),
        headers={"X-Forwarded-For": client_ip()},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["name"]
    assert await identity_db.fetchval("SELECT count(*) FROM users WHERE email_key = $1", email) == 0


async def test_profile_refuses_bidi_controls_and_keeps_the_old_name(gateway, events) -> None:
    user = await verified_user(gateway, events, name="Mei Chen")
    headers = bearer(user["access_token"])
    refused = await gateway.patch(f"{API}/me", json={"name": DISGUISED[0]}, headers=headers)
    assert refused.status_code == 422, refused.text
    assert (await gateway.get(f"{API}/me", headers=headers)).json()["name"] == "Mei Chen"
    # Right-to-left scripts themselves are welcome: the bidi algorithm orders them unaided.
    arabic = await gateway.patch(f"{API}/me", json={"name": "مريم الحسيني"}, headers=headers)
    assert arabic.status_code == 200 and arabic.json()["name"] == "مريم الحسيني"
