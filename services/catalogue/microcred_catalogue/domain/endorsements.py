"""Endorsements as the catalogue shows them: who endorsed which achievement or provider, what
they said, and whether it still stands. The signed EndorsementCredential is the issuer's (and
the verifier judges it); the catalogue lists what the issuer announced on ``endorsements``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Endorsement:
    endorsement_id: str
    endorser_id: str
    endorser_name: str
    target_kind: Literal["achievement", "provider"]
    target_id: str
    target_provider_id: str
    comment: str
    status: Literal["active", "withdrawn"]
    sequence: int
    credential_url: str
    issued_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"
