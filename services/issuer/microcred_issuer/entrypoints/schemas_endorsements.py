"""HTTP shapes of endorsements (distinct from the event contract and the stored document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..domain.endorsements import Endorsement


class EndorsementCreate(BaseModel):
    """What a partner endorses, and what it says about it."""

    target_kind: Literal["achievement", "provider"]
    target_id: str = Field(min_length=1, max_length=250, examples=["hollin-tu:MECH-402"])
    comment: str = Field(min_length=1, max_length=2000, description="Markdown allowed (OB 3.0)")
    request_id: str = Field(
        default="default",
        min_length=1,
        max_length=200,
        description="one endorsement per partner, target and request id: repeating a request "
        "returns the first answer",
    )


class EndorsementPublic(BaseModel):
    endorsement_id: str
    endorser_id: str
    endorser_name: str
    endorser_did: str
    target_kind: str
    target_id: str
    comment: str
    status: Literal["active", "withdrawn"]
    issued_at: datetime
    withdrawn_at: datetime | None
    credential: dict[str, Any] = Field(description="the signed EndorsementCredential")

    @classmethod
    def of(cls, endorsement: Endorsement) -> EndorsementPublic:
        return cls(
            endorsement_id=endorsement.endorsement_id,
            endorser_id=endorsement.endorser_id,
            endorser_name=endorsement.endorser_name,
            endorser_did=endorsement.endorser_did,
            target_kind=endorsement.target_kind,
            target_id=endorsement.target_id,
            comment=endorsement.comment,
            status=endorsement.status,
            issued_at=endorsement.issued_at,
            withdrawn_at=endorsement.withdrawn_at,
            credential=endorsement.document,
        )
