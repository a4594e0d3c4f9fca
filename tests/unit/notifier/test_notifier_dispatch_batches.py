"""The dispatcher takes and records deliveries in batches, as the single holder of the
dispatch lease: never one delivery twice at once, nothing sent by a standby."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_notifier.domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus
from microcred_notifier.service_layer.dispatcher import DispatchLimits, doubled
from microcred_notifier.service_layer.ports import DueDelivery, WebhookRequest

from tests.unit.notifier.fakes import World
from tests.unit.notifier.test_notifier_filters import issued
from tests.unit.notifier.test_notifier_subscription_handlers import register, subscriber


class CountingRecords:
    """Wraps a repository's ``record``: each call is one bulk write on MongoDB."""

    def __init__(self, world: World, *, failures: int = 0) -> None:
        self.batches: list[int] = []
        self.failures = failures
        self._record = world.deliveries.record
        world.deliveries.record = self  # type: ignore[method-assign]

    async def __call__(self, attempted: Sequence[Delivery]) -> Any:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the database is away")
        self.batches.append(len(attempted))
        return await self._record(attempted)


class HeldSender:
    """Holds every request until released; counts requests in flight per webhook-id."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.sent: list[str] = []
        self.in_flight: dict[str, int] = {}
        self.most_at_once = 0

    async def send(self, request: WebhookRequest) -> AttemptOutcome:
        self.sent.append(request.webhook_id)
        self.in_flight[request.webhook_id] = self.in_flight.get(request.webhook_id, 0) + 1
        self.most_at_once = max(self.most_at_once, self.in_flight[request.webhook_id])
        await self.release.wait()
        self.in_flight[request.webhook_id] -= 1
        return AttemptOutcome(started_at=datetime.now(UTC), latency_ms=1, status_code=204)


async def test_a_batch_of_deliveries_is_recorded_in_one_bulk_write() -> None:
    world = World()
    owner, _ = await subscriber(world)
    await register(world, owner)
    records = CountingRecords(world)
    for n in range(10):
        await world.fan_out.notify(issued(event_id=f"evt-{n}"))

    await world.dispatcher.run_until_idle()

    assert len(world.sender.sent) == 10
    assert records.batches == [10]
    assert {d.status for d in world.deliveries.all()} == {DeliveryStatus.SUCCEEDED}


@pytest.mark.timeout(10)
async def test_a_delivery_found_again_while_in_flight_is_not_sent_a_second_time() -> None:
    world = World()
    held = HeldSender()
    world.dispatcher.sender = held
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.fan_out.notify(issued(event_id="evt-1"))
    (delivery,) = world.deliveries.all()

    world.dispatcher.start()
    try:
        while not held.sent:  # noqa: ASYNC110
            await asyncio.sleep(0)
        # Handed over again, and due to any look, while its first request is open.
        world.dispatcher.new_deliveries([DueDelivery(delivery.delivery_id, delivery.origin)])
        world.dispatcher.new_deliveries()
        for _ in range(50):
            await asyncio.sleep(0)
        held.release.set()
        while world.deliveries.all()[0].status is DeliveryStatus.PENDING:  # noqa: ASYNC110
            await asyncio.sleep(0)
    finally:
        await world.dispatcher.stop()

    assert held.sent == [delivery.delivery_id]
    assert held.most_at_once == 1


async def test_an_outcome_the_database_could_not_take_is_kept_and_not_sent_again() -> None:
    world = World(limits=DispatchLimits(poll_interval_seconds=0.01))
    owner, _ = await subscriber(world)
    await register(world, owner)
    records = CountingRecords(world, failures=1)
    await world.fan_out.notify(issued(event_id="evt-1"))

    with pytest.raises(ConnectionError):
        await world.dispatcher.run_until_idle()
    await world.dispatcher.run_until_idle()  # the database is back

    assert len(world.sender.sent) == 1
    assert records.batches == [1]
    assert world.deliveries.all()[0].status is DeliveryStatus.SUCCEEDED


async def test_a_standby_replica_sends_nothing_until_it_holds_the_lease() -> None:
    world = World()
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.fan_out.notify(issued(event_id="evt-1"))
    world.lease.held_elsewhere = True

    await world.dispatcher.run_until_idle()
    assert world.sender.sent == []

    world.lease.held_elsewhere = False  # the holder stopped renewing, or handed it over
    world.clock.advance(60)
    await world.dispatcher.run_until_idle()
    assert len(world.sender.sent) == 1


@pytest.mark.timeout(10)
async def test_outcomes_are_not_recorded_once_the_lease_was_lost_and_the_next_holder_resends() -> (
    None
):
    world = World()
    held = HeldSender()
    world.dispatcher.sender = held
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.fan_out.notify(issued(event_id="evt-1"))

    world.dispatcher.start()
    try:
        while not held.sent:  # noqa: ASYNC110
            await asyncio.sleep(0)
        world.lease.held_elsewhere = True
        world.clock.advance(60)  # this replica stalled past its lease
        held.release.set()
        for _ in range(50):
            await asyncio.sleep(0)
    finally:
        await world.dispatcher.stop()

    assert world.deliveries.all()[0].status is DeliveryStatus.PENDING  # left to the new holder
    assert world.lease.released == 1


async def test_a_stopped_dispatcher_hands_the_lease_over() -> None:
    world = World()
    world.dispatcher.start()
    await asyncio.sleep(0)
    await world.dispatcher.stop()
    assert world.lease.released == 1


async def test_a_new_delivery_a_look_found_and_sent_first_is_not_sent_again_as_stored() -> None:
    world = World()
    owner, _ = await subscriber(world)
    await register(world, owner)
    queued: list[DueDelivery] = []
    world.fan_out.on_new_deliveries = queued.extend  # the fan-out's hand-over comes late
    await world.fan_out.notify(issued(event_id="evt-1"))
    await world.dispatcher.run_until_idle()  # a look finds it by its pointer and sends it

    world.dispatcher.new_deliveries(queued)
    await world.dispatcher.run_until_idle()

    assert len(world.sender.sent) == 1


@pytest.mark.timeout(10)
async def test_handed_over_deliveries_go_out_while_a_look_and_a_record_are_still_under_way() -> (
    None
):
    world = World(limits=DispatchLimits(poll_interval_seconds=0.01, max_in_flight_per_origin=2))
    owner, _ = await subscriber(world)
    await register(world, owner)
    store_answers = asyncio.Event()

    async def slow_due(*_: object) -> list[DueDelivery]:
        await store_answers.wait()
        return []

    async def slow_record(_: Sequence[Delivery]) -> None:
        await store_answers.wait()

    world.deliveries.due = slow_due  # type: ignore[method-assign]
    world.deliveries.record = slow_record  # type: ignore[method-assign]
    for n in range(6):
        await world.fan_out.notify(issued(event_id=f"evt-{n}"))

    world.dispatcher.start()
    try:
        # Two at a time; each pair's outcomes wait unrecorded. The fake sender has no event.
        while len(world.sender.sent) < 6:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        # Every webhook went out though the store has answered neither the look nor a record.
        assert not store_answers.is_set()
    finally:
        store_answers.set()
        await world.dispatcher.stop()
    assert sorted(r.webhook_id for r in world.sender.sent) == sorted(
        d.delivery_id for d in world.deliveries.all()
    )


class DeadAndLiveSender:
    """The dead receiver never answers; the live one accepts at once."""

    def __init__(self, dead_url: str) -> None:
        self.dead_url = dead_url
        self.live: list[str] = []
        self.dead_open = 0

    async def send(self, request: WebhookRequest) -> AttemptOutcome:
        if request.url == self.dead_url:
            self.dead_open += 1
            await asyncio.Event().wait()
        self.live.append(request.webhook_id)
        return AttemptOutcome(started_at=datetime.now(UTC), latency_ms=1, status_code=204)


@pytest.mark.timeout(10)
async def test_a_dead_receivers_queued_backlog_does_not_hold_back_the_look_for_the_others() -> None:
    # The fan-out hands over more of the dead receiver's deliveries than it may have in flight
    # (they stay queued); batches are small, so most deliveries wait in the store; timed looks
    # come only after a minute, so every look before that is one the dispatcher made because
    # what it held could not be sent.
    limits = DispatchLimits(
        batch_size=8,
        max_in_flight_per_origin=2,
        poll_interval_seconds=0.01,
        rescan_seconds=60,
        max_idle_seconds=60,
    )
    world = World(limits=limits)
    dead_url = "https://dead.example.edu/hook"
    sender = DeadAndLiveSender(dead_url)
    world.dispatcher.sender = sender
    owner, _ = await subscriber(world)
    await register(world, owner, dead_url)
    await register(world, owner)
    for n in range(20):
        await world.fan_out.notify(issued(event_id=f"evt-{n}"))
    started = world.clock.now()

    world.dispatcher.start()
    try:
        while len(sender.live) < 20:  # the clock moves on as the dispatcher works
            await asyncio.sleep(0.005)
            world.clock.advance(limits.poll_interval_seconds)
    finally:
        await world.dispatcher.stop()

    # All of the live receiver's deliveries went out while the dead one's first two requests
    # were still open (none ends), and before any timed look.
    assert sender.dead_open == 2
    assert len(set(sender.live)) == 20
    assert world.clock.now() - started < timedelta(seconds=limits.rescan_seconds)


@pytest.mark.timeout(20)
async def test_looks_past_a_full_receiver_that_find_nothing_come_less_often_until_others_have_work() -> (
    None
):
    # One receiver takes all it may and answers nothing yet, while the fan-out keeps storing
    # work for it: its queued deliveries wait for a slot, and every look that leaves it out
    # finds nothing (on FerretDB: a read of every pointer). Those looks back off; a second
    # receiver's new work brings them back at once.
    limits = DispatchLimits(
        batch_size=8,
        max_in_flight_per_origin=2,
        poll_interval_seconds=0.01,
        rescan_seconds=60,
        max_idle_seconds=0.16,
        max_past_full_seconds=0.16,
    )
    world = World(limits=limits)
    busy_url = "https://busy.example.edu/hook"
    sender = DeadAndLiveSender(busy_url)
    world.dispatcher.sender = sender
    looks_past_full: list[datetime] = []
    due = world.deliveries.due

    async def counted(now: datetime, busy: Sequence[str], limit: int) -> list[DueDelivery]:
        if busy:
            looks_past_full.append(now)
        return await due(now, busy, limit)

    world.deliveries.due = counted  # type: ignore[method-assign]
    owner, _ = await subscriber(world)
    await register(world, owner, busy_url)
    for n in range(20):
        await world.fan_out.notify(issued(event_id=f"evt-{n}"))

    world.dispatcher.start()
    try:
        for step in range(300):  # three simulated seconds, a poll interval a step
            await world.fan_out.notify(issued(event_id=f"more-{step}"))
            await asyncio.sleep(0.002)
            world.clock.advance(limits.poll_interval_seconds)
        backed_off = len(looks_past_full)
        await register(world, owner)  # a second receiver, with room
        for n in range(20, 24):
            await world.fan_out.notify(issued(event_id=f"evt-{n}"))
        for _ in range(100):
            if len(sender.live) >= 4:
                break
            await asyncio.sleep(0.002)
            world.clock.advance(limits.poll_interval_seconds)
    finally:
        await world.dispatcher.stop()

    # Before: a look a poll interval apart, 300 in three seconds. Backing off to 0.16 s: ~20.
    assert sender.dead_open == 2
    assert backed_off <= 30
    assert len(set(sender.live)) == 4  # the other receiver's work went out all the same


def test_a_back_off_stays_at_its_cap_however_long_nothing_is_found() -> None:
    # An idle dispatcher, or one whose looks past a full receiver find nothing, counts its
    # looks for hours: the wait between them must stay at the cap, not overflow.
    assert doubled(1.0, 0, 30.0) == 1.0
    assert doubled(1.0, 3, 30.0) == 8.0
    assert doubled(1.0, 1024, 30.0) == 30.0
    assert doubled(1.0, 10**6, 5.0) == 5.0
