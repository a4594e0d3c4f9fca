"""Status list indexes: each credential gets a random free one in its provider's lists."""

from __future__ import annotations

import secrets

from ..domain.status_list import StatusSlot
from .ports import StatusSlots

MAX_SLOT_ATTEMPTS = 32


class SlotAllocator:
    """Random free indexes in a provider's status lists; a full shard spills into the next."""

    def __init__(self, slots: StatusSlots, list_size: int) -> None:
        self._slots = slots
        self._size = list_size

    async def allocate(self, provider_id: str, credential_id: str) -> StatusSlot:
        shard = 1
        while True:
            for _ in range(MAX_SLOT_ATTEMPTS):
                index = secrets.randbelow(self._size)
                if await self._slots.claim(provider_id, shard, index, credential_id):
                    return StatusSlot(provider_id, shard, index)
            shard += 1  # this shard is (nearly) full: many collisions in a row
