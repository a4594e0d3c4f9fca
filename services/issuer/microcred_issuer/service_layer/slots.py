"""Status list indexes: each credential gets a random free one in its provider's lists."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

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
        shard = 1
        while True:
            await self._open_shard(provider_id, shard)
            for _ in range(MAX_SLOT_ATTEMPTS):
                index = secrets.randbelow(self._size)
                if await self._slots.claim(provider_id, shard, index, credential_id):
                    return StatusSlot(provider_id, shard, index)
            shard += 1  # this shard is (nearly) full: many collisions in a row
