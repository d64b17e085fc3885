"""The downloads service: release catalog, entitlement-checked presigned downloads."""

from fastapi import FastAPI

from services.downloads.analytics_endpoints import router as analytics_router
from services.downloads.config import Settings
from services.downloads.endpoints import channels_router, router
from services.downloads.handlers import HANDLERS
from services.downloads.multipart import ObjectStore
from services.downloads.object_access import consume_accesses
from services.downloads.release_endpoints import router as release_router
from services.downloads.storage import Presigner
from shared.http.app import create_service_app

DESCRIPTION = """
Releases (products, updates, documents) of the products you hold, and their files.

A file is never served by this API: an entitled request gets a short-lived presigned URL of
the object store (a `307` redirect, or JSON with `Prefer: no-redirect`) together with the
file's SHA-256 (`X-Checksum-SHA256`, `Digest`). Updates and documents released after your
coverage ended stay locked until the maintenance contract is renewed; what was released while
you were covered stays yours.

The release role manages releases under `/admin/releases`: drafts, files uploaded straight to
the object store in presigned multipart parts (resumable, SHA-256 checked on completion),
notes per language, publish, withdraw, and corrected versions.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def on_startup(app: FastAPI) -> None:
        app.state.presigner = Presigner(settings)
        app.state.object_store = ObjectStore(settings)

    return create_service_app(
        settings,
        title="Support Portal — Downloads",
        description=DESCRIPTION,
        routers=[router, channels_router, release_router, analytics_router],
        handlers=HANDLERS,
        background=[consume_accesses],
        on_startup=on_startup,
    )
