"""Settings of the cases service (env prefix `CASES_`)."""

from shared.config import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("CASES_")

    service_name: str = "cases"
    case_number_prefix: str = "C"

    # Posting limits for customers (staff are not limited): each case and reply queues a mail.
    # An office shares one address, so the address limit is higher, over a shorter window.
    cases_per_account_per_hour: int = 10
    replies_per_account_per_hour: int = 60
    address_window_minutes: int = 10
    cases_per_address_per_window: int = 30
    replies_per_address_per_window: int = 120
