"""`python -m services.cases.mailbox`: the SMTP receiver and the workers that apply its mail.

One process, two halves that only meet in the database: the receiver stores raw mail and
answers SMTP, the workers turn stored mail into cases. Replicas are safe (unique Message-ID,
SKIP LOCKED claims). The outbox rows written here are published by the cases service's relay,
which listens on the same database.
"""

import asyncio
import contextlib
import logging
import signal

import asyncpg

from services.cases.mailbox.attachments import AttachmentStore
from services.cases.mailbox.config import MailboxSettings
from services.cases.mailbox.processor import MailProcessor
from services.cases.mailbox.receiver import InboundMailbox, SupportMailHandler, serve
from shared import clock
from shared.db import make_engine, make_sessionmaker
from shared.logging import configure_logging, get_logger

log = get_logger(__name__)


async def main(settings: MailboxSettings) -> None:
    configure_logging(settings.service_name)
    clock.use_business_timezone(settings.business_timezone)  # coverage is judged on the business day
    # aiosmtpd logs every connection and command at INFO; our own log says what each mail became.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    engine = make_engine(settings.database_url, pool_size=settings.mailbox_workers + 1)
    pool = await asyncpg.create_pool(settings.asyncpg_dsn, min_size=1, max_size=10)
    processor = MailProcessor(settings, make_sessionmaker(engine), AttachmentStore(settings))
    server = await serve(SupportMailHandler(settings, InboundMailbox(pool)), settings)
    log.info(
        "mailbox listening",
        address=f"{settings.mailbox_host}:{settings.mailbox_port}",
        support_address=settings.support_address,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    workers = asyncio.create_task(processor.run())
    try:
        await stop.wait()
    finally:
        # Stop taking mail first; a mail being applied rolls back and is applied after restart.
        server.close()
        await server.wait_closed()
        workers.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await workers
        await pool.close()
        await engine.dispose()
        log.info("mailbox stopped")


if __name__ == "__main__":
    asyncio.run(main(MailboxSettings()))
