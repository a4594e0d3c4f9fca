"""Each provider's status lists as signed snapshots on ``credentials.status-lists``, so that
verifiers decide the status of this ecosystem's credentials without calling the issuer.

A list is announced when it is opened: for shard 1 when its provider appears, for any shard at
the latest before a slot in it is claimed, and then the claim waits until the relay has
published the snapshot. So a list's first snapshot is on Kafka before any credential naming it
exists. After that a list is re-signed and published whenever its set bits or its provider's
signing key change. Each snapshot is stored together with its event (one write, guarded by the
sequence before it): nothing is lost to a crash, and the highest sequence is the current list
for verifiers and for ``GET /status-lists/{id}`` alike.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence

from microcred_shared.events import Topic
from microcred_shared.events.contracts.credentials import StatusListPublishedV1
from microcred_shared.events.registry import STATUS_LIST_PUBLISHED

from ..domain.errors import StatusListNotAnnounced
from ..domain.keyring import Keyring
from ..domain.status_list import (
    PURPOSES,
    StatusPurpose,
    StatusSlot,
    list_id,
    parse_list_id,
    status_list_credential,
)
from .keys import SOURCE, KeyHandlers
from .ports import (
    Clock,
    Credentials,
    KeyVault,
    OutgoingEvent,
    SignedList,
    Signer,
    StatusListSnapshots,
    Wake,
)
from .urls import IssuerUrls


class StatusLists:
    def __init__(
        self,
        *,
        snapshots: StatusListSnapshots,
        credentials: Credentials,
        keys: KeyHandlers,
        vault: KeyVault,
        signer: Signer,
        urls: IssuerUrls,
        clock: Clock,
        wake: Wake,
        list_size: int,
        announce_timeout_seconds: float = 30.0,
    ) -> None:
        self._snapshots = snapshots
        self._credentials = credentials
        self._keys = keys
        self._vault = vault
        self._signer = signer
        self._urls = urls
        self._clock = clock
        self._wake = wake
        self._size = list_size
        self._announce_timeout = announce_timeout_seconds
        # Lists this process saw published: claiming a slot in them needs no database read.
        self._published: set[str] = set()

    async def announce(self, provider_id: str, shard: int) -> None:
        """Both lists of the shard stored with their first snapshot (the relay publishes it)."""
        for purpose in PURPOSES:
            await self._newest(list_id(provider_id, purpose, shard), open_it=True)

    async def announce_shards(self, shards: Sequence[tuple[str, int]]) -> None:
        for provider_id, shard in shards:
            await self.announce(provider_id, shard)

    async def open(self, provider_id: str, shard: int) -> None:
        """Before a slot in the shard is claimed: its lists announced and already published."""
        for purpose in PURPOSES:
            opened = list_id(provider_id, purpose, shard)
            if opened in self._published:
                continue
            await self._newest(opened, open_it=True)
            await self._until_published(opened)
            self._published.add(opened)

    async def current(self, opened: str) -> SignedList | None:
        """The list as it stands (re-signed and published first if its bits or signing key
        changed); None for a list that was never opened."""
        return await self._newest(opened, open_it=False)

    async def refresh_slot(self, slot: StatusSlot) -> None:
        """After a status change: both lists the slot is in, published if they changed."""
        for purpose in PURPOSES:
            await self.current(slot.list_id(purpose))

    async def refresh_provider(self, provider_id: str) -> None:
        """After a key change: every list of the provider, signed with its current key.
        Shards are opened in order from 1, so the first shard with no list is the end."""
        shard = 1
        while await self.current(list_id(provider_id, "revocation", shard)) is not None:
            await self.current(list_id(provider_id, "suspension", shard))
            shard += 1

    async def _newest(self, opened: str, *, open_it: bool) -> SignedList | None:
        parsed = parse_list_id(opened)
        if parsed is None:
            return None
        provider_id, purpose, shard = parsed
        while True:
            # The snapshot before the bits: bits read after it reflect at least what it does,
            # so a snapshot is never replaced by one made from older bits.
            stored = await self._snapshots.get(opened)
            if stored is None and not open_it:
                return None
            keyring = await self._keyring(provider_id, create=open_it)
            if keyring is None:
                return None
            indexes = sorted(await self._credentials.set_indexes(provider_id, shard, purpose))
            digest = self._digest(keyring, indexes)
            if stored is not None and stored.sequence > 0 and stored.digest == digest:
                return stored
            signed = self._sign(opened, purpose, keyring, indexes, digest, stored)
            if await self._snapshots.put(signed, [self._event(signed, provider_id, purpose)]):
                self._wake()
                return signed
            # Another request or replica stored a snapshot first: read again and re-decide.

    async def _keyring(self, provider_id: str, *, create: bool) -> Keyring | None:
        if create:
            return await self._keys.ensure(provider_id)
        return await self._keys.ensure_existing(provider_id)

    def _digest(self, keyring: Keyring, indexes: list[int]) -> str:
        text = f"{keyring.current.fragment}|{self._size}|{indexes}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def _sign(
        self,
        opened: str,
        purpose: StatusPurpose,
        keyring: Keyring,
        indexes: list[int],
        digest: str,
        stored: SignedList | None,
    ) -> SignedList:
        now = self._clock.now()
        unsigned = status_list_credential(
            list_url=self._urls.status_list(opened),
            issuer_did=keyring.did,
            purpose=purpose,
            set_indexes=indexes,
            size=self._size,
            valid_from=now,
        )
        document = self._signer.sign(unsigned, self._vault.signing_key(keyring), now)
        sequence = (stored.sequence if stored else 0) + 1
        return SignedList(opened, digest, document, now, sequence)

    def _event(self, signed: SignedList, provider_id: str, purpose: StatusPurpose) -> OutgoingEvent:
        data = StatusListPublishedV1(
            list_id=signed.list_id,
            provider_id=provider_id,
            status_purpose=purpose,
            list_url=self._urls.status_list(signed.list_id),
            sequence=signed.sequence,
            list_credential=signed.document,
            published_at=signed.signed_at,
        )
        event = STATUS_LIST_PUBLISHED.envelope(
            data,
            source=SOURCE,
            subject=signed.list_id,
            event_id=f"status-list:{signed.list_id}:{signed.sequence}",
        )
        return OutgoingEvent(Topic.CREDENTIALS_STATUS_LISTS, signed.list_id, event)

    async def _until_published(self, opened: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._announce_timeout
        while await self._snapshots.pending(opened):
            if loop.time() > deadline:
                raise StatusListNotAnnounced(
                    f"status list {opened!r} is not published yet (is Kafka reachable?)"
                )
            self._wake()
            await asyncio.sleep(0.05)
