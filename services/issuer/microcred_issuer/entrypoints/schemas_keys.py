"""HTTP shapes of key management: key import, compromise reports, re-issuance progress, API
keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from microcred_shared.api_keys import ApiKeyInfo
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ..domain.key_import import KeyImportChallenge
from ..domain.reissue import ReissueJob


class CompromiseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compromised_at: AwareDatetime | None = Field(
        default=None,
        description="since when the key may have been in other hands (default: now)",
    )


class ReissueJobPublic(BaseModel):
    provider_id: str
    key_id: str
    verification_method: str = Field(description="the compromised key")
    state: Literal["listing", "reissuing", "done"]
    total: int = Field(
        description="credentials found signed by the key (grows if a later look finds more)"
    )
    done: int = Field(description="of those, worked through")
    reissued: int
    skipped: int = Field(description="revoked or already re-issued meanwhile")
    failed: list[str] = Field(description="credential ids that could not be re-signed")
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: ReissueJob) -> ReissueJobPublic:
        return cls(
            provider_id=job.provider_id,
            key_id=job.fragment,
            verification_method=job.verification_method,
            state=job.state,
            total=job.total,
            done=job.done,
            reissued=job.reissued,
            skipped=job.skipped,
            failed=list(job.failed_ids),
            created_at=job.created_at,
            updated_at=job.updated_at,
            finished_at=job.finished_at,
        )


class CompromiseResponse(BaseModel):
    provider_id: str
    verification_method: str
    revoked_at: datetime = Field(description="as the DID document's `revoked` states it")
    current_verification_method: str = Field(description="the key that signs from now on")
    job_url: str = Field(description="progress of re-issuing what the key signed")
    job: ReissueJobPublic


class KeyChallengePublic(BaseModel):
    challenge: str = Field(description="the nonce to name in the import (single use)")
    message: str = Field(description="the exact text to sign (UTF-8) with the key to import")
    expires_at: datetime

    @classmethod
    def of(cls, challenge: KeyImportChallenge) -> KeyChallengePublic:
        return cls(
            challenge=challenge.nonce,
            message=challenge.message,
            expires_at=challenge.expires_at,
        )


class KeyImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    challenge: str = Field(description="the nonce handed out by POST .../keys/challenges")
    key: dict[str, Any] | str = Field(
        description="the Ed25519 secret key: a Multikey document (32- or 64-byte "
        "secretKeyMultibase), a JWK (kty OKP, crv Ed25519, d, x) or a PKCS#8 PEM"
    )
    signature: str = Field(
        description="the key's Ed25519 signature of the challenge message, multibase (z…)"
    )
    did: str | None = Field(
        default=None,
        description="the DID to sign under: 'platform' (the platform's did:web), 'did:key' "
        "(the key's own) or a did:web the catalogue lists as the provider's; default: the "
        "current one",
    )


class KeyImportResponse(BaseModel):
    provider_id: str
    did: str
    version: int
    current_verification_method: str = Field(description="the imported key, signing from now")
    public_key_multibase: str


class ApiKeyCreated(ApiKeyInfo):
    api_key: str = Field(description="shown once; only its hash is stored")
