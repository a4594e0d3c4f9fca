"""What providers report: a learner completed (passed) a course."""

from __future__ import annotations

from datetime import date

from pydantic import EmailStr, Field, model_validator

from .base import ExternalContract


class LearnerRef(ExternalContract):
    """Who completed: an e-mail (hashed before it goes into a credential) or a DID."""

    email: EmailStr | None = None
    did: str | None = Field(default=None, pattern=r"^did:[a-z0-9]+:.+")
    name: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _one_identifier(self) -> LearnerRef:
        if not (self.email or self.did):
            raise ValueError("a learner needs an email or a did")
        return self


class ResultV1(ExternalContract):
    """A grade or outcome result, mapped onto OB 3.0 ``Result``."""

    name: str = Field(max_length=300, description="what was assessed, e.g. 'Final grade'")
    value: str = Field(max_length=100)


class EvidenceV1(ExternalContract):
    url: str | None = Field(default=None, max_length=1000)
    narrative: str | None = Field(default=None, max_length=5000)
    name: str | None = Field(default=None, max_length=300)


class CompletionV1(ExternalContract):
    """``completion_id`` is the provider's own id: resubmitting it never issues a second
    credential."""

    completion_id: str = Field(min_length=1, max_length=200)
    provider_id: str = Field(min_length=1, max_length=100)
    achievement_id: str = Field(min_length=1, max_length=300)
    learner: LearnerRef
    completed_on: date
    results: list[ResultV1] = Field(default_factory=list, max_length=50)
    evidence: list[EvidenceV1] = Field(default_factory=list, max_length=20)
