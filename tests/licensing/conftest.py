"""Fixtures of the licensing tests: identity client, one back-office account, customers."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.accounts import PortalUser, register_customer
from tests.licensing.helpers import create_staff, wait_until_licensing_knows


@pytest.fixture(scope="session")
async def identity(stack: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack["services"]["identity"]["url"], timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def licensing_url(stack: dict[str, Any]) -> str:
    return stack["services"]["licensing"]["url"]


@pytest.fixture(scope="session")
async def staff(stack: dict[str, Any]) -> PortalUser:
    return await create_staff(stack)


@pytest.fixture
def new_customer(
    identity: httpx.AsyncClient, gateway: httpx.AsyncClient, staff: PortalUser
) -> Callable[..., Awaitable[PortalUser]]:
    # Registration hashes passwords (argon2id): a few at a time keeps identity responsive.
    slots = asyncio.Semaphore(4)

    async def make(*, verify: bool = True) -> PortalUser:
        async with slots:
            account = await register_customer(identity, staff, verify=verify)
            if verify:
                await wait_until_licensing_knows(gateway, account)
            return account

    return make
