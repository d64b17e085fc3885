"""Fixtures of the identity tests (stack fixtures come from tests/conftest.py)."""

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import database_url
from tests.identity.helpers import IdentityEvents, bearer, login, staff_user


@pytest.fixture(scope="session")
async def events(stack: dict[str, Any], kafka_bootstrap: str) -> AsyncIterator[IdentityEvents]:
    listener = IdentityEvents(kafka_bootstrap)
    await listener.start()
    yield listener
    await listener.stop()


@pytest.fixture(scope="session")
async def identity_db(stack: dict[str, Any]) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url(stack, "identity"))
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
def service_url(stack: dict[str, Any]) -> str:
    return stack["services"]["identity"]["url"]


@pytest.fixture(scope="session")
async def admin(stack: dict[str, Any], gateway: httpx.AsyncClient) -> dict[str, Any]:
    user = staff_user(stack, "admin")
    response = await login(gateway, user["email"], user["password"])
    assert response.status_code == 200, response.text
    return {**user, "headers": bearer(response.json()["access_token"])}


@pytest.fixture(scope="session")
async def support(stack: dict[str, Any], gateway: httpx.AsyncClient) -> dict[str, Any]:
    user = staff_user(stack, "support")
    response = await login(gateway, user["email"], user["password"])
    assert response.status_code == 200, response.text
    return {**user, "headers": bearer(response.json()["access_token"])}
