"""Fan-out and the dispatcher on fakes: one delivery per match, retries, dead letters, bounds."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from microcred_notifier.adapters.webhooks import signature_header
from microcred_notifier.domain.deliveries import AttemptOutcome, DeliveryStatus
from microcred_notifier.domain.retries import RetrySchedule
from microcred_notifier.domain.subscriptions import SubscriptionStatus
from microcred_notifier.service_layer.dispatcher import DispatchLimits
from microcred_notifier.service_layer.ports import WebhookRequest
from standardwebhooks import Webhook

from tests.unit.notifier.fakes import World
from tests.unit.notifier.test_notifier_filters import issued
from tests.unit.notifier.test_notifier_subscription_handlers import URL, register, subscriber


async def test_an_event_becomes_one_delivery_per_matching_subscription() -> None:
    world = World()
    owner, _ = await subscriber(world)
    await register(world, owner, "https://a.example.edu/hook")
    await register(
        world, owner, "https://b.example.edu/hook", provider_ids=frozenset({"uni-north"})
    )
    await register(world, owner, "https://c.example.edu/hook", provider_ids=frozenset({"other"}))
    assert await world.fan_out.notify(issued()) == 2


async def test_a_redelivered_event_adds_no_delivery() -> None:
    world = World()
    owner, _ = await subscriber(world)
    await register(world, owner)
    assert await world.fan_out.notify(issued()) == 1
    assert await world.fan_out.notify(issued()) == 0
    assert len(world.deliveries.all()) == 1


async def test_the_signature_sent_is_accepted_by_the_standard_webhooks_library() -> None:
    world = World()
    owner, _ = await subscriber(world)
    created_id = await register(world, owner)
    secret = world.keys.unseal(world.subscriptions.sealed[created_id].current)
    await world.fan_out.notify(issued())
    await world.dispatcher.run_until_idle()
    (request,) = world.sender.sent
    now = datetime.now(UTC)
    headers = {
        "webhook-id": request.webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header(
            list(request.signing_secrets), request.webhook_id, now, request.body.decode()
        ),
    }
    payload = Webhook(secret).verify(request.body, headers)
    assert payload["data"]["credential_id"] == "c1"


async def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt() -> None:
    world = World()
    world.sender.scripts[URL] = [500, 502, 503, 200]
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.fan_out.notify(issued())
    for _ in range(4):
        await world.dispatcher.run_until_idle()
        world.clock.advance(4 * 3600)
    (delivery,) = world.deliveries.all()
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert [a.outcome.status_code for a in delivery.attempts] == [500, 502, 503, 200]
    assert len({r.webhook_id for r in world.sender.sent}) == 1


async def test_a_retry_waits_until_it_is_due() -> None:
    world = World()
    world.sender.scripts[URL] = [500, 200]
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.fan_out.notify(issued())
    await world.dispatcher.run_until_idle()
    world.clock.advance(4)  # the first retry is due after 5 s
    await world.dispatcher.run_until_idle()
    assert len(world.sender.sent) == 1
    world.clock.advance(1)
    await world.dispatcher.run_until_idle()
    assert len(world.sender.sent) == 2


async def test_retry_after_from_the_receiver_postpones_the_retry() -> None:
    world = World()
    world.sender.scripts[URL] = [429, 200]
    world.sender.retry_after[URL] = 600
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.fan_out.notify(issued())
    await world.dispatcher.run_until_idle()
    world.clock.advance(300)
    await world.dispatcher.run_until_idle()
    assert len(world.sender.sent) == 1
    world.clock.advance(300)
    await world.dispatcher.run_until_idle()
    assert world.deliveries.all()[0].status is DeliveryStatus.SUCCEEDED


async def test_a_receiver_that_never_succeeds_ends_dead_lettered() -> None:
    world = World(schedule=RetrySchedule(delays=(1, 1, 1), jitter=0))
    world.sender.scripts[URL] = [500]
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.fan_out.notify(issued())
    for _ in range(6):
        await world.dispatcher.run_until_idle()
        world.clock.advance(1)
    (delivery,) = world.deliveries.all()
    assert delivery.status is DeliveryStatus.DEAD
    assert delivery.attempt_count == 4


async def test_410_gone_disables_the_subscription_and_holds_its_other_deliveries() -> None:
    world = World()
    world.sender.scripts[URL] = [410]
    owner, _ = await subscriber(world)
    subscription_id = await register(world, owner)
    await world.fan_out.notify(issued())
    await world.dispatcher.run_until_idle()
    subscription = world.subscriptions.by_id[subscription_id]
    assert subscription.status is SubscriptionStatus.DISABLED
    assert world.deliveries.all()[0].status is DeliveryStatus.DEAD
    assert await world.fan_out.notify(issued(event_id="evt-2")) == 0


async def test_a_name_rebound_to_a_private_address_is_refused_at_delivery_time() -> None:
    world = World()
    owner, _ = await subscriber(world)
    await register(world, owner, "https://rebind.example.com/hook")
    world.resolver.addresses["rebind.example.com"] = ["169.254.169.254"]
    await world.fan_out.notify(issued())
    await world.dispatcher.run_until_idle()
    assert world.sender.sent == []
    (delivery,) = world.deliveries.all()
    assert delivery.last_error is not None
    assert "non-public" in delivery.last_error


async def test_a_paused_subscriptions_claimed_delivery_is_held_not_sent() -> None:
    world = World()
    owner, _ = await subscriber(world)
    subscription_id = await register(world, owner)
    await world.fan_out.notify(issued())
    paused = world.subscriptions.by_id[subscription_id].paused()
    world.subscriptions.by_id[subscription_id] = paused  # paused behind the fan-out's back
    await world.dispatcher.run_until_idle()
    assert world.sender.sent == []
    assert world.deliveries.all()[0].status is DeliveryStatus.HELD


class BlockingSender:
    """Holds every request to ``slow_url`` until released; answers others at once."""

    def __init__(self, slow_url: str) -> None:
        self.slow_url = slow_url
        self.release = asyncio.Event()
        self.in_flight_slow = 0
        self.max_in_flight_slow = 0
        self.fast_done = 0
        self.all_fast_done = asyncio.Event()

    async def send(self, request: WebhookRequest) -> AttemptOutcome:
        if request.url == self.slow_url:
            self.in_flight_slow += 1
            self.max_in_flight_slow = max(self.max_in_flight_slow, self.in_flight_slow)
            await self.release.wait()
            self.in_flight_slow -= 1
            return AttemptOutcome(started_at=datetime.now(UTC), latency_ms=1, error="timeout")
        self.fast_done += 1
        if self.fast_done == 10:
            self.all_fast_done.set()
        return AttemptOutcome(started_at=datetime.now(UTC), latency_ms=1, status_code=200)


@pytest.mark.timeout(10)
async def test_a_hanging_receiver_holds_only_its_own_slots_and_others_are_delivered() -> None:
    world = World(limits=DispatchLimits(max_in_flight=8, max_in_flight_per_origin=2))
    slow = BlockingSender("https://slow.example.com/hook")
    world.dispatcher.sender = slow
    owner, _ = await subscriber(world)
    await register(world, owner, slow.slow_url)
    await register(world, owner, "https://fast.example.com/hook")
    for n in range(10):
        await world.fan_out.notify(issued(event_id=f"evt-{n}"))

    world.dispatcher.start()
    try:
        await asyncio.wait_for(slow.all_fast_done.wait(), 5)
        assert slow.max_in_flight_slow == 2
    finally:
        slow.release.set()
        await world.dispatcher.stop()


class CountingFailingSender:
    """Fails every request, noting how many were in flight when each arrived."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.seen_in_flight: list[int] = []

    async def send(self, request: WebhookRequest) -> AttemptOutcome:
        self.in_flight += 1
        self.seen_in_flight.append(self.in_flight)
        for _ in range(3):  # let the other requests of the batch start meanwhile
            await asyncio.sleep(0)
        self.in_flight -= 1
        return AttemptOutcome(started_at=datetime.now(UTC), latency_ms=1, status_code=503)


