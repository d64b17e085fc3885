"""Licensing settings (env prefix LICENSING_)."""

import hashlib
import hmac

from pydantic import Field

from shared.config import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("LICENSING_")

    service_name: str = "licensing"

    # Known products and the prefix their serials start with (prefixes must not be prefixes of
    # each other, so a serial names its product unambiguously).
    products: dict[str, str] = Field(
        default_factory=lambda: {"OMFLOW": "OMF", "OMFLOW-ITSM": "OMI", "OMCLOUD": "OMC"}
    )

    # Key of the registration-number HMAC. Empty: derived from secret_key, so one secret is
    # enough in development while production can rotate the two independently.
    licensing_pepper: str = ""

    # Failed serial/registration lookups allowed per window, per account and per client address.
    # The address limit is higher: a whole office may sit behind one address.
    lookup_window_seconds: int = 15 * 60
    lookup_failures_per_account: int = 10
    lookup_failures_per_address: int = 100

    import_max_bytes: int = 20 * 1024 * 1024

    @property
    def pepper(self) -> bytes:
        if self.licensing_pepper:
            return self.licensing_pepper.encode()
        return hmac.new(
            self.secret_key.encode(), b"licensing registration-number pepper", hashlib.sha256
        ).digest()

    @property
    def prefix_to_product(self) -> dict[str, str]:
        return {prefix: product for product, prefix in self.products.items()}
