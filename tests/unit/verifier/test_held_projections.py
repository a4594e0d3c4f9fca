"""The projections the verifier serves from: memory restored from its restart store, each new
event written through to it, and not one read of it while verifying."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from microcred_verifier.adapters.entries import Entry, provider_entry
from microcred_verifier.adapters.held_projections import HeldProjections
from projections_contract import DID, LATER, NOW, keys, provider


@dataclass
class RecordingStore:
    """A restart store with no read methods: a lookup that reached it would raise."""

    held: list[Entry] = field(default_factory=list)
    stored: list[Entry] = field(default_factory=list)
    last: dict[str, datetime] = field(default_factory=dict)

    async def store_entry(self, entry: Entry) -> bool:
        self.stored.append(entry)
        return True

    async def entries(self) -> AsyncIterator[Entry]:
        for entry in self.held:
            yield entry

    async def last_events(self) -> dict[str, datetime]:
        return self.last


async def test_a_start_restores_what_the_store_held_with_when_it_last_changed() -> None:
    store = RecordingStore(
        held=[provider_entry(provider(2, trust="suspended", dids=(DID,)), NOW)],
        last={"providers": LATER},
    )
    projections = HeldProjections(store)

    assert await projections.load() == 1

    found = await projections.provider_by_did(DID)
    assert found is not None
    assert found.trust == "suspended"
    assert (await projections.freshness("providers")).as_of == LATER


async def test_a_new_event_is_written_through_and_a_replayed_or_older_one_is_not() -> None:
    store = RecordingStore(held=[provider_entry(provider(2), NOW)])
    projections = HeldProjections(store)
    await projections.load()

    assert not await projections.apply_provider(provider(2), LATER)  # the topic read again
    assert not await projections.apply_provider(provider(1), LATER)
    assert await projections.apply_provider(provider(3, trust="suspended"), LATER)
    assert await projections.apply_issuer_keys(keys(1), LATER)

    assert [(e.collection, e.key, e.order) for e in store.stored] == [
        ("providers", "rvu", 3),
        ("issuer_keys", "rvu", 1),
    ]
    # Every lookup a verification makes is answered without the store.
    found = await projections.provider_by_did(DID)
    assert found is not None
    assert found.trust == "suspended"
    assert await projections.keys_of(DID)
    assert await projections.provider_named("Rhine Valley University") is not None
    assert await projections.achievement("plc") is None
    assert await projections.pathways_from("plc") == []
    assert await projections.status_at("https://x.example/l", 1) is None
