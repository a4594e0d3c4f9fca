"""The delivery worker: claims due deliveries, sends them, records each attempt.

Any number of replicas may run it against one database: a delivery is claimed with a lease
(an atomic find-and-update), so two workers never send it at once, and a worker that dies
mid-send leaves a lease that expires, after which another claims and retries it (same
``webhook-id``). Concurrency is bounded overall and per receiving origin, so a slow or dead
receiver holds a few slots at most and never delays the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from microcred_shared.logging import get_logger

from ..domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus
from ..domain.retries import RetrySchedule
from ..domain.subscriptions import SubscriptionStatus
from ..domain.urls import UrlRefused, check_addresses, parse_webhook_url
from .endpoints import Endpoint, EndpointDirectory
from .ports import (
    AddressResolver,
    Claim,
    Clock,
    DeliveryRepository,
    DueDelivery,
    Keys,
    SubscriptionRepository,
    WebhookRequest,
    WebhookSender,
)


@dataclass(frozen=True)
class DispatchLimits:
    max_in_flight: int = 32
    max_in_flight_per_origin: int = 4
    # An origin whose last attempts all failed gets one request at a time until one succeeds:
    # a dead receiver is still retried, but costs the others (and the database) little.
    failing_after: int = 3
    lease: timedelta = timedelta(seconds=60)
    poll_interval_seconds: float = 1.0
    batch_size: int = 256
    # How long a batch of found deliveries is worked through before looking again; bounds how
    # long another replica's new work waits. What this process stores is queued directly: on
    # FerretDB the look scans every pending pointer (about 300 ms at 2,000 behind).
    rescan_seconds: float = 5.0
    # An idle dispatcher scans less and less often, up to this: on FerretDB every scan reads the
    # whole collection. New work stored by this process, or due by its own records, is looked
    # for at once; what other replicas store waits at most this long.
    max_idle_seconds: float = 5.0
    endpoint_cache: timedelta = timedelta(seconds=1)


log = get_logger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

AttemptObserver = Callable[[Delivery, AttemptOutcome], None]


def _ignore(_: Delivery, __: AttemptOutcome) -> None:
    return None


@dataclass
class Dispatcher:
    deliveries: DeliveryRepository
    subscriptions: SubscriptionRepository
    keys: Keys
    sender: WebhookSender
    resolver: AddressResolver
    clock: Clock
    schedule: RetrySchedule = field(default_factory=RetrySchedule)
    limits: DispatchLimits = field(default_factory=DispatchLimits)
    allow_private_urls: bool = False
    on_attempt: AttemptObserver = field(default=_ignore)

    def __post_init__(self) -> None:
        self._wake = asyncio.Event()
        self._in_flight: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None
        self._stopping = False
        self._candidates: deque[DueDelivery] = deque()
        self._next_scan_at = EPOCH
        self._rescan_when_drained = False
        self._idle_scans = 0
        self._failures: dict[str, int] = {}
        self._endpoints = EndpointDirectory(
            self.subscriptions, self.keys, self.clock, self.limits.endpoint_cache
        )

    def wake(self) -> None:
        self._wake.set()

    def new_deliveries(self, stored: Sequence[DueDelivery] = ()) -> None:
        """New deliveries were stored, due now: queue ``stored`` (or, when not named, look for
        them at once) rather than wait for the next scan. Past a batch's worth queued they are
        left to the scan, which finds them by their pointers: the queue stays bounded."""
        room = self.limits.batch_size - len(self._candidates)
        if not stored or len(stored) > room:
            self._scan_soon()
        else:
            self._candidates.extend(stored)
        self._wake.set()

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name="webhook-dispatcher")

    async def stop(self) -> None:
        """Stop claiming and abandon what is in flight: its leases expire and it is retried."""
        # A flag as well as the cancellation: Python 3.11's wait_for can swallow a cancel that
        # races with the event it waits for.
        self._stopping = True
        tasks = [t for t in (self._loop, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_until_idle(self) -> None:
        """Send everything due now and wait for it (tests, benchmarks)."""
        while await self._fill() or self._tasks:
            if self._tasks:
                await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._fill()
            except Exception:  # the database is away: keep polling, leases keep work safe
                await asyncio.sleep(self.limits.poll_interval_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.limits.poll_interval_seconds)
            self._wake.clear()

    async def _fill(self) -> int:
        """Claim due deliveries while there are free slots; returns how many were claimed."""
        claimed = 0
        while self._room() > 0:
            if self._should_scan():
                await self._refresh_candidates()
            candidate = self._next_candidate()
            if candidate is None:
                # Queued ones wait for their origin to have room; deliveries for other origins
                # are found by the next scan, at most a poll interval away.
                break
            now = self.clock.now()
            claim = await self.deliveries.claim(candidate.delivery_id, now, now + self.limits.lease)
            if claim is not None:  # None: another replica took it, or it is no longer due
                self._spawn(claim)
                claimed += 1
        return claimed

    def _should_scan(self) -> bool:
        if not self._candidates and self._rescan_when_drained:
            return True
        return self.clock.now() >= self._next_scan_at

    def _scan_soon(self, after_seconds: float = 0.0) -> None:
        self._idle_scans = 0
        soon = self.clock.now() + timedelta(seconds=max(after_seconds, 0.0))
        self._next_scan_at = min(self._next_scan_at, soon)

    async def _refresh_candidates(self) -> None:
        """One query for a batch of due deliveries: finding them costs a scan on FerretDB, so
        it is amortised over the batch; claiming each is a cheap by-id update."""
        now = self.clock.now()
        found = await self.deliveries.due(now, self._busy_origins(), self.limits.batch_size)
        self._candidates = deque(found)
        # A full batch may have more behind it: look again as soon as it is worked through.
        self._rescan_when_drained = len(found) >= self.limits.batch_size
        if found:
            self._idle_scans = 0
            wait = self.limits.rescan_seconds
        else:
            self._idle_scans += 1
            wait = min(
                self.limits.poll_interval_seconds * 2 ** (self._idle_scans - 1),
                self.limits.max_idle_seconds,
            )
        self._next_scan_at = now + timedelta(seconds=wait)

    def _next_candidate(self) -> DueDelivery | None:
        """The first queued candidate whose origin has room."""
        for index, candidate in enumerate(self._candidates):
            if self._in_flight[candidate.origin] < self._origin_limit(candidate.origin):
                del self._candidates[index]
                return candidate
        return None

    def _room(self) -> int:
        return self.limits.max_in_flight - sum(self._in_flight.values())

    def _busy_origins(self) -> list[str]:
        return [o for o, n in self._in_flight.items() if n >= self._origin_limit(o)]

    def _origin_limit(self, origin: str) -> int:
        if self._failures.get(origin, 0) >= self.limits.failing_after:
            return 1
        return self.limits.max_in_flight_per_origin

    def _note_outcome(self, origin: str, outcome: AttemptOutcome) -> None:
        if outcome.accepted:
            self._failures.pop(origin, None)
        else:
            self._failures[origin] = self._failures.get(origin, 0) + 1

    def _spawn(self, claim: Claim) -> None:
        origin = claim.delivery.origin
        self._in_flight[origin] += 1

        def finished(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            self._in_flight[origin] -= 1
            if self._in_flight[origin] <= 0:
                del self._in_flight[origin]
            self._wake.set()

        task = asyncio.create_task(self._deliver_logged(claim), name="deliver")
        self._tasks.add(task)
        task.add_done_callback(finished)

    async def _deliver_logged(self, claim: Claim) -> None:
        try:
            await self._deliver(claim)
        except Exception as error:  # the lease expires and another attempt follows
            log.warning(
                "delivery failed before its result was recorded",
                delivery_id=claim.delivery.delivery_id,
                error=repr(error),
            )

    async def _deliver(self, claim: Claim) -> None:
        delivery = claim.delivery
        endpoint = await self._endpoints.get(delivery.subscription_id)
        if endpoint is None or endpoint.subscription.status is SubscriptionStatus.DELETED:
            await self.deliveries.release(claim, DeliveryStatus.CANCELLED)
            return
        subscription = endpoint.subscription
        if not subscription.active:
            await self.deliveries.release(claim, DeliveryStatus.HELD)
            return
        outcome = await self._attempt(delivery, endpoint)
        self.on_attempt(delivery, outcome)
        self._note_outcome(delivery.origin, outcome)
        updated = delivery.after_attempt(outcome, self.schedule)
        if not await self.deliveries.record(claim, updated):
            return  # our lease expired and another worker took over: its record wins
        if not updated.final:
            self._scan_soon((updated.due_at - self.clock.now()).total_seconds())
        if outcome.gone:
            self._endpoints.forget(subscription.subscription_id)
            await self.subscriptions.save(subscription.disabled("the receiver answered 410 Gone"))
            await self.deliveries.move(
                subscription.subscription_id, DeliveryStatus.PENDING, DeliveryStatus.HELD
            )

    async def _attempt(self, delivery: Delivery, endpoint: Endpoint) -> AttemptOutcome:
        started = self.clock.now()
        url = endpoint.subscription.url
        try:
            target = parse_webhook_url(url, allow_private=self.allow_private_urls)
            addresses = await self.resolver.resolve(target.host, target.port)
            check_addresses(addresses, allow_private=self.allow_private_urls)
        except UrlRefused as refused:
            return AttemptOutcome(started_at=started, latency_ms=0.0, error=f"refused: {refused}")
        return await self.sender.send(
            WebhookRequest(
                url=url,
                webhook_id=delivery.delivery_id,
                body=_body_of(delivery),
                signing_secrets=endpoint.signing_secrets,
                trace=delivery.trace,
            )
        )


def _body_of(delivery: Delivery) -> bytes:
    # Stored payload, canonical form: every retry sends the very same bytes.
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
