"""FastAPI dependency aliases every service uses.

Every dependency here is `async def` although none awaits: FastAPI runs a plain `def`
dependency in a worker thread, and that hand-over (twice per request for settings and the
caller's address) cost more CPU than the work itself."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import transaction
from shared.i18n import Locale, negotiate


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with transaction(request.app.state.sessions) as session:
        yield session


async def _engine(request: Request) -> AsyncEngine:
    return request.app.state.engine


async def _locale(request: Request) -> Locale:
    return negotiate(request.headers.get("accept-language"))


@lru_cache(maxsize=8)
def _networks(trusted: str) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(part.strip(), strict=False) for part in trusted.split(",") if part.strip())


def _is_trusted_proxy(peer: str, trusted: str) -> bool:
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in _networks(trusted))


def client_address(request: Request) -> str:
    """The caller's address: what the gateway names (X-Real-IP, else the first X-Forwarded-For
    hop), believed only from a configured trusted proxy; anyone else is its peer address, so a
    header cannot dodge per-address limits by calling a service directly."""
    peer = request.client.host if request.client else "unknown"
    settings = getattr(request.app.state, "settings", None)
    if not _is_trusted_proxy(peer, getattr(settings, "trusted_proxies", "")):
        return peer
    forwarded = (
        request.headers.get("x-real-ip") or request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    )
    return forwarded or peer


async def _client_address(request: Request) -> str:
    return client_address(request)


def from_app_state(name: str) -> Any:
    """`Annotated[T, from_app_state("presigner")]`: an object the service's `create_app` put on
    `app.state` once (its settings, a storage client…), typed where it is used. The one way a
    request reaches settings and shared objects."""

    async def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(dependency)


# scope="function": commit before the response leaves, so a 2xx means the write is durable.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
# For routes that only read: the engine, for `async with shared.db.read_only(engine) as c:` in
# the route itself. A pooled connection's asyncpg connection (statements through
# `shared.driver_sql.Compiled`, each on its own), taken only once the caller is authorized and
# back in the pool before the response goes. Not a yield dependency: FastAPI wraps each of those
# in an exit stack and a shielded cancel scope, which cost a read route more than its checkout.
DatabaseDep = Annotated[AsyncEngine, Depends(_engine)]
LocaleDep = Annotated[Locale, Depends(_locale)]
ClientAddress = Annotated[str, Depends(_client_address)]


# Beyond this an OFFSET is no longer paging (and 2**63 overflows PostgreSQL's bigint: a 500).
MAX_OFFSET = 1_000_000


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def paging(default_limit: int = 50, max_limit: int = 200) -> Any:
    """`page: Annotated[Page, paging()]`: bounded `limit` and `offset` query parameters, one rule
    for every list endpoint (out of range is a 422 naming the parameter, never a database error)."""

    async def page(
        limit: Annotated[
            int, Query(ge=1, le=max_limit, description="How many items at most")
        ] = default_limit,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many items to skip")] = 0,
    ) -> Page:
        return Page(limit=limit, offset=offset)

    dependency: Callable[..., Awaitable[Page]] = page
    return Depends(dependency)
