"""The W3C vc-di-eddsa test vectors, reproduced byte for byte, and the 1EdTech OB 3.0 fixtures."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from crypto_data import ONEEDTECH, W3C, load, text
from microcred_shared.crypto import (
    ChainResolver,
    DidKeyResolver,
    Ed25519Multikey,
    KeyResolutionError,
    ResolvedKey,
    StaticKeyResolver,
    canonicalize_jcs,
    canonicalize_rdfc,
    create_proof,
    keys_from_document,
    sign,
    split_did_url,
    verify_proofs,
)
from microcred_shared.crypto.loader import default_loader
from microcred_shared.crypto.multibase import decode_base58btc, encode_base58btc
from microcred_shared.crypto.suites import JCS_2022, LEGACY_ED25519_2020, RDFC_2022, Cryptosuite

CREATED = datetime.fromisoformat("2023-02-24T23:36:38Z")


def _unsigned(signed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in signed.items() if k != "proof"}


# (folder, file suffix, suite) for the three single-proof vector sets
RDFC_SETS = [
    pytest.param(W3C / "eddsa-rdfc-2022", "DataInt", RDFC_2022, id="rdfc-alumni"),
    pytest.param(W3C / "eddsa-rdfc-2022" / "employ", "DataInt", RDFC_2022, id="rdfc-employ"),
]
ALL_SETS = [
    *RDFC_SETS,
    pytest.param(W3C / "eddsa-jcs-2022", "JCS", JCS_2022, id="jcs-alumni"),
    pytest.param(W3C / "Ed25519Signature2020", "EdSig", LEGACY_ED25519_2020, id="ed25519-2020"),
]


def _canonical(suite: Cryptosuite, value: dict[str, Any]) -> str:
    return suite.canonicalize(value, default_loader()).decode("utf-8")


@pytest.mark.parametrize(("folder", "tag", "suite"), ALL_SETS)
def test_canonical_document_matches_the_vector(folder: Path, tag: str, suite: Cryptosuite) -> None:
    document = _unsigned(load(folder / f"signed{tag}.json"))
    assert _canonical(suite, document) == text(folder / f"canonDoc{tag}.txt")
    doc_hash = hashlib.sha256(_canonical(suite, document).encode()).hexdigest()
    assert doc_hash == text(folder / f"docHash{tag}.txt").strip()


@pytest.mark.parametrize(("folder", "tag", "suite"), ALL_SETS)
def test_canonical_proof_config_and_hashes_match_the_vector(
    folder: Path, tag: str, suite: Cryptosuite
) -> None:
    signed = load(folder / f"signed{tag}.json")
    config = suite.proof_config(signed["proof"], _unsigned(signed))
    assert config == load(folder / f"proofConfig{tag}.json")
    assert _canonical(suite, config) == text(folder / f"proofCanon{tag}.txt")
    proof_hash = hashlib.sha256(_canonical(suite, config).encode()).hexdigest()
    assert proof_hash == text(folder / f"proofHash{tag}.txt").strip()
    combined = suite.hash_data(_unsigned(signed), signed["proof"], default_loader())
    assert combined.hex() == text(folder / f"combinedHash{tag}.txt").strip()


@pytest.mark.parametrize(("folder", "tag", "suite"), ALL_SETS)
def test_signature_and_proof_value_match_the_vector(
    folder: Path, tag: str, suite: Cryptosuite, w3c_key: Ed25519Multikey
) -> None:
    signed = load(folder / f"signed{tag}.json")
    hash_data = suite.hash_data(_unsigned(signed), signed["proof"], default_loader())
    signature = w3c_key.sign(hash_data)  # Ed25519 is deterministic (RFC 8032)
    assert signature.hex() == text(folder / f"sigHex{tag}.txt").strip()
    assert encode_base58btc(signature) == text(folder / f"sigBTC58{tag}.txt").strip()
    assert signed["proof"]["proofValue"] == encode_base58btc(signature)
    assert decode_base58btc(signed["proof"]["proofValue"]) == signature


@pytest.mark.parametrize(
    ("suite", "expected"),
    [
        ("eddsa-rdfc-2022", W3C / "eddsa-rdfc-2022" / "signedDataInt.json"),
        ("eddsa-jcs-2022", W3C / "eddsa-jcs-2022" / "signedJCS.json"),
    ],
)
def test_signing_the_unsigned_vector_reproduces_the_signed_vector_exactly(
    suite: str, expected: Path, w3c_key: Ed25519Multikey
) -> None:
    signed = sign(load(W3C / "unsigned.json"), w3c_key, suite=suite, created=CREATED)
    assert signed == load(expected)


def test_signing_the_employment_vector_reproduces_it(w3c_key: Ed25519Multikey) -> None:
    expected = load(W3C / "eddsa-rdfc-2022" / "employ" / "signedDataInt.json")
    assert sign(_unsigned(expected), w3c_key, created=CREATED) == expected


def test_jcs_canonical_form_is_rfc8785() -> None:
    folder = W3C / "eddsa-jcs-2022"
    document = _unsigned(load(folder / "signedJCS.json"))
    assert canonicalize_jcs(document).decode() == text(folder / "canonDocJCS.txt")


def test_rdfc_canonical_form_of_the_unsigned_vector() -> None:
    expected = text(W3C / "eddsa-rdfc-2022" / "canonDocDataInt.txt")
    assert canonicalize_rdfc(load(W3C / "unsigned.json")) == expected


@pytest.mark.parametrize(
    "name",
    [
        "eddsa-rdfc-2022/signedDataInt.json",
        "eddsa-rdfc-2022/employ/signedDataInt.json",
        "eddsa-jcs-2022/signedJCS.json",
        "Ed25519Signature2020/signedEdSig.json",
        "proof-set-chain/signedProofSet1.json",
        "proof-set-chain/signedProofSet2.json",
        "proof-set-chain/signedProofChain1.json",
        "proof-set-chain/signedProofChain2.json",
    ],
)
def test_every_signed_w3c_vector_verifies(name: str) -> None:
    result = verify_proofs(load(W3C / name))
    assert result.verified, result.reason
    assert result.all_verified
    assert all(
        check.controller and check.controller.startswith("did:key:") for check in result.checks
    )


# --- proof sets and chains, reproduced ---------------------------------------------------------

CHAIN = W3C / "proof-set-chain"


def _chain_key(n: int) -> Ed25519Multikey:
    return Ed25519Multikey.from_document(load(CHAIN / "multiKeyPairs.json")[f"keyPair{n}"])


def _proof_options(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "created": datetime.fromisoformat(config["created"]),
        "proof_id": config.get("id"),
        "previous_proof": config.get("previousProof"),
    }


@pytest.mark.parametrize(("n", "config"), [(1, "proofSetConfig1"), (2, "proofSetConfig2")])
def test_proof_set_members_are_reproduced(n: int, config: str) -> None:
    options = load(CHAIN / f"{config}.json")
    proof = create_proof(load(CHAIN / "unsigned.json"), _chain_key(n), **_proof_options(options))
    assert proof == load(CHAIN / f"{config.replace('Config', 'ConfigSigned')}.json")


@pytest.mark.parametrize(
    ("n", "config", "document"),
    [
        (3, "proofChainConfig1", "proofChainTempDoc1"),
        (4, "proofChainConfig2", "proofChainTempDoc2"),
    ],
)
def test_proof_chain_links_are_reproduced(n: int, config: str, document: str) -> None:
    options = load(CHAIN / f"{config}.json")
    proof = create_proof(load(CHAIN / f"{document}.json"), _chain_key(n), **_proof_options(options))
    assert proof == load(CHAIN / f"{config.replace('Config', 'ConfigSigned')}.json")


def test_a_chain_whose_previous_proof_is_removed_fails() -> None:
    document = load(CHAIN / "signedProofChain2.json")
    del document["proof"][2]  # the proof that proof 4 chains to
    result = verify_proofs(document)
    assert not result.verified
    assert "previousProof" in result.reason


# --- 1EdTech Open Badges 3.0 fixtures ----------------------------------------------------------


class _FragmentKeyResolver:
    """1EdTech's fixtures name keys as ``<issuer URL>#<publicKeyMultibase>``.

    Test-only: trusting a key because a URL fragment says so would let anyone claim any
    issuer URL, so production resolvers never do this.
    """

    def resolve(self, verification_method_id: str) -> ResolvedKey:
        _, fragment = split_did_url(verification_method_id)
        if not fragment or not fragment.startswith("z6Mk"):
            raise KeyResolutionError("no key in the fragment")
        return keys_from_document({verification_method_id: fragment})[0]


def _oneedtech_resolver() -> ChainResolver:
    return ChainResolver(
        StaticKeyResolver.from_documents(load(ONEEDTECH / "keys.json")),
        _FragmentKeyResolver(),
        DidKeyResolver(),
    )


VALID_FIXTURES = [
    "simple.json",
    "complete.json",
    "endorsement-valid.json",
    "simple-context-alias.json",
    "simple-context-version.json",
    "simple-did-key-method.json",
    "simple-did-web-method.json",
    "simple-eddsa-2022.json",  # legacy cryptosuite name, VC 1.1
    "simple_v1.json",  # Ed25519Signature2020, VC 1.1
    "credential-status-revoked.json",  # Ed25519Signature2020, did:web key; revoked is not a proof matter
    "simple-multiple-proofs.json",  # one unsupported proof type, one good proof
    "bit-string-list/credential-status-revoked.json",
    "bit-string-list/credential-status-revoked-blank-nodes.json",
    "bit-string-list/testlist.json",
    # these fail later checks (expiry, issuance date, issuer binding), not the proof check
    "simple-err-expired.json",
    "simple-err-issued.json",
    "simple-err-issuer.json",
]


@pytest.mark.parametrize("name", VALID_FIXTURES)
def test_valid_1edtech_fixture_proofs_verify(name: str) -> None:
    result = verify_proofs(load(ONEEDTECH / name), _oneedtech_resolver())
    assert result.verified, result.reason


def test_multiple_proofs_fixture_reports_the_unsupported_proof() -> None:
    result = verify_proofs(load(ONEEDTECH / "simple-multiple-proofs.json"), _oneedtech_resolver())
    assert [c.status for c in result.checks] == ["unsupported", "verified"]
    assert not result.all_verified


INVALID_FIXTURES = {
    # name: a fragment of the stated reason
    "simple-err-context.json": "safe mode",
    "simple-err-type.json": "relative type reference 'OtherCredential'",
    "simple-err-issuer-type.json": "relative type reference 'InvalidProfile'",
    "simple-err-issuer-parentorg-type.json": "relative type reference 'InvalidProfile'",
    "simple-err-issuer-otheridentifier-type.json": "term 'identifierType' is not defined",
    "simple-err-credential-subject-type.json": "'InvalidAchievementSubject'",
    "simple-err-credential-subject-profile-type.json": "'InvalidProfile'",
    "simple-err-credential-subject-result-type.json": "'InvalidResult'",
    "simple-err-credential-subject-identifier-type.json": "'InvalidIdentityObject'",
    "simple-err-credential-subject-achievement-result-description-type.json": (
        "'InvalidResultDescription'"
    ),
    "simple-err-evidence-type.json": "'InvalidEvidence'",
    "simple-err-proof-value.json": "signature does not match",
    "simple-err-proof-method.json": "not an Ed25519 public key",
    "simple-err-proof-method-no-scheme.json": "not resolved",
    "simple-err-proof-method-unknown-did-method.json": "not resolved",
    "simple-err-proof-method-unknown-scheme.json": "not resolved",
    "simple-noproof.json": "no proof",
    "complete_v1.json": "not resolved",  # its key (#key-1) is published nowhere offline
}


@pytest.mark.parametrize(("name", "reason"), sorted(INVALID_FIXTURES.items()))
def test_invalid_1edtech_fixture_fails_for_its_own_reason(name: str, reason: str) -> None:
    result = verify_proofs(load(ONEEDTECH / name), _oneedtech_resolver())
    assert not result.verified
    assert reason in result.reason
