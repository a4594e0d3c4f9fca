"""Employer demand: which credentials employers verify, counted, never who or whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DemandDimension(StrEnum):
    ACHIEVEMENT = "achievement"
    PROVIDER = "provider"
    FIELD = "field"  # ISCED-F broad field (two digits): comparable across providers
    EQF_LEVEL = "eqf_level"
    MONTH = "month"


@dataclass(frozen=True)
class VerificationRecord:
    """One verification, reduced to what the statistics need (no ids of people)."""

    event_id: str
    month: str  # YYYY-MM
    verdict: str
    achievement_id: str | None
    provider_id: str | None
    field: str | None
    eqf_level: int | None


@dataclass(frozen=True)
class DemandRow:
    key: str | None
    month: str | None
    verifications: int
    verified: int  # verdict verified or verified_with_warnings


def month_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m")
