"""Where a delivery goes: read once per subscription however many sends ask at once."""

import asyncio

from microcred_notifier.service_layer.endpoints import EndpointDirectory

from tests.unit.notifier.fakes import World
from tests.unit.notifier.test_notifier_subscription_handlers import register, subscriber


async def test_sends_asking_at_once_for_an_expired_endpoint_share_one_read() -> None:
    world = World()
    owner, _ = await subscriber(world)
    subscription_id = await register(world, owner)
    reads: list[str] = []
    read = world.subscriptions.get

    async def counted_get(wanted: str) -> object:
        reads.append(wanted)
        await asyncio.sleep(0)  # the read takes a while: the others ask meanwhile
        return await read(wanted)

    world.subscriptions.get = counted_get  # type: ignore[assignment,method-assign]
    directory = EndpointDirectory(world.subscriptions, world.keys, world.clock)

    endpoints = await asyncio.gather(*(directory.get(subscription_id) for _ in range(16)))

    assert reads == [subscription_id]
    assert {e.subscription.subscription_id for e in endpoints if e} == {subscription_id}
    assert all(e is endpoints[0] for e in endpoints)
