"""The cases service: support cases for customers whose coverage is active."""

from fastapi import FastAPI

from services.cases.config import Settings
from services.cases.endpoints import router
from services.cases.handlers import HANDLERS
from shared.http.app import create_service_app

DESCRIPTION = """
Support cases (Case Handling / Open a Case, Case Management).

**Scope**: cases are about the product itself — questions about a feature, log
interpretation, bugs, and security issues. The customer's operating system, database,
network, and custom forms built with the product are outside support.

A case can be opened on a license bound to your account while its coverage (warranty or
maintenance contract) is active today; otherwise the answer is `403 no-active-coverage`
saying when coverage ended and how to renew. Security-issue cases are visible only to their
reporter and the security team. Staff replies and status changes are announced as events
(`CaseUpdated`) so the customer is notified by mail.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or Settings(),
        title="Support Portal — Cases",
        description=DESCRIPTION,
        routers=[router],
        handlers=HANDLERS,
    )
