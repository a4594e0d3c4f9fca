"""Verifiable Presentations (VC Data Model 2.0 §4.13): a holder presents credentials with a
Data Integrity ``authentication`` proof over the verifier's ``challenge`` and ``domain``.

Pure: the service (or a test) reads the presentation here, verifies the holder's proof, looks
the challenge up in its store, verifies each credential with ``verify_credential``, and hands
the results to :func:`judge_presentation` for the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from microcred_shared.crypto import (
    DidKeyResolver,
    OfflineDocumentLoader,
    proofs_of,
    split_did_url,
    verify_proofs,
)
from microcred_shared.crypto.proofs import AUTHENTICATION

from .credential import as_list, subject, text
from .model import CheckStatus, Verdict
from .verification import Presented, VerificationReport

PRESENTATION_TYPE = "VerifiablePresentation"
# VC 2.0 §4.13.1: a credential secured by an enveloping proof (VC-JOSE) travels as a data URL.
ENVELOPED_TYPE = "EnvelopedVerifiableCredential"
ENVELOPED_JWT_PREFIX = "data:application/vc+jwt,"


class PresentationCheckName(StrEnum):
    HOLDER_PROOF = "holder_proof"
    CHALLENGE = "challenge"
    HOLDER_IS_SUBJECT = "holder_is_subject"


PRESENTATION_CHECK_TITLES = {
    PresentationCheckName.HOLDER_PROOF: "Holder's signature",
    PresentationCheckName.CHALLENGE: "Challenge (fresh, single-use, ours)",
    PresentationCheckName.HOLDER_IS_SUBJECT: "Holder is each credential's subject",
}


@dataclass(frozen=True, slots=True)
class PresentationCheck:
    name: PresentationCheckName
    status: CheckStatus
    reason: str

    @property
    def title(self) -> str:
        return PRESENTATION_CHECK_TITLES[self.name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name.value,
            "title": self.title,
            "status": self.status.value,
            "reason": self.reason,
        }


def is_presentation(document: Any) -> bool:
    return isinstance(document, Mapping) and PRESENTATION_TYPE in as_list(document.get("type"))


@dataclass(frozen=True, slots=True)
class HolderProof:
    """What the holder's proof established: the check, and the challenge and domain it signed
    (None when the proof did not verify: an unsigned challenge proves nothing)."""

    check: PresentationCheck
    challenge: str | None = None
    domain: str | None = None


def holder_of(presentation: Mapping[str, Any]) -> str | None:
    holder = presentation.get("holder")
    if isinstance(holder, Mapping):
        return text(holder.get("id"))
    return text(holder)


def embedded_credentials(presentation: Mapping[str, Any]) -> list[Any]:
    """Each ``verifiableCredential`` as given: an object, or an enveloped VC-JWT's token."""
    found: list[Any] = []
    for credential in as_list(presentation.get("verifiableCredential")):
        enveloped = isinstance(credential, Mapping) and ENVELOPED_TYPE in as_list(
            credential.get("type")
        )
        identifier = credential.get("id") if isinstance(credential, Mapping) else None
        if enveloped and isinstance(identifier, str):
            found.append(identifier.removeprefix(ENVELOPED_JWT_PREFIX))
        else:
            found.append(credential)
    return found


def check_holder_proof(
    presentation: Mapping[str, Any], *, now: datetime, loader: OfflineDocumentLoader | None
) -> HolderProof:
    """The holder's did:key signed this presentation for authentication (resolved locally: a
    holder's did:key is its own document), with a challenge and a domain."""
    name = PresentationCheckName.HOLDER_PROOF
    holder = holder_of(presentation)
    if holder is None:
        return HolderProof(_failed(name, "the presentation names no holder"))
    if not holder.startswith("did:key:"):
        return HolderProof(_failed(name, f"holder {holder} is not a did:key"))
    proofs = [p for p in proofs_of(presentation) if isinstance(p, Mapping)]
    if len(proofs) != 1:
        return HolderProof(_failed(name, f"expected one holder proof, found {len(proofs)}"))
    proof = proofs[0]
    method = text(proof.get("verificationMethod")) or ""
    if split_did_url(method)[0] != holder:
        return HolderProof(_failed(name, f"the proof's key {method!r} is not the holder's"))
    challenge, domain = text(proof.get("challenge")), text(proof.get("domain"))
    if challenge is None or domain is None:
        return HolderProof(_failed(name, "the holder's proof carries no challenge and domain"))
    result = verify_proofs(
        presentation, DidKeyResolver(), expected_purpose=AUTHENTICATION, now=now, loader=loader
    )
    if not result.verified:
        return HolderProof(_failed(name, f"the holder's proof does not verify: {result.reason}"))
    passed = PresentationCheck(name, CheckStatus.PASSED, f"signed by the holder {holder}")
    return HolderProof(passed, challenge, domain)


@dataclass(frozen=True, slots=True)
class IssuedChallenge:
    """A challenge as this verifier issued it (the store's record, taken once)."""

    challenge: str
    domain: str
    expires: datetime


