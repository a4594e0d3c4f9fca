"""What a verification produces: one result per check, a verdict, and the rules between them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class CheckName(StrEnum):
    """The checks, in the order a careful verifier makes them."""

    FORMAT = "format"
    SCHEMA = "schema"
    ISSUER_KEY = "issuer_key"
    PROOF = "proof"
    VALIDITY = "validity"
    STATUS = "status"
    ISSUER_TRUST = "issuer_trust"
    ENTITLEMENT = "entitlement"
    RECIPIENT = "recipient"


CHECK_TITLES: dict[CheckName, str] = {
    CheckName.FORMAT: "Format, @context and type",
    CheckName.SCHEMA: "Open Badges 3.0 schema",
    CheckName.ISSUER_KEY: "Issuer key",
    CheckName.PROOF: "Signatures",
    CheckName.VALIDITY: "Validity period",
    CheckName.STATUS: "Revocation and suspension",
    CheckName.ISSUER_TRUST: "Issuer trust",
    CheckName.ENTITLEMENT: "Issuer entitled to this achievement",
    CheckName.RECIPIENT: "Recipient",
}


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    SKIPPED = "skipped"


class Verdict(StrEnum):
    VERIFIED = "verified"
    VERIFIED_WITH_WARNINGS = "verified_with_warnings"
    NOT_VERIFIED = "not_verified"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Freshness:
    """Where a check's data came from and how recent it was."""

    source: str
    as_of: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "as_of": self.as_of.isoformat() if self.as_of else None}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome. ``conclusive=False`` means the answer could not be determined
    (e.g. a status list that could not be obtained): never read as a pass."""

    name: CheckName
    status: CheckStatus
    reason: str
    conclusive: bool = True
    freshness: Freshness | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return CHECK_TITLES[self.name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name.value,
            "title": self.title,
            "status": self.status.value,
            "conclusive": self.conclusive,
            "reason": self.reason,
            "data": self.freshness.to_dict() if self.freshness else None,
            "details": self.details,
        }


def passed(name: CheckName, reason: str, **kw: Any) -> CheckResult:
    return CheckResult(name, CheckStatus.PASSED, reason, **kw)


def failed(name: CheckName, reason: str, **kw: Any) -> CheckResult:
    return CheckResult(name, CheckStatus.FAILED, reason, **kw)


def warning(name: CheckName, reason: str, **kw: Any) -> CheckResult:
    return CheckResult(name, CheckStatus.WARNING, reason, **kw)


def skipped(name: CheckName, reason: str, **kw: Any) -> CheckResult:
    return CheckResult(name, CheckStatus.SKIPPED, reason, **kw)


def decide_verdict(checks: Sequence[CheckResult]) -> Verdict:
    """Any failure → not verified; otherwise an undetermined check → unknown; otherwise any
    warning → verified with warnings. A credential whose proof was not checked is never verified."""
    if any(c.status is CheckStatus.FAILED for c in checks):
        return Verdict.NOT_VERIFIED
    proof_ok = any(
        c.name is CheckName.PROOF and c.status in (CheckStatus.PASSED, CheckStatus.WARNING)
        for c in checks
    )
    if not proof_ok or any(not c.conclusive for c in checks):
        return Verdict.UNKNOWN
    if any(c.status is CheckStatus.WARNING for c in checks):
        return Verdict.VERIFIED_WITH_WARNINGS
    return Verdict.VERIFIED


VERDICT_HEADLINES: dict[Verdict, str] = {
    Verdict.VERIFIED: "Verified: authentic, current, and every check that ran passed.",
    Verdict.VERIFIED_WITH_WARNINGS: "Verified, with warnings: authentic, but read the warnings.",
    Verdict.NOT_VERIFIED: "Not verified: at least one check failed.",
    Verdict.UNKNOWN: "Unknown: the credential could not be fully checked right now.",
}
