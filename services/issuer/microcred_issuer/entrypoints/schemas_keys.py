"""HTTP shapes of key management: compromise reports, re-issuance progress, API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from microcred_shared.api_keys import ApiKeyInfo
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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


class ApiKeyCreated(ApiKeyInfo):
    api_key: str = Field(description="shown once; only its hash is stored")
