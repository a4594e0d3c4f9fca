"""Providers: registration with a key shown once, changes as versioned events, key rotation."""

from __future__ import annotations

import pytest
from microcred_catalogue.domain.providers import Accreditation, ProviderType, Trust
from microcred_catalogue.service_layer import commands, errors

from tests.unit.catalogue.fakes import World


def registration(provider_id: str = "uni-a", country: str = "Austria") -> commands.RegisterProvider:
    return commands.RegisterProvider(
        provider_id, "University A", ProviderType.UNIVERSITY, country, Accreditation("accredited")
    )


async def test_a_registered_provider_gets_a_key_that_is_stored_only_as_a_hash() -> None:
    world = World()

    created = await world.provider_handlers.register(registration())

    stored = world.providers.stored["uni-a"]
    assert created.api_key.startswith("mcp_")
    assert created.api_key not in str(stored)
    assert created.api_key not in str(world.api_keys.records)
    assert stored.country == "AT"
    assert (await world.provider_handlers.authenticate(created.api_key)).provider_id == "uni-a"
    [event] = world.providers.events
    assert (event.data.provider_id, event.data.version, event.data.trust) == ("uni-a", 1, "trusted")


async def test_a_wrong_key_is_unauthorized() -> None:
    world = World()
    await world.provider_handlers.register(registration())

    with pytest.raises(errors.Unauthorized):
        await world.provider_handlers.authenticate("mcp_guessed")


async def test_registering_a_taken_id_is_a_conflict() -> None:
    world = World()
    await world.provider_handlers.register(registration())

    with pytest.raises(errors.Conflict):
        await world.provider_handlers.register(registration())


async def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(errors.Invalid):
        await World().provider_handlers.register(registration(country="Atlantis"))


async def test_suspending_a_provider_publishes_the_next_version() -> None:
    world = World()
    await world.provider_handlers.register(registration())

    suspended = await world.provider_handlers.change(
        commands.ChangeProvider("uni-a", trust=Trust.SUSPENDED)
    )

    assert (suspended.version, suspended.trust, suspended.name) == (
        2,
        Trust.SUSPENDED,
        "University A",
    )
    assert world.providers.events[-1].data.trust == "suspended"


async def test_a_rotated_key_replaces_the_old_one_at_once() -> None:
    world = World()
    old = (await world.provider_handlers.register(registration())).api_key

    new = (await world.provider_handlers.rotate_key(commands.RotateApiKey("uni-a"))).api_key

    assert (await world.provider_handlers.authenticate(new)).provider_id == "uni-a"
    with pytest.raises(errors.Unauthorized):
        await world.provider_handlers.authenticate(old)


async def test_keys_rotate_with_overlap_and_a_revoked_one_stops_at_once() -> None:
    world = World()
    handlers = world.provider_handlers
    first = (await handlers.register(registration())).api_key
    record, second = await handlers.issue_key("uni-a")

    both = [(await handlers.authenticate(k)).provider_id for k in (first, second)]
    listed = await handlers.keys_of("uni-a")
    revoked = await handlers.revoke_key("uni-a", listed[0].key_id)

    assert both == ["uni-a", "uni-a"]
    assert [k.active for k in listed] == [True, True]
    assert listed[1].key_id == record.key_id
    assert not revoked.active
    with pytest.raises(errors.Unauthorized):
        await handlers.authenticate(first)
    assert (await handlers.authenticate(second)).provider_id == "uni-a"
    with pytest.raises(errors.NotFound):
        await handlers.revoke_key("uni-b", listed[1].key_id)
