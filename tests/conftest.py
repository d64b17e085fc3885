"""Session fixtures: the real local stack (deploy.local) and clients for it.

The stack lives in `.run/test` (override with SP_TEST_STATE) and is reused between runs:
`deploy.local` makes a second `up` fast and restarts only what is down.
"""

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.local.gateway import TRUSTED_PROXY
from tests.accounts import Accounts
from tests.events import EventPublisher
from tests.kit import ROOT, Mailpit, rolled_back_session

STATE = Path(os.environ.get("SP_TEST_STATE", ROOT / ".run" / "test"))


def _only_services() -> list[str] | None:
    """SP_TEST_SERVICES=identity,notifier starts only those services (`none`: infrastructure only)."""
    names = [n.strip() for n in os.environ.get("SP_TEST_SERVICES", "").split(",") if n.strip()]
    return names or None


@pytest.fixture(scope="session")
def stack() -> dict[str, Any]:
    from deploy.local import stack as local_stack

    only = _only_services()
    if only is None:
        return local_stack.up(STATE, services=True, quiet=True)
    info = local_stack.up(STATE, services=False, quiet=True)
    if only == ["none"]:
        return info
    for name in only:
        local_stack.start(name, STATE)
    local_stack.start("gateway", STATE)
    return info


@pytest.fixture(scope="session")
def stack_control():
    """Start/stop single components (fault tests): `stack_control.stop("kafka")`."""
    from deploy.local import stack as local_stack

    class Control:
        def stop(self, component: str) -> None:
            local_stack.stop(component, STATE)

        def start(self, component: str) -> None:
            local_stack.start(component, STATE)

    return Control()


@pytest.fixture(scope="session")
async def gateway(stack: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    # The suite stands in for the ingress: its X-Forwarded-For names the customers it acts as.
    transport = httpx.AsyncHTTPTransport(local_address=TRUSTED_PROXY)
    async with httpx.AsyncClient(base_url=stack["gateway"]["url"], timeout=30, transport=transport) as client:
        yield client


@pytest.fixture(scope="session")
async def mailpit(stack: dict[str, Any]) -> AsyncIterator[Mailpit]:
    box = Mailpit(stack["mailpit"]["http_url"])
    yield box
    await box.client.aclose()


@pytest.fixture(scope="session")
def kafka_bootstrap(stack: dict[str, Any]) -> str:
    return stack["kafka"]["bootstrap"]


def database_url(stack: dict[str, Any], service: str) -> str:
    """asyncpg DSN of a service's database (for assertions on outbox/inbox rows)."""
    return (
        stack["postgres"]["url_template"].format(db=service).replace("postgresql+asyncpg://", "postgresql://")
    )


@pytest.fixture(scope="session")
def accounts(stack: dict[str, Any], gateway: httpx.AsyncClient) -> Accounts:
    return Accounts(stack, gateway)


@pytest.fixture(scope="session")
async def events(kafka_bootstrap: str) -> AsyncIterator[EventPublisher]:
    publisher = EventPublisher(kafka_bootstrap)
    yield publisher
    await publisher.close()


ServiceSession = Callable[[str], AbstractAsyncContextManager[AsyncSession]]


@pytest.fixture(scope="session")
async def service_engines(stack: dict[str, Any]) -> AsyncIterator[dict[str, AsyncEngine]]:
    engines: dict[str, AsyncEngine] = {}
    yield engines
    for engine in engines.values():
        await engine.dispose()


@pytest.fixture
def service_session(stack: dict[str, Any], service_engines: dict[str, AsyncEngine]) -> ServiceSession:
    """`async with service_session("notifier") as session:` a session on that service's test
    database, everything it did rolled back at the end (tests.kit.rolled_back_session): for
    tests of service functions and business rules without the HTTP stack."""

    def open_session(service: str) -> AbstractAsyncContextManager[AsyncSession]:
        if service not in service_engines:
            url = stack["postgres"]["url_template"].format(db=service)
            # pre_ping: a pooled connection may predate a fault test's PostgreSQL restart.
            service_engines[service] = create_async_engine(url, pool_size=2, pool_pre_ping=True)
        return rolled_back_session(service_engines[service])

    return open_session
