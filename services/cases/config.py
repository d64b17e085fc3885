"""Settings of the cases service (env prefix `CASES_`)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.config import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("CASES_")

    service_name: str = "cases"
    # Coverage dates are calendar days of the vendor's contracts; "today" is judged there.
    business_timezone: str = "Asia/Taipei"
    case_number_prefix: str = "C"

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.business_timezone)).date()
