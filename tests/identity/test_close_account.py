"""Closing one's own account: the password confirms it; the account is anonymised and disabled,
every session ends, the address is free to register again, the change is audited and
announced (AccountClosed, and a UserProfileChanged that anonymises other services' copies)."""

import uuid

import asyncpg

from tests.conftest import database_url
from tests.identity.helpers import API, bearer, login, register, verified_user
from tests.kit import eventually


async def test_a_wrong_password_closes_nothing(gateway, events):
    user = await verified_user(gateway, events)
    refused = await gateway.post(
        f"{API}/me/close", json={"password": "Not-The-Password-1"}, headers=bearer(user["access_token"])
    )
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/current-password-wrong"
    assert (await gateway.get(f"{API}/me", headers=bearer(user["access_token"]))).status_code == 200
    empty = await gateway.post(f"{API}/me/close", json={}, headers=bearer(user["access_token"]))
    assert empty.status_code == 422 and empty.json()["type"] == "/problems/validation"
    assert (await gateway.post(f"{API}/me/close", json={"password": "x"})).status_code == 401


async def test_closing_anonymises_signs_out_and_frees_the_address(gateway, events, identity_db, stack):
    user = await verified_user(gateway, events)
    other = (await login(gateway, user["email"], user["password"])).json()
    closed = await gateway.post(
        f"{API}/me/close", json={"password": user["password"]}, headers=bearer(user["access_token"])
    )
    assert closed.status_code == 204, closed.text
    assert "Max-Age=0" in closed.headers["set-cookie"]

    for tokens in (user, other):
        assert (
            await gateway.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        ).status_code == 401
        assert (await gateway.get(f"{API}/me", headers=bearer(tokens["access_token"]))).status_code == 401
    signed_in = await login(gateway, user["email"], user["password"])
    assert signed_in.status_code == 401 and signed_in.json()["type"] == "/problems/invalid-credentials"

    row = await identity_db.fetchrow("SELECT * FROM users WHERE id = $1", uuid.UUID(user["id"]))
    assert row["name"] == "Closed account" and row["phone"] == "" and row["disabled_at"] is not None
    assert row["email"] == f"closed-{uuid.UUID(user['id']).hex}@closed.example"
    audit = await identity_db.fetch("SELECT action, actor_email FROM audit WHERE target = $1", user["id"])
    assert [(a["action"], a["actor_email"]) for a in audit] == [("close_account", row["email"])]

    await events.wait("AccountClosed", user_id=user["id"])
    [changed] = await events.wait("UserProfileChanged", user_id=user["id"])
    assert changed["data"]["disabled"] is True and changed["data"]["email"] == row["email"]
    assert user["email"] not in str(changed) and user["name"] not in str(changed["data"])

    # Every service's copy of the person is anonymised by that event: cases' reporter names,
    # licensing's account (its licenses stay bound to the id), the notifier's recipient
    # (disabled: mailed nothing more).
    copies = {
        "cases": "SELECT name, email, true AS disabled FROM people WHERE user_id = $1",
        "licensing": "SELECT name, email, disabled FROM verified_account WHERE account_id = $1",
        "notifier": "SELECT name, email, disabled FROM recipient WHERE user_id = $1",
    }
    for service, query in copies.items():
        connection = await asyncpg.connect(database_url(stack, service))
        try:

            async def anonymised(connection: asyncpg.Connection = connection, query: str = query) -> bool:
                copy = await connection.fetchrow(query, uuid.UUID(user["id"]))
                return copy is not None and (copy["name"], copy["email"], copy["disabled"]) == (
                    "Closed account",
                    row["email"],
                    True,
                )

            await eventually(anonymised, timeout=60, interval=0.3, what=f"{service} to anonymise the account")
        finally:
            await connection.close()

    # The address may register again: a new, separate account.
    await register(gateway, email=user["email"])
    fresh = await events.wait("VerificationRequested", email=user["email"], count=2)
    assert fresh[-1]["data"]["user_id"] != user["id"]
