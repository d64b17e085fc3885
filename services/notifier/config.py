"""Notifier settings (env prefix NOTIFIER_). SMTP fields come from the kernel's ServiceSettings."""

from shared.config import ServiceSettings, settings_config
from shared.i18n import Locale


class Settings(ServiceSettings):
    model_config = settings_config("NOTIFIER_")

    service_name: str = "notifier"

    # Sender loop: how many due deliveries one claim takes, and how many SMTP connections
    # send them in parallel (each connection is kept open and reused between mails).
    sender_batch_size: int = 100
    sender_concurrency: int = 4
    # A missed NOTIFY (or a retry falling due) is picked up by this slow poll.
    sender_poll_seconds: float = 2.0
    # Exponential backoff after an SMTP failure: base * 2^(attempts-1), capped.
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 300.0
    # A recipient the SMTP server refuses permanently (5xx) is given up after this many attempts;
    # connection failures (server down) are retried forever: mail must survive an outage.
    max_attempts_permanent: int = 5
    smtp_timeout_seconds: float = 15.0
    # Chunk size of the release fan-out's set-wise INSERT … SELECT.
    fanout_chunk_size: int = 1000
    # The support team's shared address: it gets a mail for every new case.
    support_team_email: str = "support-team@example.com"
    support_team_name: str = "Support team"
    support_team_locale: Locale = "en"