async def test_an_origin_that_keeps_failing_gets_one_request_at_a_time() -> None:
    world = World(
        schedule=RetrySchedule(delays=(), jitter=0),
        limits=DispatchLimits(max_in_flight_per_origin=4, failing_after=3),
    )
    failing = CountingFailingSender()
    world.dispatcher.sender = failing
    owner, _ = await subscriber(world)
    await register(world, owner)
    for n in range(10):
        await world.fan_out.notify(issued(event_id=f"evt-{n}"))
    await world.dispatcher.run_until_idle()
    assert failing.seen_in_flight[:4] == [1, 2, 3, 4]
    assert failing.seen_in_flight[4:] == [1] * 6


class CountingDue:
    """Wraps a repository's `due`: on FerretDB each call scans every pending pointer."""

    def __init__(self, world: World) -> None:
        self.calls = 0
        self._due = world.deliveries.due
        world.deliveries.due = self  # type: ignore[method-assign]

    async def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return await self._due(*args)


async def test_deliveries_this_process_stores_are_sent_without_looking_for_due_ones() -> None:
    world = World()
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.dispatcher.run_until_idle()  # the first look finds nothing
    looks = CountingDue(world)

    for n in range(5):
        await world.fan_out.notify(issued(event_id=f"evt-{n}"))
        await world.dispatcher.run_until_idle()

    assert len(world.sender.sent) == 5
    assert looks.calls == 0


async def test_more_new_deliveries_than_a_batch_are_left_to_the_look_and_all_sent() -> None:
    world = World(limits=DispatchLimits(batch_size=3, max_in_flight=1))
    owner, _ = await subscriber(world)
    await register(world, owner)
    await world.dispatcher.run_until_idle()
    looks = CountingDue(world)

    for n in range(7):
        await world.fan_out.notify(issued(event_id=f"evt-{n}"))
    await world.dispatcher.run_until_idle()

    assert len(world.sender.sent) == 7
    assert looks.calls >= 1
