"""Notifier settings (env prefix NOTIFIER_). SMTP fields come from the kernel's ServiceSettings."""

from typing import Literal

from pydantic import Field, field_validator

from shared.config import ServiceSettings, settings_config
from shared.i18n import Locale


class Settings(ServiceSettings):
    model_config = settings_config("NOTIFIER_")

    service_name: str = "notifier"

    # Sender loop: how many due deliveries one claim takes, and how many SMTP connections
    # send them in parallel (each connection is kept open and reused between mails).
    sender_batch_size: int = 100
    sender_concurrency: int = 4
    # Claim loops sharing those connections, each with its own database connection: one claims
    # and marks its batch while another's mails are on the wire (see sender.py).
    sender_tasks: int = Field(default=2, ge=1)
    # Processes sending mail: the service's own and `sender_processes - 1` workers it starts, the
    # SMTP connections shared out between them (see sender_processes.py). For a pod with cores
    # to spare; on a busy 2-core machine a second process was slower than one (bench/README.md).
    sender_processes: int = Field(default=1, ge=1)
    # How often the sender recounts the pending gauge. The count walks every pending row: 15–40 ms
    # of PostgreSQL CPU with 80,000 queued, which once a second was ~0.1 ms per mail of a release
    # fan-out at ~200 mails/s (bench/README.md); a gauge for alerts needs no finer grain.
    pending_count_seconds: float = Field(default=10.0, gt=0)
    # A missed NOTIFY (or a retry falling due) is picked up by this slow poll.
    sender_poll_seconds: float = 2.0
    # Exponential backoff after an SMTP failure: base * 2^(attempts-1), capped.
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 300.0
    # A recipient the SMTP server refuses permanently (5xx) is given up after this many attempts;
    # connection failures (server down) are retried forever: mail must survive an outage.
    max_attempts_permanent: int = 5
    smtp_timeout_seconds: float = 15.0
    # The SMTP client for plain connections (no TLS, no AUTH): the minimal one of lean_smtp.py,
    # or aiosmtplib (always used with TLS or AUTH). See smtp.py.
    smtp_client: Literal["lean", "aiosmtplib"] = "lean"
    # Chunk size of the release fan-out's set-wise INSERT … SELECT.
    fanout_chunk_size: int = 1000
    # The support team's shared address: it gets a mail for every new case.
    support_team_email: str = "support-team@example.com"
    support_team_name: str = "Support team"
    support_team_locale: Locale = "en"
    # Renewal reminders: days before the coverage end at which the holder is mailed, and how
    # often the (advisory-locked, idempotent) pass runs. Env: NOTIFIER_RENEWAL_REMINDER_DAYS='[60,30,7]'.
    renewal_reminder_days: list[int] = Field(default=[60, 30, 7], min_length=1)
    renewal_check_seconds: float = Field(default=3600.0, gt=0)

    @field_validator("renewal_reminder_days")
    @classmethod
    def _positive_days(cls, days: list[int]) -> list[int]:
        if any(d < 0 or d > 366 for d in days):
            raise ValueError("renewal reminder days must be between 0 and 366")
        return sorted(set(days), reverse=True)
