"""Status list indexes: each credential gets a random free one in its provider's lists."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence

from ..domain.status_list import StatusSlot
from .ports import StatusSlots

MAX_SLOT_ATTEMPTS = 32

OpenShard = Callable[[str, int], Awaitable[None]]


class SlotAllocator:
    """Random free indexes in a provider's status lists; a full shard spills into the next.
    A shard's lists are opened (announced to verifiers) before any index in them is claimed."""

    def __init__(self, slots: StatusSlots, list_size: int, open_shard: OpenShard) -> None:
        self._slots = slots
        self._size = list_size
        self._open_shard = open_shard

    async def allocate(self, provider_id: str, credential_id: str) -> StatusSlot:
        return (await self.allocate_many(provider_id, [credential_id]))[credential_id]

    async def allocate_many(
        self, provider_id: str, credential_ids: Sequence[str]
    ) -> dict[str, StatusSlot]:
        """A slot for each credential, claimed in one write per round of random picks."""
        allocated: dict[str, StatusSlot] = {}
        waiting = list(dict.fromkeys(credential_ids))
        shard = 1
        while waiting:
            await self._open_shard(provider_id, shard)
            for _ in range(MAX_SLOT_ATTEMPTS):
                waiting = await self._claim_round(provider_id, shard, waiting, allocated)
                if not waiting:
                    break
            shard += 1  # this shard is (nearly) full: many collisions in a row
        return allocated

    async def _claim_round(
        self,
        provider_id: str,
        shard: int,
        waiting: list[str],
        allocated: dict[str, StatusSlot],
    ) -> list[str]:
        """One random free-looking index each, claimed at once; the ones still waiting."""
        picks: dict[int, str] = {}
        for credential_id in waiting:
            index = secrets.randbelow(self._size)
            while index in picks:
                index = secrets.randbelow(self._size)
            picks[index] = credential_id
        claims = list(picks.items())
        won = await self._slots.claim_many(provider_id, shard, claims)
        for (index, credential_id), claimed in zip(claims, won, strict=True):
            if claimed:
                allocated[credential_id] = StatusSlot(provider_id, shard, index)
        return [c for (_, c), claimed in zip(claims, won, strict=True) if not claimed]
