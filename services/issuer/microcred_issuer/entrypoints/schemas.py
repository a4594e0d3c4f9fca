"""The HTTP shapes (separate from event contracts and stored documents)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from microcred_shared.crypto.jsonld_safe import unsignable_iri
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

# What becomes an @id in the signed credential (the learner's DID, an evidence URL) must be an
# absolute IRI without characters RDF forbids, or the credential cannot be signed: refused here,
# before a status list index is spent on it. The patterns document it; the validators decide.
IRI_CHARS = r'[^\x00-\x20\s<>"{}|^`\\]'
ABSOLUTE_IRI = rf"^[A-Za-z][A-Za-z0-9+.-]*:{IRI_CHARS}*$"
DID = rf"^did:[a-z0-9]+:{IRI_CHARS}+$"
# The one answer to every request for a wallet link: it never says whether the address is known.
ACCESS_LINK_ACCEPTED = (
    "If credentials were issued to this address, a link to them is on its way there."
)


def signable_iri(value: str | None) -> str | None:
    if value is not None and (problem := unsignable_iri(value)):
        raise ValueError(f"not usable as an identifier in a credential: {problem}")
    return value


class LearnerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = None
    did: str | None = Field(default=None, pattern=DID, max_length=500)
    name: str | None = Field(default=None, max_length=300)

    _did_is_signable = field_validator("did")(signable_iri)

    @model_validator(mode="after")
    def _one_identifier(self) -> LearnerRequest:
        if not (self.email or self.did):
            raise ValueError("a learner needs an email or a did")
        return self


class ResultRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=300, examples=["Final grade"])
    value: str = Field(max_length=100, examples=["A"])


class EvidenceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=1000, pattern=ABSOLUTE_IRI)
    narrative: str | None = Field(default=None, max_length=5000)
    name: str | None = Field(default=None, max_length=300)

    _url_is_signable = field_validator("url")(signable_iri)


class CompletionCreate(BaseModel):
    """A learner completed one of the provider's courses; ``completion_id`` is the provider's
    own id (resubmitting it never issues a second credential)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "completion_id": "2025-cohort-3/42",
                    "achievement_id": "uni-a:MECH-101",
                    "learner": {"email": "ada@example.org", "name": "Ada"},
                    "completed_on": "2025-06-30",
                    "results": [{"name": "Final grade", "value": "A"}],
                }
            ]
        },
    )

    completion_id: str = Field(min_length=1, max_length=200)
    achievement_id: str = Field(min_length=1, max_length=300)
    learner: LearnerRequest
    completed_on: date
    results: list[ResultRequest] = Field(default_factory=list, max_length=50)
    evidence: list[EvidenceRequest] = Field(default_factory=list, max_length=20)


class CompletionResponse(BaseModel):
    credential_id: str
    created: bool = Field(description="false when this completion had been issued before")
    credential_url: str


class CohortRowPublic(BaseModel):
    row: int = Field(description="1-based line number of the data row (the header is line 1)")
    completion_id: str | None = None
    outcome: Literal["issued", "already_issued", "rejected"]
    credential_id: str | None = None
    reason_code: str | None = None
    reason: str | None = None


class CohortJobPublic(BaseModel):
    job_id: str
    state: Literal["queued", "running", "done"]
    total: int = Field(description="data rows in the file")
    processed: int = Field(description="rows answered so far")
    issued: int
    already_issued: int
    rejected: int
    submitted_at: datetime
    finished_at: datetime | None = None
    status_url: str = Field(description="where the job's progress and row results are read")
    rows: list[CohortRowPublic] | None = Field(
        default=None, description="every answered row, in file order (on GET)"
    )


class StatusChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=1000)


class CredentialStatusPublic(BaseModel):
    credential_id: str
    status: Literal["active", "revoked", "suspended"]
    reason: str | None = None
    changed_at: datetime | None = None


class CredentialSummaryPublic(BaseModel):
    credential_id: str
    kind: Literal["completion", "stacked"]
    provider_id: str
    achievement_id: str
    achievement_name: str
    issuer_did: str
    issued_at: datetime
    status: Literal["active", "revoked", "suspended"]
    ects: float | None = None
    eqf_level: int | None = None
    credential_url: str
    component_credential_ids: list[str] = Field(default_factory=list)


class ProviderApiKeyCreated(BaseModel):
    provider_id: str
    key_id: str = Field(description="names the key in listings and revocations")
    api_key: str = Field(description="shown once; only its hash is stored")


class KeyRotationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret_key_multibase: str | None = Field(
        default=None, description="import this Ed25519 key (Multikey secretKeyMultibase)"
    )


class KeyRotationResponse(BaseModel):
    provider_id: str
    did: str
    version: int
    current_verification_method: str


class AccessLinkRequest(BaseModel):
    """Ask for a link to your credentials, e-mailed to the address they were issued to."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "ada@example.org"}]}
    )

    email: EmailStr


class AccessLinkResponse(BaseModel):
    detail: str = Field(examples=[ACCESS_LINK_ACCEPTED])
