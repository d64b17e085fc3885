"""Settings of the support mailbox: the cases service's settings (`CASES_` prefix) plus its own."""

from services.cases.config import Settings
from shared.events.cases import CaseCategory


class MailboxSettings(Settings):
    service_name: str = "cases-mailbox"

    mailbox_host: str = "127.0.0.1"
    mailbox_port: int = 2525
    # Larger mails are refused with 552 during DATA (the MTA in front bounces them to the sender).
    mailbox_max_bytes: int = 25 * 1024 * 1024
    # Stored mails applied in parallel (each in its own transaction).
    mailbox_workers: int = 4
    # A missed NOTIFY (or a retry falling due) is picked up by this slow poll.
    mailbox_poll_seconds: float = 2.0
    # A mail that keeps failing is set aside (status `failed`) after this many attempts.
    mailbox_max_attempts: int = 8
    # One auto-reply per address and reason in this many hours: never a mail ping-pong.
    mailbox_auto_reply_quiet_hours: int = 24
    # New cases one sender may open by mail per hour; more are set aside unanswered (a spoofed
    # or looping sender cannot flood the queue, and silence amplifies nothing).
    mailbox_new_cases_per_hour: int = 30
    # Mail carries no category; staff re-categorise when needed.
    mailbox_case_category: CaseCategory = "feature_question"
