"""Anonymised verification outcomes, for employer-demand statistics: no learner identity, no
client address, nothing that identifies who verified."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import Contract

Verdict = Literal["verified", "verified_with_warnings", "not_verified", "unknown"]


class VerificationPerformedV1(Contract):
    verification_id: str
    verified_at: datetime
    verdict: Verdict
    channel: Literal["api", "page", "cli"]
    issuer_did: str | None = None
    provider_id: str | None = None
    achievement_id: str | None = None
    eqf_level: int | None = None
    isced_f_code: str | None = None
    failed_checks: list[str] = Field(default_factory=list)
