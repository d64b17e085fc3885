"""One task per assigned partition; offsets committed beside them, off the path of every event.

Order matters only within a partition, so each assigned partition gets its own task that takes
the records fetched for it and applies them in order, a batch at a time: a slow batch on one
partition no longer holds back the others, and a partition's next batch starts as soon as its
previous one is committed to the database (not when every partition's batch is).

Offsets are committed by the caller of `run()`, one request at a time, each carrying whatever the
partitions finished while the previous request travelled; an offset is recorded only after the
database commit of the records it covers. A crash in between replays records, which the inbox
turns into no-ops: at-least-once delivery, idempotent effects.

On a rebalance the revoked partitions' tasks finish the batch in hand (after a grace period they
are cancelled: their transaction rolls back and the new owner replays the batch), then their
offsets are committed, before the partitions move to another consumer.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError

from shared.logging import get_logger

log = get_logger(__name__)

ApplyBatch = Callable[[list[ConsumerRecord]], Awaitable[None]]

# How long a fetch waits for records before looking again; records wake it at once.
_FETCH_TIMEOUT_MS = 1000


class PartitionWorkers(ConsumerRebalanceListener):
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        apply: ApplyBatch,
        *,
        name: str,
        max_batch: int,
        revoke_grace_seconds: float = 10.0,
    ) -> None:
        self._consumer = consumer
        self._apply = apply
        self._name = name
        self._max_batch = max_batch
        self._grace = revoke_grace_seconds
        self._workers: dict[TopicPartition, asyncio.Task[None]] = {}
        self._applying: set[TopicPartition] = set()
        self._stopping: set[TopicPartition] = set()
        self._applied: dict[TopicPartition, int] = {}  # next offset, its records in the database
        self._committed: dict[TopicPartition, int] = {}
        self._commit_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._error: BaseException | None = None

    async def run(self) -> None:
        """Commit applied offsets as partitions finish batches; raises what a worker raised."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._error is not None:
                raise self._error
            await self._commit(self._consumer.assignment())

    async def stop_all(self) -> None:
        await self._stop(list(self._workers), grace=0.01)

    # -- the rebalance listener: aiokafka awaits these before the partitions move -------------

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        revoked = list(revoked)
        await self._stop(revoked, grace=self._grace)
        try:
            await self._commit(revoked)
        except Exception as error:  # the new owner replays what is not committed: harmless
            log.info("offsets not committed before a rebalance", consumer=self._name, error=repr(error))
        for tp in revoked:
            self._applied.pop(tp, None)
            self._committed.pop(tp, None)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        for tp in assigned:
            if tp not in self._workers:
                task = asyncio.create_task(self._drain(tp), name=f"{self._name}:{tp.topic}:{tp.partition}")
                task.add_done_callback(self._worker_ended)
                self._workers[tp] = task

    # -- the workers ------------------------------------------------------------------------------

    async def _drain(self, tp: TopicPartition) -> None:
        while tp not in self._stopping:
            batches = await self._consumer.getmany(
                tp, timeout_ms=_FETCH_TIMEOUT_MS, max_records=self._max_batch
            )
            records = batches.get(tp)
            if not records:
                continue
            self._applying.add(tp)
            try:
                await self._apply(records)
            finally:
                self._applying.discard(tp)
            self._applied[tp] = records[-1].offset + 1
            self._wake.set()

    def _worker_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None and self._error is None:
            self._error = task.exception()
            self._wake.set()

    async def _stop(self, partitions: list[TopicPartition], *, grace: float) -> None:
        tasks = []
        for tp in partitions:
            task = self._workers.pop(tp, None)
            if task is None:
                continue
            self._stopping.add(tp)
            if tp not in self._applying:
                task.cancel()  # waiting for records: nothing in hand (the fetch position resets)
            tasks.append(task)
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=grace)
            for task in unfinished:
                task.cancel()  # its transaction rolls back; the batch is replayed
            await asyncio.gather(*tasks, return_exceptions=True)
        self._stopping.difference_update(partitions)

    async def _commit(self, partitions: Iterable[TopicPartition]) -> None:
        async with self._commit_lock:  # one request at a time, so offsets never go backwards
            offsets = {
                tp: self._applied[tp]
                for tp in partitions
                if tp in self._applied and self._committed.get(tp) != self._applied[tp]
            }
            if not offsets:
                return
            try:
                await self._consumer.commit(offsets)
            except CommitFailedError as error:
                # The group is rebalancing: the revocation commits these, or the new owner replays.
                log.info("offset commit refused by a rebalance", consumer=self._name, error=repr(error))
                return
            self._committed.update(offsets)
