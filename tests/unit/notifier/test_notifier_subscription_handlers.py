"""The subscriptions API's handlers, on in-memory fakes."""

import pytest
from microcred_notifier.domain.deliveries import DeliveryStatus
from microcred_notifier.domain.notifications import EventType
from microcred_notifier.domain.subscriptions import Filters, SubscriberKind, SubscriptionStatus
from microcred_notifier.service_layer import commands
from microcred_notifier.service_layer.errors import Invalid, NotFound, Unauthorized

from tests.unit.notifier.fakes import World
from tests.unit.notifier.test_notifier_filters import issued

URL = "https://sis.example.edu/hook"


async def subscriber(world: World, providers: frozenset[str] = frozenset()) -> tuple[str, str]:
    created = await world.handlers.create_subscriber(
        commands.CreateSubscriber("Uni North", SubscriberKind.UNIVERSITY, providers)
    )
    return created.subscriber.subscriber_id, created.secret


async def register(world: World, owner: str, url: str = URL, **filters: frozenset[str]) -> str:
    created = await world.handlers.register(
        commands.RegisterSubscription(
            owner, url, frozenset({EventType.CREDENTIAL_ISSUED}), Filters(**filters)
        )
    )
    return created.subscription.subscription_id


async def test_an_api_key_authenticates_its_subscriber_and_is_stored_only_hashed() -> None:
    world = World()
    owner, api_key = await subscriber(world)
    assert (await world.handlers.authenticate(api_key)).subscriber_id == owner
    assert api_key not in world.subscribers.hashes
    with pytest.raises(Unauthorized):
        await world.handlers.authenticate(api_key + "x")


async def test_registration_returns_a_standard_webhooks_secret_stored_sealed() -> None:
    world = World()
    owner, _ = await subscriber(world)
    created = await world.handlers.register(
        commands.RegisterSubscription(
            owner, URL, frozenset({EventType.CREDENTIAL_ISSUED}), Filters()
        )
    )
    assert created.secret.startswith("whsec_")
    sealed = world.subscriptions.sealed[created.subscription.subscription_id]
    assert created.secret not in sealed.current
    assert world.keys.unseal(sealed.current) == created.secret


@pytest.mark.parametrize(
    "url", ["http://sis.example.edu/hook", "https://127.0.0.1/hook", "https://nowhere.invalid/"]
)
async def test_registration_refuses_unsafe_or_unresolvable_urls(url: str) -> None:
    world = World()
    owner, _ = await subscriber(world)
    with pytest.raises(Invalid, match="refused"):
        await register(world, owner, url)


async def test_registration_refuses_a_name_that_resolves_to_a_private_address() -> None:
    world = World()
    world.resolver.addresses["sneaky.example.com"] = ["10.0.0.7"]
    owner, _ = await subscriber(world)
    with pytest.raises(Invalid, match="non-public"):
        await register(world, owner, "https://sneaky.example.com/hook")


async def test_a_subscriber_cannot_see_or_touch_anothers_subscription() -> None:
    world = World()
    owner, _ = await subscriber(world)
    other, _ = await subscriber(world)
    subscription_id = await register(world, owner)
    with pytest.raises(NotFound):
        await world.handlers.pause(commands.PauseSubscription(other, subscription_id))
    assert await world.handlers.list_own(other) == []


async def test_pausing_holds_pending_deliveries_and_resuming_releases_them() -> None:
    world = World()
    owner, _ = await subscriber(world)
    subscription_id = await register(world, owner)
    await world.fan_out.notify(issued())
    await world.handlers.pause(commands.PauseSubscription(owner, subscription_id))
    assert [d.status for d in world.deliveries.all()] == [DeliveryStatus.HELD]
    assert await world.fan_out.notify(issued(event_id="evt-2")) == 0

    resumed = await world.handlers.resume(commands.ResumeSubscription(owner, subscription_id))
    assert resumed.status is SubscriptionStatus.ACTIVE
    assert [d.status for d in world.deliveries.all()] == [DeliveryStatus.PENDING]


async def test_deleting_cancels_what_was_not_delivered_and_hides_the_subscription() -> None:
    world = World()
    owner, _ = await subscriber(world)
    subscription_id = await register(world, owner)
    await world.fan_out.notify(issued())
    await world.handlers.delete(commands.DeleteSubscription(owner, subscription_id))
    assert [d.status for d in world.deliveries.all()] == [DeliveryStatus.CANCELLED]
    assert await world.handlers.list_own(owner) == []


async def test_rotation_signs_with_both_secrets_during_the_grace_period_then_the_new_one() -> None:
    world = World()
    owner, _ = await subscriber(world)
    subscription_id = await register(world, owner)
    old = world.keys.unseal(world.subscriptions.sealed[subscription_id].current)
    new = await world.handlers.rotate_secret(commands.RotateSigningSecret(owner, subscription_id))
    await world.fan_out.notify(issued())
    await world.dispatcher.run_until_idle()
    assert list(world.sender.sent[0].signing_secrets) == [new, old]

    world.clock.advance(25 * 3600)
    await world.fan_out.notify(issued(event_id="evt-2"))
    await world.dispatcher.run_until_idle()
    assert list(world.sender.sent[1].signing_secrets) == [new]


async def test_redelivering_a_dead_delivery_sends_it_again_with_the_same_id() -> None:
    world = World()
    world.sender.scripts[URL] = [500]
    world.schedule = world.dispatcher.schedule = type(world.schedule)(delays=(), jitter=0)
    owner, _ = await subscriber(world)
    subscription_id = await register(world, owner)
    await world.fan_out.notify(issued())
    await world.dispatcher.run_until_idle()
    (dead,) = world.deliveries.all()
    assert dead.status is DeliveryStatus.DEAD

    world.sender.scripts[URL] = [200]
    await world.handlers.redeliver(commands.Redeliver(owner, subscription_id, dead.delivery_id))
    await world.dispatcher.run_until_idle()
    (delivered,) = world.deliveries.all()
    assert delivered.status is DeliveryStatus.SUCCEEDED
    assert {r.webhook_id for r in world.sender.sent} == {dead.delivery_id}
    assert delivered.attempt_count == 2
