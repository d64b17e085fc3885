"""The licensing service app: back office, customer binding, signed license files."""

from fastapi import FastAPI

from services.licensing.back_office_endpoints import office
from services.licensing.config import Settings
from services.licensing.customer_endpoints import keys, me
from services.licensing.handlers import HANDLERS
from services.licensing.my_data import my_data
from services.licensing.service.repository import utcnow
from services.licensing.signing_keys import key_store
from services.licensing.staff_endpoints import admin
from shared.db import transaction
from shared.http.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def create_signing_key(app: FastAPI) -> None:
        async with transaction(app.state.sessions) as session:
            await key_store(settings.secret_key).ensure_active(session, utcnow())

    return create_service_app(
        settings,
        title="Support Portal — licensing",
        description=(
            "Licenses and maintenance contracts: back-office issuance and bulk import, customer "
            "binding by serial and registration number, coverage, and signed license files."
        ),
        routers=[admin, office, me, my_data, keys],
        handlers=HANDLERS,
        on_startup=create_signing_key,
    )
