"""The verdict and its headline: what the checks, taken together, let us say, and no more.

An employer reads the headline first, often only the headline: it starts with "Verified" only
for a credential that is authentic and issued by a provider the ecosystem recognises.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import CheckName, CheckResult, CheckStatus, Verdict

AFFIRMING = (CheckStatus.PASSED, CheckStatus.WARNING)

# What a failed check means, in a few words ("Not verified: …"), unless it says it itself.
FAILED_IN_SHORT: dict[CheckName, str] = {
    CheckName.FORMAT: "it is not a well-formed credential",
    CheckName.SCHEMA: "it does not follow the Open Badges 3.0 schema",
    CheckName.ISSUER_KEY: "it was not signed with a key its issuer held at the time",
    CheckName.PROOF: "its signature does not match its content",
    CheckName.VALIDITY: "it is outside its validity period",
    CheckName.STATUS: "its issuer has revoked or suspended it",
    CheckName.ISSUER_TRUST: "its issuer is not trusted",
    CheckName.ENTITLEMENT: "its issuer may not award this achievement",
    CheckName.RECIPIENT: "it was not awarded to the e-mail given",
}

# What an undetermined check leaves open ("Authentic signature, but …").
UNDETERMINED_IN_SHORT: dict[CheckName, str] = {
    CheckName.ISSUER_KEY: "the issuer's key could not be obtained",
    CheckName.PROOF: "the signature could not be checked",
    CheckName.STATUS: "its revocation status could not be checked",
    CheckName.ISSUER_TRUST: "the issuer could not be confirmed as a recognised provider",
    CheckName.ENTITLEMENT: "whether its issuer may award this achievement could not be checked",
}

VERIFIED_HEADLINE = (
    "Verified: authentic, current, from a recognised provider, and every check that ran passed."
)
WARNINGS_HEADLINE = (
    "Verified, with warnings: authentic and from a recognised provider, but read the warnings."
)


def decide_verdict(checks: Sequence[CheckResult]) -> Verdict:
    """Any failure → not verified. Otherwise unknown, unless the signature verified, the issuer
    is a recognised provider and every check was conclusive. Otherwise any warning → verified
    with warnings. So an issuer outside the registry is never verified."""
    if any(c.status is CheckStatus.FAILED for c in checks):
        return Verdict.NOT_VERIFIED
    if not (_affirmed(checks, CheckName.PROOF) and _affirmed(checks, CheckName.ISSUER_TRUST)):
        return Verdict.UNKNOWN
    if any(not c.conclusive for c in checks):
        return Verdict.UNKNOWN
    if any(c.status is CheckStatus.WARNING for c in checks):
        return Verdict.VERIFIED_WITH_WARNINGS
    return Verdict.VERIFIED


def headline(verdict: Verdict, checks: Sequence[CheckResult]) -> str:
    """The verdict in one plain sentence, naming what decided it."""
    if verdict is Verdict.VERIFIED:
        return VERIFIED_HEADLINE
    if verdict is Verdict.VERIFIED_WITH_WARNINGS:
        return WARNINGS_HEADLINE
    if verdict is Verdict.NOT_VERIFIED:
        failures = _issuer_first([c for c in checks if c.status is CheckStatus.FAILED])
        first = failures[0] if failures else None
        because = _in_short(first, FAILED_IN_SHORT) if first else "at least one check failed"
        return f"Not verified: {because}."
    return _unknown_headline(checks)


def _issuer_first(checks: list[CheckResult]) -> list[CheckResult]:
    """Who the issuer is comes first: it is what an employer most needs to know (an
    impersonator's credential may also point at a genuine, revoked status entry)."""
    return sorted(checks, key=lambda c: c.name is not CheckName.ISSUER_TRUST)


def _unknown_headline(checks: Sequence[CheckResult]) -> str:
    open_checks = _issuer_first([c for c in checks if not c.conclusive])
    if not _affirmed(checks, CheckName.PROOF):
        why = next((c for c in open_checks if c.name is CheckName.ISSUER_KEY), None)
        because = f", because {_in_short(why, UNDETERMINED_IN_SHORT)}" if why else ""
        return f"Unknown: the signature could not be checked{because}."
    phrases = [_in_short(c, UNDETERMINED_IN_SHORT) for c in open_checks] or [
        UNDETERMINED_IN_SHORT[CheckName.ISSUER_TRUST]
    ]
    return f"Authentic signature, but {'; '.join(phrases)}."


def _in_short(check: CheckResult, defaults: dict[CheckName, str]) -> str:
    fallback = f"the check “{check.title}” could not be made"
    return check.in_short or defaults.get(check.name) or fallback


def _affirmed(checks: Sequence[CheckResult], name: CheckName) -> bool:
    return any(c.name is name and c.conclusive and c.status in AFFIRMING for c in checks)
