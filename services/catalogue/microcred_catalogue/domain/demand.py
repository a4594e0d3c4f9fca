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


# Public counts below this are withheld: a count of one to four verifications can point at one
# employer checking one learner (the threshold statistics offices use for small cells).
SMALL_COUNT = 5


@dataclass(frozen=True)
class PublicDemandRow:
    """A row fit for anyone: ``None`` where the count is withheld, ``suppressed`` then true."""

    key: str | None
    month: str | None
    verifications: int | None
    verified: int | None

    @property
    def suppressed(self) -> bool:
        return self.verifications is None or self.verified is None


def publishable(row: DemandRow, threshold: int = SMALL_COUNT) -> PublicDemandRow:
    """The row with every count below ``threshold`` withheld. ``verified`` is also withheld when
    it would give away a small number of failed verifications (total minus verified)."""
    if row.verifications < threshold:
        return PublicDemandRow(row.key, row.month, None, None)
    failed = row.verifications - row.verified
    shown = row.verified >= threshold and (failed == 0 or failed >= threshold)
    return PublicDemandRow(row.key, row.month, row.verifications, row.verified if shown else None)
