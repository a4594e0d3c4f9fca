"""Publishing verification outcomes on ``verifications``, in batches behind the responses."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from faststream.kafka import KafkaBroker
from faststream.kafka.exceptions import BatchBufferOverflowException
from microcred_shared.events import CONTENT_TYPE, Topic, TopicNames
from microcred_shared.events.contracts.verifications import VerificationPerformedV1
from microcred_shared.events.registry import VERIFICATION_PERFORMED
from microcred_shared.logging import get_logger

log = get_logger(__name__)

SendBatch = Callable[[Sequence[bytes]], Awaitable[None]]


class BatchedVerificationEvents:
    """Outcomes queued by the request (no await, no task per request) and published by one
    background flusher, many per produce request.

    Nothing is stored for a verification, so there is no outbox: a lost event costs one data
    point in the demand statistics, never a wrong answer to an employer. The queue is bounded
    so that a broker that is down costs memory no longer than ``max_queued`` events (the oldest
    are dropped, and counted in the log)."""

    def __init__(
        self,
        source: str,
        send_batch: SendBatch,
        *,
        max_batch: int = 500,
        max_queued: int = 20_000,
        linger_seconds: float = 0.02,
    ) -> None:
        self._source = source
        self._send_batch = send_batch
        self._max_batch = max_batch
        self._queue: deque[VerificationPerformedV1] = deque(maxlen=max_queued)
        self._linger = linger_seconds
        self._wake = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._dropped = 0

    def announce(self, event: VerificationPerformedV1) -> None:
        if len(self._queue) == self._queue.maxlen:
            self._dropped += 1
        self._queue.append(event)
        self._wake.set()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_forever(), name="verification-events")

    async def close(self) -> None:
        """Publish what is queued, then stop the flusher."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()

    async def flush(self) -> None:
        while self._queue:
            count = min(self._max_batch, len(self._queue))
            batch = [self._queue.popleft() for _ in range(count)]
            await self._publish(batch)
        if self._dropped:
            log.warning("verification events dropped: the queue was full", dropped=self._dropped)
            self._dropped = 0

    async def _flush_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            # A short linger gathers the outcomes of concurrent requests into one batch.
            await asyncio.sleep(self._linger)
            await self.flush()

    async def _publish(self, batch: Sequence[VerificationPerformedV1]) -> None:
        bodies = [
            VERIFICATION_PERFORMED.envelope(
                event, source=self._source, event_id=event.verification_id
            ).to_json_bytes()
            for event in batch
        ]
        try:
            await self._send_batch(bodies)
        except Exception as error:
            log.warning("verification events not published", count=len(bodies), error=repr(error))


def kafka_batch_sender(broker: KafkaBroker, topics: TopicNames) -> SendBatch:
    """One produce request per batch; what does not fit the producer's batch buffer goes in the
    next request. Keyless: the event id (random) was the key, which spread them the same way."""
    topic = topics.of(Topic.VERIFICATIONS)

    async def send(bodies: Sequence[bytes]) -> None:
        remaining = list(bodies)
        while remaining:
            try:
                await broker.publish_batch(
                    *remaining, topic=topic, headers={"content-type": CONTENT_TYPE}
                )
                return
            except BatchBufferOverflowException as overflow:
                fits = overflow.message_position
                if fits == 0:
                    log.warning("verification event larger than a producer batch: dropped")
                    fits = 1
                else:
                    await broker.publish_batch(
                        *remaining[:fits], topic=topic, headers={"content-type": CONTENT_TYPE}
                    )
                remaining = remaining[fits:]

    return send
