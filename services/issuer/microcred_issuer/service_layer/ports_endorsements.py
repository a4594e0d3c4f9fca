"""What the endorsement handlers need from outside (the Mongo adapter and the unit tests'
fake implement it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..domain.endorsements import Endorsement
from .ports import OutgoingEvent


class EndorsementStore(Protocol):
    async def get(self, endorsement_id: str) -> Endorsement | None: ...
    async def add(self, endorsement: Endorsement, events: Sequence[OutgoingEvent]) -> bool:
        """Store it with its events; False if one with that id exists (nothing written)."""
        ...

    async def replace(
        self, endorsement: Endorsement, expected_sequence: int, events: Sequence[OutgoingEvent]
    ) -> bool:
        """Store its next state with its events if the stored one is still at
        ``expected_sequence``."""
        ...

    async def of_endorser(self, endorser_id: str) -> list[Endorsement]:
        """The partner's endorsements (one summary document read by id)."""
        ...

    async def index(self, endorsement: Endorsement) -> None:
        """Reflect its state where it is read from (idempotent): its target's active
        endorsements (issuance reads them), its endorser's list, its status bit."""
        ...

    async def active_for(self, target_keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The signed documents of the active endorsements of each target (by target key),
        read by id: issuance embeds them."""
        ...
