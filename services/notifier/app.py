"""The notifier: the only service that sends mail."""

from fastapi import FastAPI

from services.notifier.config import Settings
from services.notifier.endpoints import admin
from services.notifier.handlers import build_handlers
from services.notifier.mail_settings import me, unsubscribe
from services.notifier.reminders import reminder_task
from services.notifier.rendering import load_all_catalogs
from services.notifier.sender_processes import sender_task
from shared.http.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    load_all_catalogs()  # a broken catalog stops the start, not a mail later
    return create_service_app(
        settings,
        title="Support Portal — notifier",
        description=(
            "Keeps a projection of recipients and their coverage, queues account, release, case and "
            "renewal mails, honours each account's mail preferences and one-click unsubscribes, "
            "and sends mail in the recipient's language over SMTP."
        ),
        routers=[admin, me, unsubscribe],
        handlers=build_handlers(settings),
        background=[sender_task(settings), reminder_task(settings)],
    )
