"""How a service's Kafka clients authenticate: nothing on a local broker, SCRAM in production.

In the cluster every service is a Strimzi KafkaUser with a SCRAM-SHA-512 password (its Secret
is mounted into the service's settings), so the listener can tell the services apart and their
ACLs apply. Every client a service opens (relay, consumer, revocations, topic admin) takes the
same options from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context

Protocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: Protocol = "PLAINTEXT"
    mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    username: str = ""
    password: str = ""
    # The cluster CA for SASL_SSL (Strimzi's <cluster>-cluster-ca-cert); empty: the system's CAs.
    ca_file: str = ""

    def __post_init__(self) -> None:
        if self.protocol != "PLAINTEXT" and not (self.username and self.password):
            raise ValueError(f"Kafka {self.protocol} needs a SCRAM username and password")

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
        if self.protocol == "PLAINTEXT":
            return {}
        options: dict[str, Any] = {
            "security_protocol": self.protocol,
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }
        if self.protocol == "SASL_SSL":
            options["ssl_context"] = create_ssl_context(cafile=self.ca_file or None)
        return options


PLAINTEXT = KafkaSecurity()
