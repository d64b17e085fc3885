"""Helpers for organization tests: make an organization, invite, read the mailed token."""

import re
from typing import Any

import httpx

from tests.accounts import PortalUser
from tests.kit import eventually

ORGS = "/api/identity/organizations"


async def create_organization(
    gateway: httpx.AsyncClient, admin: PortalUser, name: str = "Acme Automation", **extra: Any
) -> dict[str, Any]:
    response = await gateway.post(ORGS, json={"name": name, "country": "TW", **extra}, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def invite(
    gateway: httpx.AsyncClient, admin: PortalUser, organization_id: str, email: str, **extra: Any
) -> httpx.Response:
    return await gateway.post(
        f"{ORGS}/{organization_id}/invitations", json={"email": email, **extra}, headers=admin.headers
    )


def token_of(accept_url: str) -> str:
    match = re.search(r"token=([\w\-]+)", accept_url)
    assert match, accept_url
    return match.group(1)


async def accept(
    gateway: httpx.AsyncClient, user: PortalUser, token: str, *, bring_licenses: bool = False
) -> httpx.Response:
    return await gateway.post(
        f"{ORGS}/invitations/accept",
        json={"token": token, "bring_licenses": bring_licenses},
        headers=user.headers,
    )


async def mine(gateway: httpx.AsyncClient, user: PortalUser) -> dict[str, Any] | None:
    response = await gateway.get(f"{ORGS}/mine", headers=user.headers)
    assert response.status_code == 200, response.text
    organization: dict[str, Any] | None = response.json()["organization"]
    return organization


async def join(
    gateway: httpx.AsyncClient,
    admin: PortalUser,
    organization_id: str,
    member: PortalUser,
    events: Any,
    *,
    bring_licenses: bool = False,
) -> None:
    """Invite `member` and accept at once, reading the token from identity's event."""
    invited = await invite(gateway, admin, organization_id, member.email)
    assert invited.status_code == 201, invited.text

    async def sent() -> list[dict[str, Any]] | None:
        found = [
            e
            for e in events.of("OrganizationInvitationSent", email=member.email)
            if e["subject"] == invited.json()["id"]
        ]
        return found or None

    [event] = await eventually(sent, what=f"the invitation of {member.email}")
    joined = await accept(
        gateway, member, token_of(event["data"]["accept_url"]), bring_licenses=bring_licenses
    )
    assert joined.status_code == 200, joined.text


async def membership_applied(
    stack: dict[str, Any], services: tuple[str, ...], user_id: Any, organization_id: str | None
) -> None:
    """Wait until each service's memberships projection says `user_id` belongs to
    `organization_id` (None: to none), as identity's events made it."""
    from tests.conftest import database_url

    for service in services:
        await _wait_for_membership(database_url(stack, service), service, user_id, organization_id)


async def _wait_for_membership(url: str, service: str, user_id: Any, organization_id: str | None) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:

        async def applied() -> bool:
            found = await connection.fetchval(
                "SELECT organization_id::text FROM memberships WHERE user_id = $1", user_id
            )
            return bool(found == organization_id)

        await eventually(applied, what=f"{service} to apply the membership of {user_id}")
    finally:
        await connection.close()
