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


class VerificationMethodV2(VerificationMethodV1):
    """v2 adds when a key was reported compromised (status ``revoked``)."""

    revoked_at: datetime | None = Field(
        default=None,
        description=(
            "the time the provider reported the key compromised as of (the DID document's "
            "`revoked`); nothing it signed is to be trusted, whatever the proof's `created`"
        ),
    )
    reported_at: datetime | None = Field(
        default=None, description="when the compromise was reported to the issuer"
    )


class IssuerKeysV2(Contract):
    """``issuer.keys.v2``: as v1, with each compromised key's ``revoked_at``."""

    provider_id: str
    did: str
    version: int = Field(ge=1)
    verification_methods: list[VerificationMethodV2]
    did_document: dict[str, Any]
    updated_at: datetime


IssuerKeys = IssuerKeysV1 | IssuerKeysV2