def check_challenge(
    proof: HolderProof, issued: IssuedChallenge | None, *, now: datetime
) -> PresentationCheck:
    """The challenge the holder signed was issued here, for this domain, is unexpired, and was
    not used before (``issued`` is None when the store had no unused challenge by that value)."""
    name = PresentationCheckName.CHALLENGE
    if proof.challenge is None:
        return PresentationCheck(
            name, CheckStatus.SKIPPED, "not checked: the holder's proof did not verify"
        )
    if issued is None:
        return _failed(
            name, "the challenge was not issued by this verifier, or was already used (replay)"
        )
    if issued.expires <= now:
        return _failed(name, f"the challenge expired at {issued.expires.isoformat()}")
    if proof.domain != issued.domain:
        return _failed(
            name, f"the proof's domain {proof.domain!r} is not the challenge's {issued.domain!r}"
        )
    return PresentationCheck(name, CheckStatus.PASSED, "issued here, unexpired, used once now")


def check_expected_challenge(
    proof: HolderProof, challenge: str | None, domain: str | None
) -> PresentationCheck:
    """Offline (the CLI): the proof names the challenge and domain the user expects. Whether
    the challenge was used before only the verifier that issued it can tell."""
    name = PresentationCheckName.CHALLENGE
    if proof.challenge is None:
        return PresentationCheck(
            name, CheckStatus.SKIPPED, "not checked: the holder's proof did not verify"
        )
    if challenge is None or domain is None:
        return PresentationCheck(
            name,
            CheckStatus.SKIPPED,
            "not checked offline: give the challenge and domain you issued",
        )
    if (proof.challenge, proof.domain) != (challenge, domain):
        return _failed(
            name,
            f"the proof signs challenge {proof.challenge!r} for {proof.domain!r}, not the "
            f"expected {challenge!r} for {domain!r}",
        )
    return PresentationCheck(
        name,
        CheckStatus.PASSED,
        "the expected challenge and domain (single use is the issuing verifier's to check)",
    )


def check_holder_is_subject(
    holder: str | None, credentials: Sequence[Presented]
) -> PresentationCheck:
    """Each credential was issued to the holder: its ``credentialSubject.id`` is the holder's
    DID (a credential about someone else proves nothing about the one presenting it)."""
    name = PresentationCheckName.HOLDER_IS_SUBJECT
    if not credentials:
        return _failed(name, "the presentation carries no credential")
    others = []
    for index, credential in enumerate(credentials):
        document = credential.document
        subject_id = text(subject(document).get("id")) if isinstance(document, Mapping) else None
        if holder is None or subject_id != holder:
            others.append(f"credential {index}: its subject is {subject_id or 'not named'}")
    if others:
        return _failed(name, f"the holder {holder} is not the subject: " + "; ".join(others))
    return PresentationCheck(
        name, CheckStatus.PASSED, f"{len(credentials)} credential(s) issued to the holder"
    )


@dataclass(frozen=True)
class PresentationReport:
    verdict: Verdict
    holder: str | None
    checks: tuple[PresentationCheck, ...]
    credentials: tuple[VerificationReport, ...]
    checked_at: datetime

    @property
    def headline(self) -> str:
        failed = [c for c in self.checks if c.status is CheckStatus.FAILED]
        if failed:
            return f"Not verified: {failed[0].reason}."
        count = len(self.credentials)
        if self.verdict is Verdict.VERIFIED:
            return f"Verified: the holder presented {count} credential(s), each verified."
        open_checks = [c for c in self.checks if c.status is CheckStatus.SKIPPED]
        if open_checks and all(r.verdict is not self.verdict for r in self.credentials):
            return f"Unknown: {open_checks[0].title}: {open_checks[0].reason}."
        worst = next(r for r in self.credentials if r.verdict is self.verdict)
        return f"The holder is authentic; a presented credential: {worst.headline}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "headline": self.headline,
            "checked_at": self.checked_at.isoformat(),
            "encoding": "presentation",
            "holder": self.holder,
            "holder_checks": [c.to_dict() for c in self.checks],
            "credentials": [r.to_dict() for r in self.credentials],
        }


# The worse verdict wins: a presentation is as good as its weakest credential.
VERDICT_ORDER = (
    Verdict.NOT_VERIFIED,
    Verdict.UNKNOWN,
    Verdict.VERIFIED_WITH_WARNINGS,
    Verdict.VERIFIED,
)


def judge_presentation(
    holder: str | None,
    checks: Sequence[PresentationCheck],
    credentials: Sequence[VerificationReport],
    *,
    now: datetime,
) -> PresentationReport:
    """Not verified when a holder check failed or no credential came; else the worst of the
    credentials' verdicts, and no better than unknown when a holder check was not made."""
    if not credentials or any(c.status is CheckStatus.FAILED for c in checks):
        verdict = Verdict.NOT_VERIFIED
    else:
        verdict = min((r.verdict for r in credentials), key=VERDICT_ORDER.index)
        if any(c.status is CheckStatus.SKIPPED for c in checks):
            verdict = min(verdict, Verdict.UNKNOWN, key=VERDICT_ORDER.index)
    return PresentationReport(verdict, holder, tuple(checks), tuple(credentials), now)


def _failed(name: PresentationCheckName, reason: str) -> PresentationCheck:
    return PresentationCheck(name, CheckStatus.FAILED, reason)
