"""One task per assigned partition; offsets committed beside them, off the path of every event.

Order matters only within a partition, so each assigned partition gets its own task that takes
the records fetched for it and applies them in order, a batch at a time: a slow batch on one
partition no longer holds back the others, and a partition's next batch starts as soon as its
previous one is committed to the database (not when every partition's batch is).

One reader takes every fetched record out of aiokafka at once and queues it for its partition's
task. Left in aiokafka's buffer while that task is busy, a partition's records would hold back
the next fetch from their broker for every partition (up to 100 ms, aiokafka's prefetch
back-off), so partitions would again wait for the slowest. A partition whose queue is long is
paused (not fetched) until its task has caught up, which bounds the memory.

Offsets are committed by the caller of `run()`, one request at a time and at most one per
`commit_interval` seconds, each carrying whatever the partitions finished since the previous one;
an offset is recorded only after the database commit of the records it covers. An offset commit
is a write to the broker's offsets log: one per applied batch (hundreds a second under load) cost
the broker more CPU than the events themselves, while a later commit costs only replays after a
crash, which the inbox turns into no-ops: at-least-once delivery, idempotent effects.

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
# Batches a partition may have queued before it is paused (fetched no more until drained).
_QUEUED_BATCHES = 2
# Offset commits at most this often (an event's effect is committed in the database at once).
COMMIT_INTERVAL_SECONDS = 0.2


class PartitionWorkers(ConsumerRebalanceListener):
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        apply: ApplyBatch,
        *,
        name: str,
        max_batch: int,
        revoke_grace_seconds: float = 10.0,
        commit_interval: float = COMMIT_INTERVAL_SECONDS,
    ) -> None:
        self._consumer = consumer
        self._apply = apply
        self._name = name
        self._max_batch = max_batch
        self._grace = revoke_grace_seconds
        self._commit_interval = commit_interval
        self._workers: dict[TopicPartition, asyncio.Task[None]] = {}
        self._queues: dict[TopicPartition, list[ConsumerRecord]] = {}
        self._arrived: dict[TopicPartition, asyncio.Event] = {}
        self._paused: set[TopicPartition] = set()
        self._applying: set[TopicPartition] = set()
        self._stopping: set[TopicPartition] = set()
        self._applied: dict[TopicPartition, int] = {}  # next offset, its records in the database
        self._committed: dict[TopicPartition, int] = {}
        self._commit_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._error: BaseException | None = None

    async def run(self) -> None:
        """Read records for the partitions' tasks and commit applied offsets as they finish
        batches; raises what the reader or a worker raised."""
        reader = asyncio.create_task(self._read(), name=f"{self._name}:reader")
        reader.add_done_callback(self._worker_ended)
        try:
            while True:
                await self._wake.wait()
                if self._error is None:  # the partitions finish more batches meanwhile
                    await asyncio.sleep(self._commit_interval)
                self._wake.clear()
                if self._error is not None:
                    raise self._error
                await self._commit(self._consumer.assignment())
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def stop_all(self, *, commit_applied: bool = False) -> None:
        """Stop every partition's task; on a clean stop also commit what they applied since the
        last commit (left out, it is replayed by the next owner: harmless, but avoidable)."""
        partitions = list(self._workers)
        await self._stop(partitions, grace=0.01)
        if commit_applied:
            try:
                await asyncio.wait_for(self._commit(partitions), timeout=2.0)
            except Exception as error:
                log.info("offsets not committed at stop", consumer=self._name, error=repr(error))

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
                self._queues[tp] = []
                self._arrived[tp] = asyncio.Event()
                self._paused.discard(tp)  # a new assignment starts unpaused
                task = asyncio.create_task(self._drain(tp), name=f"{self._name}:{tp.topic}:{tp.partition}")
                task.add_done_callback(self._worker_ended)
                self._workers[tp] = task

    # -- the workers ------------------------------------------------------------------------------

    async def _read(self) -> None:
        """Hand every fetched record to its partition's queue at once, so aiokafka's buffer is
        empty and its next fetch leaves for all partitions while their tasks apply."""
        while True:
            fetched = await self._consumer.getmany(timeout_ms=_FETCH_TIMEOUT_MS)
            for tp, records in fetched.items():
                queue = self._queues.get(tp)
                if queue is None or tp not in self._workers:
                    continue  # being revoked: its position is reset from the committed offset
                queue.extend(records)
                self._arrived[tp].set()
                if len(queue) >= _QUEUED_BATCHES * self._max_batch and tp in self._consumer.assignment():
                    self._consumer.pause(tp)
                    self._paused.add(tp)

    async def _next_batch(self, tp: TopicPartition) -> list[ConsumerRecord]:
        queue, arrived = self._queues[tp], self._arrived[tp]
        while not queue:
            arrived.clear()
            await arrived.wait()
        records = queue[: self._max_batch]
        del queue[: self._max_batch]
        if tp in self._paused and len(queue) < self._max_batch:
            self._paused.discard(tp)
            if tp in self._consumer.assignment():
                self._consumer.resume(tp)
        return records

    async def _drain(self, tp: TopicPartition) -> None:
        while tp not in self._stopping:
            records = await self._next_batch(tp)
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
        for tp in partitions:  # what was queued and not applied is fetched again by the next owner
            self._queues.pop(tp, None)
            self._arrived.pop(tp, None)
            self._paused.discard(tp)

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
