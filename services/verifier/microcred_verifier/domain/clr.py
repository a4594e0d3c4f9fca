"""A Comprehensive Learner Record 2.0 (``ClrCredential``): its own proof, its issuer (the
ecosystem itself, never a provider) and every credential it bundles, each verified in full.

The record's verdict is the worst of its own checks and of its credentials': a record that
carries one tampered, revoked or unknown credential is no better than that credential.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from microcred_shared.openbadges import CLR_ISSUER_ID, validate_clr_credential

from .checks_document import MAX_SCHEMA_ERRORS_SHOWN
from .credential import as_list, issuer_id
from .knowledge import Knowledge
from .model import (
    CheckName,
    CheckResult,
    Verdict,
    failed,
    passed,
    skipped,
    undetermined,
    warning,
)
from .verdict import AFFIRMING, decide_verdict
from .verification import VerificationReport

CLR_TYPE = "ClrCredential"


def is_clr(document: Any) -> bool:
    return isinstance(document, Mapping) and CLR_TYPE in as_list(document.get("type"))


def embedded_credentials(document: Mapping[str, Any]) -> list[Any]:
    subject = document.get("credentialSubject")
    return as_list(subject.get("verifiableCredential")) if isinstance(subject, Mapping) else []


@dataclass(frozen=True)
class EmbeddedOutcome:
    """One bundled credential: its full report, or why it could not be read as a credential."""

    index: int
    name: str | None
    report: VerificationReport | None = None
    unreadable: str | None = None

    @property
    def verdict(self) -> Verdict:
        return self.report.verdict if self.report else Verdict.NOT_VERIFIED

    @property
    def headline(self) -> str:
        return self.report.headline if self.report else f"Not readable: {self.unreadable}."

    @property
    def label(self) -> str:
        return f"credential {self.index + 1}" + (f" ({self.name})" if self.name else "")


def clr_report(
    document: Mapping[str, Any],
    envelope: VerificationReport,
    knowledge: Knowledge,
    embedded: Sequence[EmbeddedOutcome],
) -> VerificationReport:
    """The record's report: the checks of the record itself (``envelope``) read for a CLR, and
    one check for all the credentials it bundles, whose reports travel with it
    (``extras['embedded']``)."""
    authentic = any(
        c.name is CheckName.PROOF and c.conclusive and c.status in AFFIRMING
        for c in envelope.checks
    )
    checks = [_as_clr_check(check, document, knowledge, authentic) for check in envelope.checks] + [
        check_embedded(embedded)
    ]
    return replace(
        envelope,
        verdict=decide_verdict(checks),
        checks=tuple(checks),
        extras={**envelope.extras, "embedded": tuple(embedded)},
    )


def _as_clr_check(
    check: CheckResult, document: Mapping[str, Any], knowledge: Knowledge, authentic: bool
) -> CheckResult:
    if check.name is CheckName.FORMAT and check.details.get("open_badge") is False:
        return passed(
            check.name,
            f"{check.details.get('encoding', 'json-ld')}; VC 2.0 ClrCredential; every term "
            "defined by its @context",
            details={**check.details, "clr": True},
        )
    if check.name is CheckName.SCHEMA:
        return check_clr_schema(document)
    if not authentic:
        return check  # after a failed or unchecked proof, nothing else was trusted
    if check.name is CheckName.ISSUER_TRUST:
        return check_clr_issuer(knowledge, issuer_id(document))
    if check.name is CheckName.ENTITLEMENT:
        return skipped(check.name, "a CLR awards no achievement of its own")
    if check.name is CheckName.RECIPIENT:
        return skipped(check.name, "each bundled credential names its recipient")
    return check


def check_clr_schema(document: Mapping[str, Any]) -> CheckResult:
    errors = validate_clr_credential(document)
    name = CheckName.SCHEMA
    if not errors:
        return passed(name, "valid against the 1EdTech CLR 2.0 ClrCredential schema")
    shown = "; ".join(str(e) for e in errors[:MAX_SCHEMA_ERRORS_SHOWN])
    return failed(
        name,
        f"{len(errors)} CLR 2.0 schema violation(s): {shown}",
        details={"errors": [{"path": e.path, "message": e.message} for e in errors]},
        in_short="it does not follow the CLR 2.0 schema",
    )


def check_clr_issuer(knowledge: Knowledge, issuer: str | None) -> CheckResult:
    """A CLR is issued by the ecosystem itself: the did:web whose keys its issuer announces
    for ``CLR_ISSUER_ID``, which no provider of the registry claims."""
    name = CheckName.ISSUER_TRUST
    ours = (
        issuer is not None
        and issuer.startswith("did:web:")
        and issuer.endswith(f":issuers:{CLR_ISSUER_ID}")
        and knowledge.issuer_hosted_here
        and knowledge.provider is None
    )
    if ours:
        return passed(name, f"issued by this ecosystem's own identity ({issuer})")
    return undetermined(
        name,
        f"{issuer} is not this ecosystem's own identity: the record itself is not vouched for "
        "(its credentials are each judged on their own)",
        in_short="the record was not issued by this ecosystem",
    )


def check_embedded(embedded: Sequence[EmbeddedOutcome]) -> CheckResult:
    name = CheckName.EMBEDDED_CREDENTIALS
    details = {
        "credentials": [
            {"index": e.index, "name": e.name, "verdict": e.verdict.value} for e in embedded
        ]
    }
    if not embedded:
        return failed(name, "the record bundles no credential", in_short="it bundles nothing")
    worst = {v: [e for e in embedded if e.verdict is v] for v in Verdict}
    if worst[Verdict.NOT_VERIFIED]:
        first = worst[Verdict.NOT_VERIFIED][0]
        return failed(
            name,
            "; ".join(f"{e.label}: {e.headline}" for e in worst[Verdict.NOT_VERIFIED]),
            details=details,
            in_short=f"{first.label} in it is not verified",
        )
    if worst[Verdict.UNKNOWN]:
        first = worst[Verdict.UNKNOWN][0]
        return undetermined(
            name,
            "; ".join(f"{e.label}: {e.headline}" for e in worst[Verdict.UNKNOWN]),
            details=details,
            in_short=f"{first.label} in it could not be verified",
        )
    count = f"all {len(embedded)} credentials verified"
    if worst[Verdict.VERIFIED_WITH_WARNINGS]:
        labels = ", ".join(e.label for e in worst[Verdict.VERIFIED_WITH_WARNINGS])
        return warning(name, f"{count}; with warnings: {labels}", details=details)
    return passed(name, count, details=details)
