"""Endorsements: a partner company's signed statement about an achievement or a provider
(an Open Badges 3.0 ``EndorsementCredential``), as the issuer signed it for the partner.

Compacted and keyed by endorsement id: each event carries the endorsement's whole current
state and a ``sequence`` (1 when given, 2 when withdrawn), so a consumer keeps the newest and
ignores an older one that arrives late. Only the issuer writes the topic: a partner endorses
over the issuer's HTTP API, authenticated by its own API key, so the endorser named here is the
one the channel authenticated, never a field a partner wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from .base import Contract

EndorsementTargetKind = Literal["achievement", "provider"]


class EndorsementV1(Contract):
    endorsement_id: str
    endorser_id: str = Field(description="the partner company (a provider of type company)")
    endorser_name: str
    endorser_did: str
    target_kind: EndorsementTargetKind
    target_id: str = Field(description="the endorsed achievement's or provider's catalogue id")
    target_provider_id: str = Field(
        description="the provider endorsed, or whose achievement is endorsed (its dashboard)"
    )
    comment: str
    status: Literal["active", "withdrawn"]
    sequence: int = Field(ge=1, description="1 when given, 2 when withdrawn")
    credential_url: str
    credential: dict[str, Any] = Field(description="the signed EndorsementCredential")
    issued_at: datetime
    withdrawn_at: datetime | None = None
