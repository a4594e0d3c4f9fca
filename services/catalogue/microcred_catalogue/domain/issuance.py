"""What a provider has issued and revoked: per-credential facts in, per-achievement counts out.

The issuer owns credentials; the catalogue keeps only what its provider dashboard counts (no
learner reference), rebuilt from the issuer's events so the two services share no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class CredentialState(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class IssuedRecord:
    credential_id: str
    provider_id: str
    achievement_id: str
    kind: str  # "completion" or "stacked"
    month: str  # YYYY-MM of validFrom


@dataclass(frozen=True)
class StatusRecord:
    """The latest status of one credential; a higher ``sequence`` replaces a lower one."""

    credential_id: str
    provider_id: str
    achievement_id: str
    state: CredentialState
    sequence: int


@dataclass(frozen=True)
class AchievementIssuance:
    achievement_id: str
    issued: int = 0
    revoked: int = 0
    suspended: int = 0


@dataclass(frozen=True)
class IssuanceSummary:
    by_achievement: list[AchievementIssuance] = field(default_factory=list)

    @property
    def issued(self) -> int:
        return sum(row.issued for row in self.by_achievement)

    @property
    def revoked(self) -> int:
        return sum(row.revoked for row in self.by_achievement)

    @property
    def suspended(self) -> int:
        return sum(row.suspended for row in self.by_achievement)

    def of(self, achievement_id: str) -> AchievementIssuance:
        found = (r for r in self.by_achievement if r.achievement_id == achievement_id)
        return next(found, AchievementIssuance(achievement_id))


def summarise(
    issued: dict[str, int], states: Iterable[tuple[str, CredentialState, int]]
) -> IssuanceSummary:
    """Join issued counts per achievement with (achievement, state, count) rows."""
    revoked: dict[str, int] = {}
    suspended: dict[str, int] = {}
    for achievement_id, state, count in states:
        if state is CredentialState.REVOKED:
            revoked[achievement_id] = revoked.get(achievement_id, 0) + count
        elif state is CredentialState.SUSPENDED:
            suspended[achievement_id] = suspended.get(achievement_id, 0) + count
    # A status event can arrive before its issued event (two topics): its achievement counts.
    ids = sorted(set(issued) | set(revoked) | set(suspended))
    return IssuanceSummary(
        [
            AchievementIssuance(a, issued.get(a, 0), revoked.get(a, 0), suspended.get(a, 0))
            for a in ids
        ]
    )
