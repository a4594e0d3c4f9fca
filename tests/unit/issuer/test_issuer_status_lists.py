"""Status list snapshots on ``credentials.status-lists``: announced before any credential names
a list, published again whenever its bits or signing key change, and never lost to a crash."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from microcred_issuer.domain.errors import StatusListNotAnnounced
from microcred_issuer.domain.records import IssuedCredential
from microcred_issuer.domain.status_list import bit_is_set, decode_bitstring
from microcred_issuer.service_layer.commands import ChangeStatus, IssueCompletion, RotateKey
from microcred_issuer.service_layer.keys import did_document
from microcred_issuer.service_layer.ports import SignedList
from microcred_issuer.service_layer.projections import provider_from
from microcred_shared.crypto import StaticKeyResolver, verify_proofs
from microcred_shared.events import Topic
from microcred_shared.events.contracts.credentials import StatusListPublishedV1

from tests.unit.issuer.fakes import BASE_URL, World, provider_event


def snapshots(world: World, list_id: str) -> list[StatusListPublishedV1]:
    """What the outbox holds for ``list_id``, in the order it was stored."""
    return [e.data for e in world.outbox.on(Topic.CREDENTIALS_STATUS_LISTS) if e.subject == list_id]


def bit(world: World, snapshot: StatusListPublishedV1, index: int) -> bool:
    """The bit, from a snapshot whose proof verifies with the provider's published keys."""
    keyring = world.keyrings.keyrings[snapshot.provider_id]
    resolver = StaticKeyResolver.from_documents(did_document(keyring))
    result = verify_proofs(snapshot.list_credential, resolver)
    assert result.verified, result.reason
    encoded = snapshot.list_credential["credentialSubject"]["encodedList"]
    return bit_is_set(decode_bitstring(encoded), index)


async def issue(world: World, completion_id: str = "c-1") -> IssuedCredential:
    outcome = await world.handlers.completions.issue(
        IssueCompletion(completion_id, "uni-a", "uni-a:MECH-1", date(2025, 5, 1), "a@example.org")
    )
    return world.credentials.stored[outcome.credential_id]


@pytest.fixture
async def world() -> World:
    world = World()
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    return world


async def test_a_provider_s_first_lists_are_published_empty_as_soon_as_it_appears(
    world: World,
) -> None:
    assert world.credentials.stored == {}
    for purpose in ("revocation", "suspension"):
        [first] = snapshots(world, f"uni-a.{purpose}.1")
        assert (first.sequence, first.status_purpose) == (1, purpose)
        assert first.list_url == f"{BASE_URL}/status-lists/uni-a.{purpose}.1"
        assert first.list_credential["id"] == first.list_url
        assert first.list_credential["issuer"] == world.keyrings.keyrings["uni-a"].did
        assert not any(bit(world, first, index) for index in (0, 7, 131_071))


async def test_a_credential_names_only_a_list_whose_snapshot_is_already_published() -> None:
    """A provider registered before lists were published: its list is opened by the first
    credential, whose slot is claimed only once the relay has sent the snapshot."""
    world = World()
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    await world.catalogue.apply_provider(provider_from(provider_event("uni-a")))  # no lists yet
    log: list[str] = []
    checks = iter([True, True, False])  # the relay sends it on the third look

    async def pending(list_id: str) -> bool:
        still = next(checks, False) if list_id == "uni-a.revocation.1" else False
        log.append(f"pending {list_id}: {still}")
        return still

    claim_many = world.slots.claim_many

    async def logged_claim(*args: Any) -> list[bool]:
        log.append("claim")
        return await claim_many(*args)

    world.status_lists.pending = pending  # type: ignore[method-assign]
    world.slots.claim_many = logged_claim  # type: ignore[method-assign]

    credential = await issue(world)

    assert log.index("claim") > log.index("pending uni-a.revocation.1: False")
    assert log[: log.index("claim")].count("pending uni-a.revocation.1: True") == 2
    assert credential.slot.list_id("revocation") == "uni-a.revocation.1"
    assert [s.sequence for s in snapshots(world, "uni-a.revocation.1")] == [1]


async def test_no_slot_is_claimed_in_a_list_the_relay_cannot_publish() -> None:
    world = World(list_announce_timeout_seconds=0.2)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    world.status_lists.unpublished.add("uni-a.revocation.1")  # Kafka away: stays pending

    with pytest.raises(StatusListNotAnnounced):
        await issue(world)

    assert world.slots.taken == {}
    assert world.credentials.stored == {}


