"""FastAPI dependency aliases every service uses."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import transaction
from shared.i18n import Locale, negotiate


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with transaction(request.app.state.sessions) as session:
        yield session


async def _locale(request: Request) -> Locale:
    return negotiate(request.headers.get("accept-language"))


def client_address(request: Request) -> str:
    """The caller's address: the gateway's X-Forwarded-For (first hop it saw) or the peer."""
    forwarded = (
        request.headers.get("x-real-ip") or request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    )
    return forwarded or (request.client.host if request.client else "unknown")


# scope="function": commit before the response leaves, so a 2xx means the write is durable.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
LocaleDep = Annotated[Locale, Depends(_locale)]
ClientAddress = Annotated[str, Depends(client_address)]
