"""The HTTP shapes of presentations: a challenge, and the report on a presentation."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..domain.presentation import IssuedChallenge, PresentationCheck, PresentationReport
from .schemas import VerifyResponse


class PresentationChallengePublic(BaseModel):
    challenge: str = Field(description="sign it in your presentation's proof; good once")
    domain: str = Field(description="the domain your presentation's proof must name")
    expires: str

    @classmethod
    def of(cls, issued: IssuedChallenge) -> PresentationChallengePublic:
        return cls(
            challenge=issued.challenge, domain=issued.domain, expires=issued.expires.isoformat()
        )


class HolderCheckPublic(BaseModel):
    name: str
    title: str
    status: str = Field(description="passed | failed | skipped")
    reason: str

    @classmethod
    def of(cls, check: PresentationCheck) -> HolderCheckPublic:
        return cls(**check.to_dict())


class PresentationVerifyResponse(BaseModel):
    verdict: str = Field(
        description="not_verified when a holder check fails; else the worst of the credentials'"
    )
    headline: str
    checked_at: str
    encoding: str = "presentation"
    holder: str | None
    holder_checks: list[HolderCheckPublic] = Field(
        description="the holder's proof, the challenge, the holder as each credential's subject"
    )
    credentials: list[VerifyResponse] = Field(description="each credential's full report")

    @classmethod
    def of(cls, report: PresentationReport) -> PresentationVerifyResponse:
        return cls(
            verdict=report.verdict.value,
            headline=report.headline,
            checked_at=report.checked_at.isoformat(),
            holder=report.holder,
            holder_checks=[HolderCheckPublic.of(c) for c in report.checks],
            credentials=[VerifyResponse.of(r, None) for r in report.credentials],
        )
