"""Kafka topics: one per aggregate plus its dead-letter topic, created idempotently at start."""

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.events import TOPICS
from shared.kafka_security import PLAINTEXT, KafkaSecurity

PARTITIONS = 3


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


ALL_TOPICS: tuple[str, ...] = TOPICS + tuple(dlq_topic(t) for t in TOPICS)


async def ensure_topics(
    bootstrap: str,
    topics: tuple[str, ...] = ALL_TOPICS,
    *,
    replication: int = 1,
    security: KafkaSecurity = PLAINTEXT,
) -> None:
    """Create the topics that do not exist yet. In production the platform declares them
    (Strimzi KafkaTopic) before services start; this keeps a fresh local stack working, with
    `replication` from the settings so a cluster never gets under-replicated topics."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=10_000, **security.client_options()
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(t, num_partitions=PARTITIONS, replication_factor=replication)
            for t in topics
            if t not in existing
        ]
        if missing:
            # A concurrent creator makes some of these fail with TopicAlreadyExists: harmless.
            await admin.create_topics(missing)
    finally:
        await admin.close()
