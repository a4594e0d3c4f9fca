"""Every W3C vector and 1EdTech fixture, through every check: valid ones pass the proof check,
each negative fixture fails for its own stated reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import NOW, ONEEDTECH, W3C, load, offline_knowledge, registered_knowledge
from microcred_verifier.domain.knowledge import StatusEvidence
from microcred_verifier.domain.model import CheckName, CheckStatus, Verdict
from microcred_verifier.domain.verification import Presented, verify_credential

W3C_SIGNED = sorted(p for p in W3C.rglob("*.json") if p.name.startswith("signed"))
ONEEDTECH_VALID = [
    "simple.json",
    "complete.json",
    "endorsement-valid.json",
    "simple-context-alias.json",
    "simple-context-version.json",
    "simple-did-key-method.json",
    "simple-did-web-method.json",
    "simple-eddsa-2022.json",
    "simple_v1.json",
    "simple-multiple-proofs.json",
    "simple-err-expired.json",
    "simple-err-issued.json",
    "bit-string-list/credential-status-revoked.json",
    "bit-string-list/credential-status-revoked-blank-nodes.json",
    "bit-string-list/testlist.json",
]

# fixture → (the check that must fail, a fragment of its reason)
ONEEDTECH_INVALID = {
    "simple-err-context.json": (CheckName.FORMAT, "@context must start with"),
    "simple-err-type.json": (CheckName.FORMAT, "OtherCredential"),
    "simple-err-issuer.json": (CheckName.FORMAT, "no issuer"),
    "simple-err-issuer-type.json": (CheckName.SCHEMA, "/issuer/type"),
    "simple-err-issuer-parentorg-type.json": (CheckName.SCHEMA, "/issuer/parentOrg/type"),
    "simple-err-issuer-otheridentifier-type.json": (
        CheckName.SCHEMA,
        "/issuer/otherIdentifier/1/type",
    ),
    "simple-err-credential-subject-type.json": (CheckName.SCHEMA, "/credentialSubject/type"),
    "simple-err-credential-subject-profile-type.json": (
        CheckName.SCHEMA,
        "/credentialSubject/source/type",
    ),
    "simple-err-credential-subject-result-type.json": (
        CheckName.SCHEMA,
        "/credentialSubject/result/1/type",
    ),
    "simple-err-credential-subject-identifier-type.json": (
        CheckName.SCHEMA,
        "/credentialSubject/identifier/0/type",
    ),
    "simple-err-credential-subject-achievement-result-description-type.json": (
        CheckName.SCHEMA,
        "/credentialSubject/achievement/resultDescription/2/type",
    ),
    "simple-err-evidence-type.json": (CheckName.SCHEMA, "/evidence/1/type"),
    "simple-err-proof-value.json": (CheckName.PROOF, "signature does not match"),
    "simple-err-proof-method.json": (CheckName.ISSUER_KEY, "cannot resolve"),
    "simple-err-proof-method-no-scheme.json": (CheckName.ISSUER_KEY, "cannot resolve"),
    "simple-err-proof-method-unknown-did-method.json": (CheckName.ISSUER_KEY, "cannot resolve"),
    "simple-err-proof-method-unknown-scheme.json": (CheckName.ISSUER_KEY, "cannot resolve"),
    "simple-err-expired.json": (CheckName.VALIDITY, "authentic but expired"),
    "simple-err-issued.json": (CheckName.VALIDITY, "not yet valid"),
    "simple-noproof.json": (CheckName.PROOF, "no proof"),
}


def _verify(path: Path, **knowledge: object):  # type: ignore[no-untyped-def]
    return verify_credential(Presented(load(path)), offline_knowledge(**knowledge), now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", W3C_SIGNED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_signed_w3c_vector_passes_the_proof_check(path: Path) -> None:
    report = _verify(path)
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED, report.check(
        CheckName.PROOF
    ).reason


@pytest.mark.parametrize("name", ONEEDTECH_VALID)
def test_every_valid_1edtech_fixture_passes_the_proof_check(name: str) -> None:
    proof = _verify(ONEEDTECH / name).check(CheckName.PROOF)
    assert proof.status in (CheckStatus.PASSED, CheckStatus.WARNING), proof.reason


@pytest.mark.parametrize(("name", "expected"), sorted(ONEEDTECH_INVALID.items()))
def test_each_negative_1edtech_fixture_fails_for_its_own_reason(
    name: str, expected: tuple[CheckName, str]
) -> None:
    check_name, fragment = expected
    report = _verify(ONEEDTECH / name)
    assert report.verdict is Verdict.NOT_VERIFIED
    check = report.check(check_name)
    assert check.status is CheckStatus.FAILED
    assert fragment in check.reason


CLEAN = ["simple.json", "complete.json", "simple-did-web-method.json"]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_1edtech_fixtures_are_authentic_but_unknown_offline(name: str) -> None:
    """Offline there is no registry: whoever the issuer is, it is not known to be a provider."""
    report = _verify(ONEEDTECH / name)
    assert report.verdict is Verdict.UNKNOWN
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    assert report.check(CheckName.ISSUER_TRUST).not_made
    assert report.headline.startswith("Authentic signature, but the issuer could not be looked up")


@pytest.mark.parametrize("name", ["simple.json", "simple-did-web-method.json"])
def test_clean_1edtech_fixtures_from_a_registered_trusted_provider_are_verified(name: str) -> None:
    # (complete.json's 1EdTechRevocationList is a status type we cannot check: unknown.)
    document = load(ONEEDTECH / name)
    report = verify_credential(Presented(document), registered_knowledge(document), now=NOW)
    assert report.verdict is Verdict.VERIFIED, report.to_dict()
    assert report.headline.startswith("Verified: ")


def test_an_expired_fixture_is_reported_authentic_but_expired_not_forged() -> None:
    report = _verify(ONEEDTECH / "simple-err-expired.json")
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    assert report.failed_checks == ["validity"]


def test_the_revoked_status_list_fixture_fails_the_status_check_as_revoked() -> None:
    folder = ONEEDTECH / "bit-string-list"
    evidence = StatusEvidence(list_credential=load(folder / "testlist.json"))
    report = _verify(folder / "credential-status-revoked.json", status={0: evidence})
    assert report.verdict is Verdict.NOT_VERIFIED
    status = report.check(CheckName.STATUS)
    assert status.status is CheckStatus.FAILED
    assert "revoked" in status.reason


def test_a_status_list_that_cannot_be_obtained_makes_the_verdict_unknown_never_active() -> None:
    evidence = StatusEvidence(problem="connection refused")
    report = _verify(
        ONEEDTECH / "bit-string-list" / "credential-status-revoked.json", status={0: evidence}
    )
    status = report.check(CheckName.STATUS)
    assert status.conclusive is False
    assert "unknown" in status.reason
    assert report.verdict is Verdict.UNKNOWN


def test_a_credential_with_one_unsupported_proof_and_one_good_one_is_verified_with_warnings() -> (
    None
):
    document = load(ONEEDTECH / "simple-multiple-proofs.json")
    report = verify_credential(Presented(document), registered_knowledge(document), now=NOW)
    assert report.verdict is Verdict.VERIFIED_WITH_WARNINGS
    assert report.check(CheckName.PROOF).status is CheckStatus.WARNING
