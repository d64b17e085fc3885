"""Settings for every service: one BaseSettings, one env prefix per service.

A service subclasses `ServiceSettings` and sets `model_config = settings_config("IDENTITY_")`,
so `IDENTITY_DATABASE_URL` configures identity and nothing else. Outside development and
test the default secrets are refused: a forgotten variable must stop the process, not ship.
"""

from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.clock import DEFAULT_BUSINESS_TIMEZONE, business_zone_named
from shared.kafka_security import KafkaSecurity

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - rejected outside development/test


def settings_config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=None, extra="ignore")


class KafkaClientSettings(BaseSettings):
    """How a service's Kafka clients authenticate (shared.kafka_security)."""

    # How the Kafka clients authenticate (shared.kafka_security): SASL_SSL with the service's
    # SCRAM-SHA-512 KafkaUser in the cluster, PLAINTEXT on the local broker.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = ""
    kafka_ca_file: str = ""

    @property
    def kafka_security(self) -> KafkaSecurity:
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            username=self.kafka_sasl_username,
            password=self.kafka_sasl_password,
            ca_file=self.kafka_ca_file,
        )


class ServiceSettings(KafkaClientSettings):
    model_config = settings_config("SERVICE_")

    service_name: str = "service"
    env: Literal["development", "test", "production"] = "development"
    database_url: str = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/postgres"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_topic_replication: int = 1  # for topics a service has to create itself (see shared.topics)
    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    public_url: str = "http://127.0.0.1:8080"
    # Who may name the client in X-Real-IP / X-Forwarded-For: the gateway's address(es), as
    # comma-separated addresses or CIDRs. Any other caller is known by its connection address.
    trusted_proxies: str = "127.0.0.1"
    state_dir: Path = Path(".run/services")
    secret_key: str = DEV_SECRET
    # Coverage dates are calendar days of the vendor's contracts; "today" is judged in this zone
    # (see shared.clock). Every service must use the same one.
    business_timezone: str = DEFAULT_BUSINESS_TIMEZONE

    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "minioadmin"
    s3_secret_key: str = DEV_SECRET
    s3_bucket: str = "artifacts"
    s3_secure: bool = False

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    mail_from: str = "Support Portal <support@example.com>"
    mail_reply_to: str | None = None
    # The inbound support mailbox (the cases service's receiver) and the secret that signs the
    # per-case reply addresses of case mails (shared.mail_threading): notifier and cases must
    # have the same value.
    support_address: str = "support@example.com"
    mail_token_secret: str = DEV_SECRET

    # Consumers: attempts before a message is sent to the dead-letter topic.
    consumer_max_attempts: int = 5
    # How far back a service reads session revocations on start: at least the longest access
    # token lifetime identity issues (600 s), so no live token's revocation is missed.
    revocation_lookback_seconds: int = 900
    consumer_retry_base_seconds: float = 0.2

    @field_validator("business_timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        business_zone_named(name)
        return name

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> "ServiceSettings":
        if self.env == "production":
            for field in ("secret_key", "s3_secret_key", "mail_token_secret"):
                if getattr(self, field) == DEV_SECRET:
                    raise ValueError(
                        f"{field} must be set in production (it still has the development default)"
                    )
        return self

    @property
    def asyncpg_dsn(self) -> str:
        """The same database, in the plain form asyncpg's own connect() expects."""
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
