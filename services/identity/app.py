"""The identity service: accounts, credentials, sessions, signing keys."""

import asyncio

from fastapi import FastAPI

from services.identity import (
    console_endpoints,
    core,
    endpoints,
    mail_requests,
    organization_endpoints,
    repository,
    staff_endpoints,
)
from services.identity.config import Settings
from services.identity.passwords import Passwords
from services.identity.signing import KeyRing, database_verifier
from shared.db import transaction
from shared.http.app import create_service_app
from shared.logging import get_logger

log = get_logger(__name__)

# Identity takes small JSON documents only; the gateway's 10 MiB limit is for uploads elsewhere.
MAX_BODY_BYTES = 64 * 1024
PRUNE_EVERY_SECONDS = 600


async def _start(app: FastAPI) -> None:
    async with transaction(app.state.sessions) as session:
        await app.state.identity.keyring.store.ensure_active(session, core.now())
    await app.state.jwks.refresh()


async def _prune_forever(app: FastAPI) -> None:
    while True:
        try:
            async with transaction(app.state.sessions) as session:
                await repository.prune(session)
        except Exception as error:  # housekeeping must never stop the service
            log.warning("pruning failed", error=repr(error))
        await asyncio.sleep(PRUNE_EVERY_SECONDS)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings,
        title="Identity",
        description="Accounts, email verification, sign-in with rotating refresh tokens, signing keys (JWKS), "
        "staff administration. Access tokens are EdDSA JWTs valid for "
        f"{settings.access_token_ttl_seconds} s: ending a session stops its refresh at once, and its last "
        "access token dies within that lifetime.",
        routers=[
            endpoints.auth,
            console_endpoints.second_step,
            endpoints.me,
            console_endpoints.console,
            organization_endpoints.router,
            staff_endpoints.admin,
            endpoints.wellknown,
        ],
        background=[_prune_forever, mail_requests.run_forever],
        on_startup=_start,
        max_body_bytes=MAX_BODY_BYTES,
    )
    app.state.jwks = database_verifier(app)
    app.state.identity = core.Deps(
        settings=settings,
        passwords=Passwords.from_settings(settings),
        keyring=KeyRing(settings.secret_key),
    )

    return app
