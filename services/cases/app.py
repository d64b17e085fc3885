"""The cases service: support cases for customers whose coverage is active, and the support desk."""

from fastapi import FastAPI

from services.cases.attachment_endpoints import router as attachments_router
from services.cases.attachment_storage import AttachmentStorage
from services.cases.config import Settings
from services.cases.desk_endpoints import router as desk_router
from services.cases.endpoints import router
from services.cases.handlers import HANDLERS
from services.cases.my_data import my_data
from services.cases.partner_endpoints import router as partners_router
from services.cases.sweeper import sweep_task
from shared.http.app import create_service_app

DESCRIPTION = """
Support cases (Case Handling / Open a Case, Case Management) and the support desk.

**Scope**: cases are about the product itself — questions about a feature, log
interpretation, bugs, and security issues. The customer's operating system, database,
network, and custom forms built with the product are outside support.

A case can be opened on a license bound to your account while its coverage (warranty or
maintenance contract) is active today; otherwise the answer is `403 no-active-coverage`
saying when coverage ended and how to renew. Security-issue cases are visible only to their
reporter and the security team.

**Workflow**: new → in progress (assigned) → waiting on customer → resolved → closed. A
customer may reopen a resolved case within the reopen window; resolved cases close by
themselves later. SLA due times (first response, resolution) are business hours of the
vendor's calendar per severity; the resolution clock pauses while waiting on the customer.
Every reply, move, assignment and severity change is announced as an event.

**Attachments** go from the browser straight to object storage through a presigned POST (the
policy fixes key, type and exact size); completing an upload records its SHA-256, and downloads
are short-lived presigned URLs for whoever may see the case.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings,
        title="Support Portal — Cases",
        description=DESCRIPTION,
        routers=[router, attachments_router, desk_router, partners_router, my_data],
        handlers=HANDLERS,
        background=[sweep_task(settings)],
    )
    app.state.rules = settings.rules()
    app.state.attachment_storage = AttachmentStorage(settings)
    return app
