"""`support-dlq`: list and replay dead-lettered messages.

A consumer that cannot handle a message (malformed, or failing after bounded retries) sends it
to `<topic>.dlq` with the reason in its headers. Once the cause is fixed, `replay` puts the
original bytes back on the original topic; the consumers' inboxes make a replay of something
already applied a no-op.
"""

import argparse
import asyncio
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.events import TOPICS
from shared.relay import make_producer
from shared.topics import dlq_topic


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def ref(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    @property
    def original_topic(self) -> str:
        return self.headers.get("dlq_topic") or self.topic.removesuffix(".dlq")


async def read_dead_letters(bootstrap: str, topics: Iterable[str]) -> list[DeadLetter]:
    """Everything currently in the given dead-letter topics, oldest first (no consumer group)."""
    partitions = await _partitions(bootstrap, topics)
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    letters: list[DeadLetter] = []
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        deadline = asyncio.get_running_loop().time() + 30
        while remaining and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    headers = {k: v.decode(errors="replace") for k, v in record.headers or ()}
                    letters.append(
                        DeadLetter(
                            tp.topic, tp.partition, record.offset, record.key, record.value or b"", headers
                        )
                    )
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await _stop_quietly(consumer)
    return letters


async def _partitions(bootstrap: str, topics: Iterable[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in topics if t in existing]
        described = await admin.describe_topics(wanted) if wanted else []
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]


async def _stop_quietly(consumer: AIOKafkaConsumer) -> None:
    """aiokafka may re-raise the CancelledError of its own internal task from stop() when a
    group-less consumer stops right after starting; that is not a cancellation of ours."""
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise


async def replay(bootstrap: str, letters: Iterable[DeadLetter]) -> int:
    producer = make_producer(bootstrap)
    await producer.start()
    count = 0
    try:
        for letter in letters:
            headers = [(k, v.encode()) for k, v in letter.headers.items() if not k.startswith("dlq_")]
            await producer.send_and_wait(letter.original_topic, letter.value, key=letter.key, headers=headers)
            count += 1
    finally:
        await producer.stop()
    return count


def _select(letters: list[DeadLetter], refs: list[str], replay_all: bool) -> list[DeadLetter]:
    if replay_all:
        return letters
    by_ref = {letter.ref: letter for letter in letters}
    missing = [ref for ref in refs if ref not in by_ref]
    if missing:
        raise SystemExit(
            f"not found in the dead-letter topics: {', '.join(missing)} (see `support-dlq list`)"
        )
    return [by_ref[ref] for ref in refs]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="support-dlq", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        help="Kafka bootstrap servers (env KAFKA_BOOTSTRAP)",
    )
    parser.add_argument(
        "--topic", action="append", help="an event topic (e.g. identity.user); default: all of them"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="show the dead letters with their reasons")
    replay_parser = commands.add_parser("replay", help="put dead letters back on their original topic")
    replay_parser.add_argument("refs", nargs="*", metavar="TOPIC:PARTITION:OFFSET", help="as shown by `list`")
    replay_parser.add_argument("--all", action="store_true", help="replay every dead letter of the topics")
    args = parser.parse_args(argv)

    topics = [dlq_topic(t) for t in (args.topic or TOPICS)]
    try:
        letters = asyncio.run(read_dead_letters(args.bootstrap, topics))
    except Exception as error:
        sys.exit(f"cannot read dead letters from Kafka at {args.bootstrap}: {error!r}. Is Kafka running?")
    if args.command == "list":
        if not letters:
            print("no dead letters")
        for letter in letters:
            print(
                f"{letter.ref}  consumer={letter.headers.get('dlq_consumer', '?')}  "
                f"type={letter.headers.get('ce_type', '?')}  error={letter.headers.get('dlq_error', '?')}"
            )
        return
    if not args.refs and not args.all:
        replay_parser.error("name the dead letters to replay, or pass --all")
    chosen = _select(letters, args.refs, args.all)
    print(f"replayed {asyncio.run(replay(args.bootstrap, chosen))} message(s)")


if __name__ == "__main__":
    main()