async def test_revoking_publishes_the_next_snapshot_with_the_bit_set(world: World) -> None:
    credential = await issue(world)
    list_id = credential.slot.list_id("revocation")

    await world.handlers.status.change(
        ChangeStatus(credential.credential_id, "uni-a", "revoke", "issued in error")
    )

    first, revoked = snapshots(world, list_id)
    assert (first.sequence, revoked.sequence) == (1, 2)
    assert not bit(world, first, credential.slot.index)
    assert bit(world, revoked, credential.slot.index)
    served = await world.handlers.status_lists.current(list_id)
    assert served is not None
    assert served.document == revoked.list_credential  # the one served is the one published
    [suspension] = snapshots(world, credential.slot.list_id("suspension"))
    assert suspension.sequence == 1  # its bits did not change


async def test_suspension_and_reinstatement_each_publish_the_suspension_list(world: World) -> None:
    credential = await issue(world)
    list_id = credential.slot.list_id("suspension")
    for action in ("suspend", "reinstate"):
        await world.handlers.status.change(ChangeStatus(credential.credential_id, "uni-a", action))

    published = snapshots(world, list_id)
    assert [s.sequence for s in published] == [1, 2, 3]
    assert [bit(world, s, credential.slot.index) for s in published] == [False, True, False]


async def test_an_unchanged_list_is_neither_signed_nor_published_again(world: World) -> None:
    credential = await issue(world)
    list_id = credential.slot.list_id("revocation")
    signed, events = world.status_lists.signed, len(world.outbox.events)

    for _ in range(3):
        await world.handlers.status_lists.current(list_id)
    await world.add_provider("uni-a", version=2)  # announces shard 1 again: already there

    assert world.status_lists.signed == signed
    assert world.outbox.on(Topic.CREDENTIALS_STATUS_LISTS) == [
        e.event for e in world.outbox.events[:events] if e.topic is Topic.CREDENTIALS_STATUS_LISTS
    ]


async def test_a_list_that_was_never_opened_is_not_served_or_published(world: World) -> None:
    before = len(world.outbox.events)
    assert await world.handlers.status_lists.current("uni-a.revocation.9") is None
    assert await world.handlers.status_lists.current("nobody.revocation.1") is None
    assert len(world.outbox.events) == before


async def test_a_crash_before_the_snapshot_is_mended_from_the_status_event(world: World) -> None:
    credential = await issue(world)
    changed = credential.status_change("revoke", "withdrawn", datetime.now(UTC))
    assert changed is not None
    # As a crash leaves it: the status and its event stored, no new snapshot.
    await world.credentials.update_status(changed, credential.status_sequence, [])
    assert len(snapshots(world, credential.slot.list_id("revocation"))) == 1

    await world.handlers.status.on_status_changed(credential.credential_id)

    latest = snapshots(world, credential.slot.list_id("revocation"))[-1]
    assert latest.sequence == 2
    assert bit(world, latest, credential.slot.index)


async def test_a_key_rotation_republishes_every_list_signed_with_the_new_key(
    world: World,
) -> None:
    credential = await issue(world)
    await world.handlers.keys.rotate(RotateKey("uni-a"))

    await world.handlers.status_lists.refresh_provider("uni-a")

    for purpose in ("revocation", "suspension"):
        latest = snapshots(world, credential.slot.list_id(purpose))[-1]  # type: ignore[arg-type]
        assert latest.sequence == 2
        [proof] = latest.list_credential["proof"]
        assert proof["verificationMethod"].endswith("#key-2")
        assert not bit(world, latest, credential.slot.index)


async def test_a_list_cached_before_snapshots_were_published_is_published_at_its_next_look(
    world: World,
) -> None:
    """An earlier version kept the served list without a sequence: read as sequence 0."""
    list_id = "uni-a.revocation.2"
    document = {"id": f"{BASE_URL}/status-lists/{list_id}"}
    world.status_lists.lists[list_id] = SignedList(list_id, "old", document, datetime.now(UTC), 0)

    await world.handlers.status_lists.announce_shards(await world.slots.shards() + [("uni-a", 2)])

    [published] = snapshots(world, list_id)
    assert published.sequence == 1
    assert published.list_credential["credentialSubject"]["statusPurpose"] == "revocation"
