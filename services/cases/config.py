"""Settings of the cases service (env prefix `CASES_`)."""

from shared.config import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("CASES_")

    service_name: str = "cases"
    case_number_prefix: str = "C"
