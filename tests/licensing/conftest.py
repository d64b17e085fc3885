"""Fixtures of the licensing tests: identity client, one back-office account, customers."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.licensing.helpers import Account, create_staff, register_customer, wait_until_licensing_knows


@pytest.fixture(scope="session")
async def identity(stack: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack["services"]["identity"]["url"], timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def licensing_url(stack: dict[str, Any]) -> str:
    return stack["services"]["licensing"]["url"]


@pytest.fixture(scope="session")
def staff(stack: dict[str, Any], identity: httpx.AsyncClient) -> Account:
    return create_staff(stack, identity)


@pytest.fixture
def new_customer(
    identity: httpx.AsyncClient, gateway: httpx.AsyncClient, staff: Account
) -> Callable[..., Awaitable[Account]]:
    # Registration hashes passwords (argon2id): a few at a time keeps identity responsive.
    slots = asyncio.Semaphore(4)

    async def make(*, verify: bool = True) -> Account:
        async with slots:
            account = await register_customer(identity, staff, verify=verify)
            if verify:
                await wait_until_licensing_knows(gateway, account)
            return account

    return make
