"""Settings of the cases service (env prefix `CASES_`)."""

from datetime import date, time, timedelta
from typing import get_args

from pydantic import Field, model_validator

from services.cases.sla import BusinessCalendar, SlaPolicy, Targets
from services.cases.workflow import CaseRules
from shared.config import ServiceSettings, settings_config
from shared.events.cases import CaseSeverity

# Business hours per severity: (first response, resolution).
DEFAULT_TARGET_HOURS: dict[str, tuple[float, float]] = {
    "critical": (1, 8),
    "high": (4, 24),
    "normal": (8, 72),
    "low": (24, 160),
}


class Settings(ServiceSettings):
    model_config = settings_config("CASES_")

    service_name: str = "cases"
    # SLA business hours are those of the vendor's calendar (its zone: `business_timezone`).
    business_opens: time = time(9, 0)
    business_closes: time = time(18, 0)
    business_weekend: list[int] = Field(default_factory=lambda: [5, 6])  # Monday is 0
    business_holidays: list[date] = Field(default_factory=list)
    sla_target_hours: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: dict(DEFAULT_TARGET_HOURS)
    )
    # The queue's "breaching soon": a due time closer than this.
    sla_warn_hours: float = 2.0
    # A resolved case may be reopened by its customer this long; after `auto_close_days` the
    # sweep closes it (by default the same day the reopen window ends).
    reopen_window_days: int = 14
    auto_close_days: int = 14
    sweep_interval_seconds: float = 60.0
    case_number_prefix: str = "C"

    # Posting limits for customers (staff are not limited): each case and reply queues a mail.
    # An office shares one address, so the address limit is higher, over a shorter window.
    cases_per_account_per_hour: int = 10
    replies_per_account_per_hour: int = 60
    address_window_minutes: int = 10
    cases_per_address_per_window: int = 30
    replies_per_address_per_window: int = 120
    # Attachments: uploaded by the browser straight to object storage (presigned POST), signed
    # for the address browsers reach (`s3_public_endpoint`, empty: the one the service uses).
    s3_public_endpoint: str = ""
    s3_public_secure: bool | None = None
    s3_region: str = "us-east-1"
    attachment_max_bytes: int = 100 * 1024 * 1024
    attachment_content_types: list[str] = Field(
        default_factory=lambda: [
            "text/plain",
            "text/csv",
            "text/xml",
            "application/xml",
            "application/json",
            "application/pdf",
            "application/zip",
            "application/gzip",
            "application/x-gzip",
            "application/octet-stream",  # what browsers send for .log and other unknown types
            "image/png",
            "image/jpeg",
        ]
    )
    attachment_upload_seconds: int = 900
    attachment_download_seconds: int = 300
    # An upload not completed after this long is abandoned: its row and object are removed.
    attachment_abandon_hours: float = 24.0

    def sla_policy(self) -> SlaPolicy:
        calendar = BusinessCalendar(
            timezone=self.business_timezone,
            opens=self.business_opens,
            closes=self.business_closes,
            weekend=frozenset(self.business_weekend),
            holidays=frozenset(self.business_holidays),
        )
        targets = {
            severity: Targets(timedelta(hours=first), timedelta(hours=resolution))
            for severity, (first, resolution) in self.sla_target_hours.items()
        }
        return SlaPolicy(calendar, targets, warn_before=timedelta(hours=self.sla_warn_hours))

    def rules(self) -> CaseRules:
        return CaseRules(
            self.sla_policy(),
            reopen_window=timedelta(days=self.reopen_window_days),
            auto_close_after=timedelta(days=self.auto_close_days),
        )

    @model_validator(mode="after")
    def _every_severity_has_targets(self) -> "Settings":
        missing = set(get_args(CaseSeverity)) - set(self.sla_target_hours)
        if missing:
            raise ValueError(f"sla_target_hours lacks targets for {', '.join(sorted(missing))}")
        self.sla_policy()  # a wrong time zone or calendar stops the process at start
        return self
