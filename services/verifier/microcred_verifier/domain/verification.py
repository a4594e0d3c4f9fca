"""Run every check, in order, and decide the verdict: the whole verification, pure and offline.

The service and the CLI differ only in the :class:`Knowledge` they hand in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from microcred_shared.crypto.fast_expand import shared_expansions

from . import checks_crypto, checks_document, checks_ecosystem
from .checks_endorsements import check_endorsements
from .checks_status import check_status
from .credential import achievement_id, issuer_id
from .jwt import JwtCredential
from .knowledge import Knowledge
from .model import (
    CheckName,
    CheckResult,
    CheckStatus,
    Verdict,
    could_not_check,
    skipped,
)
from .summary import summarise
from .verdict import decide_verdict, headline

Encoding = Literal["json-ld", "vc-jwt"]
AFTER_PROOF = (
    CheckName.VALIDITY,
    CheckName.STATUS,
    CheckName.ISSUER_TRUST,
    CheckName.ENTITLEMENT,
    CheckName.RECIPIENT,
    CheckName.ENDORSEMENTS,
)


@dataclass(frozen=True)
class Presented:
    """A credential as presented: the document, and the JWT that secures it if any."""

    document: Any
    jwt: JwtCredential | None = None

    @property
    def encoding(self) -> Encoding:
        return "vc-jwt" if self.jwt else "json-ld"


@dataclass(frozen=True)
class VerificationReport:
    verdict: Verdict
    checks: tuple[CheckResult, ...]
    summary: dict[str, Any]
    checked_at: datetime
    encoding: Encoding
    issuer: str | None = None
    achievement_id: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        return headline(self.verdict, self.checks)

    @property
    def failed_checks(self) -> list[str]:
        return [c.name.value for c in self.checks if c.status is CheckStatus.FAILED]

    @property
    def not_made(self) -> list[CheckResult]:
        """The checks the verdict needed but that could not be made, each with why."""
        return [c for c in self.checks if c.not_made]

    def check(self, name: CheckName) -> CheckResult:
        return next(c for c in self.checks if c.name is name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "headline": self.headline,
            "checked_at": self.checked_at.isoformat(),
            "encoding": self.encoding,
            "checks": [c.to_dict() for c in self.checks],
            "not_checked": [
                {"name": c.name.value, "title": c.title, "reason": c.reason} for c in self.not_made
            ],
            "summary": self.summary,
            "embedded_credentials": self._embedded_dicts(),
        }

    def _embedded_dicts(self) -> list[dict[str, Any]] | None:
        """A CLR's bundled credentials' reports (``domain/clr.py``); None for anything else."""
        embedded = self.extras.get("embedded")
        if embedded is None:
            return None
        return [{**e.report.to_dict(), "verification_url": None} for e in embedded if e.report]


def verify_credential(
    presented: Presented,
    knowledge: Knowledge,
    *,
    now: datetime,
    recipient_email: str | None = None,
) -> VerificationReport:
    with shared_expansions():
        return _verify(presented, knowledge, now, recipient_email)


def _verify(
    presented: Presented, knowledge: Knowledge, now: datetime, recipient_email: str | None
) -> VerificationReport:
    document = presented.document
    checks = [
        checks_document.check_format(document, knowledge.loader, encoding=presented.encoding),
        checks_document.check_schema(document),
    ]
    if not isinstance(document, Mapping):
        checks += [skipped(n, "the document is not a JSON object") for n in _rest()]
        return _report(presented, knowledge, checks, now)
    key, proof = _signature_checks(presented, knowledge, now)
    checks += [key, proof]
    if proof.status is CheckStatus.FAILED:
        checks += [
            skipped(n, "skipped: a proof failed, nothing else can be trusted") for n in AFTER_PROOF
        ]
        return _report(presented, knowledge, checks, now)
    if not proof.conclusive:
        checks += [
            could_not_check(n, "not checked: the signature could not be checked")
            for n in AFTER_PROOF
        ]
        return _report(presented, knowledge, checks, now)
    checks += [
        checks_ecosystem.check_validity(document, now, authentic=True),
        check_status(document, knowledge),
        checks_ecosystem.check_issuer_trust(knowledge, issuer_id(document)),
        checks_ecosystem.check_entitlement(knowledge, achievement_id(document)),
        checks_ecosystem.check_recipient(document, recipient_email),
        check_endorsements(document, knowledge, now),
    ]
    return _report(presented, knowledge, checks, now)


def _signature_checks(
    presented: Presented, knowledge: Knowledge, now: datetime
) -> tuple[CheckResult, CheckResult]:
    """The issuer key check, then the proof check, unless the key could not be obtained: a
    signature that cannot be checked is neither good nor forged."""
    jwt, document = presented.jwt, presented.document
    if jwt is not None:
        key = checks_crypto.check_jwt_key(jwt, knowledge)
    else:
        key = checks_crypto.check_issuer_key(document, knowledge)
    if not key.conclusive:
        return key, could_not_check(
            CheckName.PROOF, "not checked: the issuer's key could not be obtained"
        )
    if jwt is not None:
        return key, checks_crypto.check_jws(jwt, knowledge)
    return key, checks_crypto.check_proofs(document, knowledge, now)


def _rest() -> tuple[CheckName, ...]:
    return (CheckName.ISSUER_KEY, CheckName.PROOF, *AFTER_PROOF)


def _report(
    presented: Presented, knowledge: Knowledge, checks: list[CheckResult], now: datetime
) -> VerificationReport:
    document = presented.document
    is_object = isinstance(document, Mapping)
    return VerificationReport(
        verdict=decide_verdict(checks),
        checks=tuple(checks),
        summary=summarise(document, knowledge),
        checked_at=now,
        encoding=presented.encoding,
        issuer=issuer_id(document) if is_object else None,
        achievement_id=achievement_id(document) if is_object else None,
    )
