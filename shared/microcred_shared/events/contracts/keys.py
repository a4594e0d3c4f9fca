"""The issuer's public keys per provider (compacted, keyed by provider): the verifier resolves
did:web issuers from this projection without calling the issuer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from .base import Contract


class VerificationMethodV1(Contract):
    id: str = Field(description="DID URL, e.g. did:web:host:issuers:p1#key-2")
    public_key_multibase: str
    status: Literal["active", "retired", "revoked"]
    valid_from: datetime
    valid_until: datetime | None = Field(
        default=None, description="when it stopped signing; credentials signed before stay valid"
    )


class IssuerKeysV1(Contract):
    provider_id: str
    did: str
    version: int = Field(ge=1)
    verification_methods: list[VerificationMethodV1]
    did_document: dict[str, Any]
    updated_at: datetime
