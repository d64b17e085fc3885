"""Actors for the end-to-end tests: an admin, and verified customers made the real way."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from deploy.portal_client import Portal, create_user
from shared import clock
from tests.kit import Mailpit, unique_email

PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture(scope="session")
async def admin_token(stack: dict[str, Any]) -> str:
    email = unique_email("admin")
    create_user(
        stack["services"]["identity"]["env"],
        email=email,
        password=PASSWORD,
        name="Ada Admin",
        roles="admin,support",
    )
    async with Portal(stack["gateway"]["url"]) as portal:
        return await portal.login(email, PASSWORD)


async def register_and_verify(
    stack: dict[str, Any], mailpit: Mailpit, *, locale: str = "en"
) -> tuple[str, str]:
    """Register through the gateway, follow the link in the real verification mail, sign in.

    Returns (email, access token).
    """
    email = unique_email("customer")
    async with Portal(stack["gateway"]["url"], locale=locale) as portal:
        await portal.register(
            email=email, password=PASSWORD, name="Chen Mei", phone="+886912345678", locale=locale
        )
        [mail] = await mailpit.wait_for(email)
        link = await mailpit.link_in(mail["ID"])
        await portal.verify(link.split("token=", 1)[1])
        return email, await portal.login(email, PASSWORD)


async def issue_license(
    stack: dict[str, Any],
    admin_token: str,
    *,
    product: str = "OMFLOW",
    warranty_ends: date | None = None,
    purchased_on: date | None = None,
) -> dict[str, Any]:
    today = clock.today()
    async with Portal(stack["gateway"]["url"], admin_token) as admin:
        return await admin.issue_license(
            product=product,
            edition="Enterprise",
            seats=25,
            purchased_on=purchased_on or today - timedelta(days=30),
            warranty_ends=warranty_ends or today + timedelta(days=335),
        )


def new_version() -> str:
    return f"9.{uuid.uuid4().int % 1000}.{uuid.uuid4().int % 1000}"
