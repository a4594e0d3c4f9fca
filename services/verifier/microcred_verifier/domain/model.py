"""What a verification produces: one result per check, a verdict, and the rules between them."""

from __future__ import annotations

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
    EMBEDDED_CREDENTIALS = "embedded_credentials"  # a CLR's: each one verified in full
    ENDORSEMENTS = "endorsements"


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
    CheckName.EMBEDDED_CREDENTIALS: "Every credential in the record",
    CheckName.ENDORSEMENTS: "Endorsements",
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
    (e.g. a status list that could not be obtained): never read as a pass. ``in_short`` is the
    check's outcome in a few plain words, for the verdict's headline when this check decides it
    (otherwise the check's name gives the words)."""

    name: CheckName
    status: CheckStatus
    reason: str
    conclusive: bool = True
    freshness: Freshness | None = None
    details: dict[str, Any] = field(default_factory=dict)
    in_short: str | None = None

    @property
    def not_made(self) -> bool:
        """The check could not be made at all (no data, offline, a document not obtained)."""
        return self.status is CheckStatus.SKIPPED and not self.conclusive

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
    """Not made, and not needed for the verdict (e.g. no e-mail given to match)."""
    return CheckResult(name, CheckStatus.SKIPPED, reason, **kw)


def could_not_check(name: CheckName, reason: str, **kw: Any) -> CheckResult:
    """Not made, though the verdict needs it: the verdict can be no better than unknown."""
    return CheckResult(name, CheckStatus.SKIPPED, reason, conclusive=False, **kw)


def undetermined(name: CheckName, reason: str, **kw: Any) -> CheckResult:
    """Made, but its answer does not let the credential be called verified (unknown)."""
    return CheckResult(name, CheckStatus.WARNING, reason, conclusive=False, **kw)
