"""The delivery worker: takes due deliveries in batches, sends them, records them in bulk.

Ownership: one replica at a time dispatches, the one holding the dispatch lease
(:class:`DispatchLease`); the others stand by and take over when it stops renewing. Being the
single writer of every delivery's dispatch state is what lets a batch be taken by reading it by
``_id`` and recorded with one bulk write of updates by ``_id``, with no lock per delivery
(FerretDB 1.24's updates are unsynchronised read-modify-writes: two writers would need one).
Within this process a delivery is sent by one task at a time: it stays in ``_sending`` from the
moment it is taken until its outcome is stored. A holder that crashed mid-send leaves the
delivery pending, and the next holder sends it again with the same ``webhook-id``
(at-least-once, as Standard Webhooks expects).

Concurrency is bounded overall and per receiving origin, and every request has a timeout, so a
slow or dead receiver holds a few slots at most and never delays the others.

Work reaches the dispatcher two ways, the second covering what the first cannot:
1. :meth:`Dispatcher.new_deliveries`: the fan-out hands over what it just stored, due now, so a
   webhook goes out without any query (the common path, in the replica that stored it);
2. :meth:`_refresh_candidates` asks ``deliveries.due``, which the store answers from its small
   pointers (every pending delivery has one, written first): retries coming due, deliveries
   another replica stored or a crashed process left, what the bounded queue of 1. left out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from microcred_shared.logging import get_logger

from ..domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus
from ..domain.retries import RetrySchedule
from ..domain.subscriptions import SubscriptionStatus
from ..domain.urls import UrlRefused, check_addresses, parse_webhook_url
from .candidates import CandidateQueue
from .endpoints import Endpoint, EndpointDirectory
from .ports import (
    AddressResolver,
    Clock,
    DeliveryRepository,
    DispatchLease,
    DueDelivery,
    Keys,
    SubscriptionRepository,
    WebhookRequest,
    WebhookSender,
)


@dataclass(frozen=True)
class DispatchLimits:
    max_in_flight: int = 64
    max_in_flight_per_origin: int = 16
    # An origin whose last attempts all failed gets one request at a time until one succeeds:
    # a dead receiver is still retried, but costs the others (and the database) little.
    failing_after: int = 3
    # How long the dispatch lease lasts unrenewed (renewed every third of it): how long a
    # standby waits before taking over from a crashed dispatcher.
    lease: timedelta = timedelta(seconds=15)
    poll_interval_seconds: float = 1.0
    # Due deliveries found by one look: one look should feed many sends.
    batch_size: int = 1024
    # How long a batch of found deliveries is worked through before looking again; bounds how
    # long work stored by another replica's consumers waits. What this process stores is
    # queued directly.
    rescan_seconds: float = 5.0
    # An idle dispatcher looks less and less often, up to this: on FerretDB a look that finds
    # nothing due reads every pointer.
    max_idle_seconds: float = 5.0
    # How far apart looks past full origins (see _should_scan) may grow while they find
    # nothing: work another replica stored for a receiver with room waits at most this long
    # while this one's receivers are full (its own new work and retries are looked for at once).
    max_past_full_seconds: float = 30.0
    endpoint_cache: timedelta = timedelta(seconds=1)


log = get_logger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RECORDED_REMEMBERED = 10_000
MAX_DOUBLINGS = 64

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
    lease: DispatchLease
    schedule: RetrySchedule = field(default_factory=RetrySchedule)
    limits: DispatchLimits = field(default_factory=DispatchLimits)
    allow_private_urls: bool = False
    on_attempt: AttemptObserver = field(default=_ignore)

    def __post_init__(self) -> None:
        self._wake = asyncio.Event()
        self._in_flight: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None
        self._recording: asyncio.Task[None] | None = None
        self._looking: asyncio.Task[None] | None = None
        self._last_look_at = EPOCH
        # Looks in a row that left full origins out and found nothing for the others.
        self._empty_looks_past_full = 0
        self._stopping = False
        self._candidates = CandidateQueue()
        self._next_scan_at = EPOCH
        self._rescan_when_drained = False
        self._idle_scans = 0
        self._failures: dict[str, int] = {}
        # Taken and not yet recorded: never taken again meanwhile.
        self._sending: set[str] = set()
        # Recorded lately: a candidate this process stored may have been found by a look and
        # sent before the fan-out queued it; it is not sent again from what was stored.
        self._recorded: dict[str, None] = {}
        self._attempted: list[tuple[Delivery, AttemptOutcome]] = []
        self._unsent: dict[DeliveryStatus, list[str]] = {}
        self._renew_at = EPOCH
        self._owned_until = EPOCH
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
            self._scan_soon(origins=None if not stored else {c.origin for c in stored})
        else:
            self._candidates.extend(stored)
        self._wake.set()

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name="webhook-dispatcher")

    async def stop(self) -> None:
        """Stop sending, store what was sent, and hand the lease over: what was still in flight
        is sent again by the next holder (same ``webhook-id``)."""
        # A flag as well as the cancellation: Python 3.11's wait_for can swallow a cancel that
        # races with the event it waits for.
        self._stopping = True
        tasks = [t for t in (self._loop, self._looking, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._recording is not None:  # let a write under way finish
            with contextlib.suppress(Exception):
                await self._recording
        with contextlib.suppress(Exception):
            await self._record()
        with contextlib.suppress(Exception):
            await self.lease.release()

    async def run_until_idle(self) -> None:
        """Send everything due now and record it (tests, benchmarks)."""
        while True:
            await self._record()
            started = await self._take(look_inline=True)
            if self._tasks:
                await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)
            elif not (started or self._attempted or self._unsent):
                return

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._round()
            except Exception as error:  # the database is away: keep polling
                log.warning("dispatch round failed", error=repr(error))
                await asyncio.sleep(self.limits.poll_interval_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.limits.poll_interval_seconds)
            self._wake.clear()

    async def _round(self) -> int:
        """Record what was sent since the last round, then take and start what is due."""
        self._record_in_background()
        return await self._take()

    async def _take(self, *, look_inline: bool = False) -> int:
        if not await self._own():
            return 0
        return await self._fill(look_inline=look_inline)

    def _record_in_background(self) -> None:
        """Outcomes are stored while the next webhooks go out, one bulk write at a time: the
        database's work and the receivers' overlap instead of taking turns."""
        if self._recording is not None and not self._recording.done():
            return
        if self._attempted or self._unsent:
            self._recording = asyncio.create_task(self._record_logged(), name="record-outcomes")

    async def _record_logged(self) -> None:
        try:
            await self._record()
        except Exception as error:  # kept in hand (not sent again) and stored at a later try
            log.warning("recording outcomes failed", error=repr(error))
            await asyncio.sleep(self.limits.poll_interval_seconds)
        finally:
            self._wake.set()

    async def _own(self) -> bool:
        now = self.clock.now()
        if now < self._renew_at:
            return True
        if await self.lease.hold(self.limits.lease):
            self._renew_at = now + self.limits.lease / 3
            self._owned_until = now + self.limits.lease
            return True
        self._renew_at = self._owned_until = EPOCH
        return False

    def _still_owned(self) -> bool:
        return self.clock.now() < self._owned_until

    async def _fill(self, *, look_inline: bool = False) -> int:
        """Take due deliveries while there are free slots; returns how many were started."""
        started = 0
        while (room := self._room()) > 0:
            if self._should_scan():
                if look_inline:
                    await self._refresh_candidates()
                else:
                    self._look_in_background()
            picked = self._pick(room)
            if not picked:
                # Queued ones wait for their origin to have room; deliveries for other origins
                # are found by the next scan, at most a poll interval away.
                break
            for delivery in await self._sendable(picked):
                self._spawn(delivery)
                started += 1
        return started

    def _pick(self, room: int) -> list[DueDelivery]:
        """Up to ``room`` queued candidates whose origin has room and that are not in hand."""
        return self._candidates.take(room, self._origin_room, self._in_hand)

    def _origin_room(self, origin: str) -> int:
        return self._origin_limit(origin) - self._in_flight[origin]

    def _in_hand(self, candidate: DueDelivery) -> bool:
        """Being sent now, or (as this process stored it) already recorded."""
        if candidate.delivery_id in self._sending:
            return True
        return candidate.stored is not None and candidate.delivery_id in self._recorded

    async def _sendable(self, picked: Sequence[DueDelivery]) -> list[Delivery]:
        """What this process just stored is sent as stored (no other writer changed it since:
        a pause or deletion is seen through the endpoint); the rest is read back by _id."""
        known = [c.stored for c in picked if c.stored is not None]
        unknown = [c.delivery_id for c in picked if c.stored is None]
        if unknown:
            known += await self.deliveries.pending(unknown, self.clock.now())
        return known

    def _should_scan(self) -> bool:
        now = self.clock.now()
        if len(self._candidates) and not self._candidates.any_takeable(self._origin_room):
            # Held back only by full origins (a dead receiver's backlog, or one receiver taking
            # all it may): a look leaving them out finds the others' deliveries. One that finds
            # none reads every pointer on FerretDB (1.5 s at 30,000 pointers, measured in the
            # 100,000 run, where every batch the fan-out stored for the full receiver set one
            # off), so while they find nothing they come less and less often; work for an
            # origin with room (_scan_soon) brings them back at once.
            return now >= self._last_look_at + timedelta(seconds=self._spacing_past_full())
        if self._rescan_when_drained and not len(self._candidates):
            return True  # a full batch worked through: the next one, at once
        return now >= self._next_scan_at

    def _spacing_past_full(self) -> float:
        start, cap = self.limits.poll_interval_seconds, self.limits.max_past_full_seconds
        return doubled(start, self._empty_looks_past_full, cap)

    def _scan_soon(self, after_seconds: float = 0.0, *, origins: set[str] | None = None) -> None:
        """Look by ``after_seconds`` from now, for work of ``origins`` (None: any). Work for
        an origin that has room and nothing queued is what a look past full origins would find:
        such looks come at once again."""
        self._idle_scans = 0
        if origins is None or any(self._free(o) for o in origins):
            self._empty_looks_past_full = 0
        soon = self.clock.now() + timedelta(seconds=max(after_seconds, 0.0))
        self._next_scan_at = min(self._next_scan_at, soon)

    def _look_in_background(self) -> None:
        """A look can read every pointer on FerretDB (when few are due, behind a backlog, and
        once per database every delivery): what is queued is sent meanwhile."""
        if self._looking is None or self._looking.done():
            self._looking = asyncio.create_task(self._look_logged(), name="look-for-due")

    async def _look_logged(self) -> None:
        try:
            await self._refresh_candidates()
        except Exception as error:  # the database is away: look again a poll interval later
            log.warning("looking for due deliveries failed", error=repr(error))
            self._scan_soon(self.limits.poll_interval_seconds)
            await asyncio.sleep(self.limits.poll_interval_seconds)
        finally:
            self._wake.set()

    async def _refresh_candidates(self) -> None:
        """One query for a batch of due deliveries, amortised over the batch; reading each is
        then a by-id read."""
        now = self.clock.now()
        # The most overdue are often those in hand (sent, their outcome not stored yet): ask
        # for that many more, or a look right after a batch went out finds only the batch.
        limit = self.limits.batch_size + len(self._sending)
        self._last_look_at = now
        left_out = self._busy_origins()
        found = await self.deliveries.due(now, left_out, limit)
        fresh = [c for c in found if c.delivery_id not in self._sending]
        self._candidates.refresh(fresh, keep_origins=set(left_out))
        # A full batch may have more behind it: look again as soon as it is worked through. So
        # may a healthy origin left out for being full at that moment.
        healthy_left_out = any(not self._failing(o) for o in left_out)
        if left_out:  # a look leaving nothing out tells nothing of the others' work
            self._empty_looks_past_full = 0 if fresh else self._empty_looks_past_full + 1
        self._rescan_when_drained = (len(found) >= limit and bool(fresh)) or (
            self._rescan_when_drained and healthy_left_out
        )
        if fresh:
            self._idle_scans = 0
            wait = self.limits.rescan_seconds
        else:
            self._idle_scans += 1
            start, cap = self.limits.poll_interval_seconds, self.limits.max_idle_seconds
            wait = doubled(start, self._idle_scans - 1, cap)
        self._next_scan_at = now + timedelta(seconds=wait)

    def _free(self, origin: str) -> bool:
        return self._origin_room(origin) > 0 and not self._candidates.has(origin)

    def _room(self) -> int:
        return self.limits.max_in_flight - sum(self._in_flight.values())

    def _busy_origins(self) -> list[str]:
        """Origins a look leaves out: full, and with work queued for their next free slot or
        failing (a dead receiver's backlog is not read again and again)."""
        return [
            o
            for o, n in self._in_flight.items()
            if n >= self._origin_limit(o) and (self._failing(o) or self._candidates.has(o))
        ]

    def _failing(self, origin: str) -> bool:
        return self._failures.get(origin, 0) >= self.limits.failing_after

    def _origin_limit(self, origin: str) -> int:
        return 1 if self._failing(origin) else self.limits.max_in_flight_per_origin

    def _note_outcome(self, origin: str, outcome: AttemptOutcome) -> None:
        if outcome.accepted:
            self._failures.pop(origin, None)
        else:
            self._failures[origin] = self._failures.get(origin, 0) + 1

    def _spawn(self, delivery: Delivery) -> None:
        origin = delivery.origin
        self._in_flight[origin] += 1
        self._sending.add(delivery.delivery_id)

        def finished(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            self._in_flight[origin] -= 1
            if self._in_flight[origin] <= 0:
                del self._in_flight[origin]
            self._wake.set()

        task = asyncio.create_task(self._deliver_logged(delivery), name="deliver")
        self._tasks.add(task)
        task.add_done_callback(finished)

    async def _deliver_logged(self, delivery: Delivery) -> None:
        try:
            await self._deliver(delivery)
        except Exception as error:  # nothing was recorded: it stays pending, tried again
            self._sending.discard(delivery.delivery_id)
            self._scan_soon(self.limits.poll_interval_seconds)
            log.warning(
                "delivery failed before its result was recorded",
                delivery_id=delivery.delivery_id,
                error=repr(error),
            )

    async def _deliver(self, delivery: Delivery) -> None:
        endpoint = await self._endpoints.get(delivery.subscription_id)
        if endpoint is None or endpoint.subscription.status is SubscriptionStatus.DELETED:
            self._unsent.setdefault(DeliveryStatus.CANCELLED, []).append(delivery.delivery_id)
            return
        if not endpoint.subscription.active:
            self._unsent.setdefault(DeliveryStatus.HELD, []).append(delivery.delivery_id)
            return
        outcome = await self._attempt(delivery, endpoint)
        self.on_attempt(delivery, outcome)
        self._note_outcome(delivery.origin, outcome)
        self._attempted.append((delivery.after_attempt(outcome, self.schedule), outcome))

    async def _record(self) -> None:
        """Store the outcomes gathered since the last round, in bulk."""
        attempted, self._attempted = self._attempted, []
        unsent, self._unsent = self._unsent, {}
        if not attempted and not unsent:
            return
        handled = [d.delivery_id for d, _ in attempted] + [
            i for ids in unsent.values() for i in ids
        ]
        if not self._still_owned():
            # Another replica may hold the lease now: it sends these again (same webhook-id).
            log.warning("dispatch lease lost; outcomes left to the next holder", count=len(handled))
            self._sending.difference_update(handled)
            return
        try:
            await self.deliveries.record([d for d, _ in attempted])
            for status, ids in unsent.items():
                await self.deliveries.set_status(ids, status)
        except Exception:
            # Kept in hand (not sent again) until the database takes them.
            self._attempted[:0] = attempted
            for status, ids in unsent.items():
                self._unsent.setdefault(status, []).extend(ids)
            raise
        self._sending.difference_update(handled)
        self._remember(handled)
        for delivery, outcome in attempted:
            if not delivery.final:
                due_in = (delivery.due_at - self.clock.now()).total_seconds()
                self._scan_soon(due_in, origins={delivery.origin})
            if outcome.gone:
                await self._disable(delivery.subscription_id)

    def _remember(self, recorded: Sequence[str]) -> None:
        self._recorded.update(dict.fromkeys(recorded))
        while len(self._recorded) > RECORDED_REMEMBERED:
            del self._recorded[next(iter(self._recorded))]

    async def _disable(self, subscription_id: str) -> None:
        """The receiver said 410 Gone: stop sending to it, keep its other deliveries held."""
        self._endpoints.forget(subscription_id)
        subscription = await self.subscriptions.get(subscription_id)
        if subscription is None or not subscription.active:
            return
        await self.subscriptions.save(subscription.disabled("the receiver answered 410 Gone"))
        await self.deliveries.move(subscription_id, [DeliveryStatus.PENDING], DeliveryStatus.HELD)

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


def doubled(start: float, times: int, cap: float) -> float:
    """``start`` doubled ``times`` times, at most ``cap``. The exponent is bounded: a count of
    looks grows for as long as they find nothing, and 2.0 ** 1024 no longer fits a float."""
    return min(start * 2.0 ** min(times, MAX_DOUBLINGS), cap)


def _body_of(delivery: Delivery) -> bytes:
    # Stored payload, canonical form: every retry sends the very same bytes.
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
