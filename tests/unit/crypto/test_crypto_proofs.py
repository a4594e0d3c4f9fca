"""Signing and verifying credentials: tampering, proof sets, safe mode, resolvers."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_shared.crypto import (
    SIGNING_SUITES,
    CanonicalizationError,
    ChainResolver,
    ContextNotBundledError,
    DidKeyResolver,
    Ed25519Multikey,
    KeyResolutionError,
    OfflineDocumentLoader,
    ProofError,
    ResolvedKey,
    SafeModeError,
    StaticKeyResolver,
    averify_proofs,
    canonicalize_rdfc,
    did_web_document,
    sign,
    verify_proofs,
)


@pytest.fixture(params=SIGNING_SUITES)
def suite(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def signed(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey, suite: str
) -> dict[str, Any]:
    return sign(rich_credential, issuer_key, suite=suite)


def test_a_signed_credential_verifies_with_its_issuer_as_controller(
    signed: dict[str, Any], issuer_key: Ed25519Multikey, suite: str
) -> None:
    result = verify_proofs(signed)
    assert result.verified, result.reason
    [check] = result.checks
    assert check.status == "verified"
    assert check.cryptosuite == suite
    assert check.verification_method == issuer_key.id
    assert check.controller == issuer_key.controller == signed["issuer"]["id"]
    assert result.controllers == {issuer_key.controller}
    assert result.to_dict()["proofs"][0]["ok"] is True


def test_signing_does_not_touch_the_input(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    before = copy.deepcopy(rich_credential)
    sign(rich_credential, issuer_key)
    assert rich_credential == before


def test_jcs_proofs_carry_the_context_and_rdfc_proofs_do_not(
    signed: dict[str, Any], suite: str
) -> None:
    assert ("@context" in signed["proof"]) == (suite == "eddsa-jcs-2022")
    assert signed["proof"]["proofValue"].startswith("z")


def _leaf_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                yield from _leaf_paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaf_paths(value, (*path, i))
    elif isinstance(node, str):
        yield path


def _changed_one_char(value: str) -> str:
    last = value[-1]
    return value[:-1] + ("b" if last == "a" else "a")


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def test_a_one_character_change_anywhere_fails_verification(signed: dict[str, Any]) -> None:
    """Every string in the credential and its proof, changed by one character, is caught."""
    paths = list(_leaf_paths(signed))
    assert len(paths) > 100
    accepted = []
    for path in paths:
        tampered = copy.deepcopy(signed)
        _set(tampered, path, _changed_one_char(_get(signed, path)))
        if verify_proofs(tampered).verified:
            accepted.append(path)
    assert accepted == []


def test_changing_a_number_or_boolean_fails(signed: dict[str, Any]) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["creditsEarned"] = 6.0
    assert not verify_proofs(tampered).verified
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["identifier"][0]["hashed"] = False
    assert not verify_proofs(tampered).verified


def test_a_removed_or_added_property_fails(signed: dict[str, Any]) -> None:
    removed = copy.deepcopy(signed)
    del removed["credentialSubject"]["result"][1]
    assert not verify_proofs(removed).verified
    added = copy.deepcopy(signed)
    added["description"] = added["description"] + ""
    added["credentialSubject"]["achievement"]["tag"].append("forged")
    assert not verify_proofs(added).verified


def test_a_proof_from_another_key_does_not_verify_as_the_issuers(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey, other_key: Ed25519Multikey
) -> None:
    forged = sign(rich_credential, other_key)
    forged["proof"]["verificationMethod"] = issuer_key.id  # claim the issuer's key
    result = verify_proofs(forged)
    assert not result.verified
    assert "signature does not match" in result.reason
    honest = verify_proofs(sign(rich_credential, other_key))
    assert honest.verified
    assert honest.controllers == {other_key.controller} != {rich_credential["issuer"]["id"]}


def test_proof_as_object_or_array_and_proof_sets(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey, other_key: Ed25519Multikey
) -> None:
    one = sign(rich_credential, issuer_key, suite="eddsa-rdfc-2022")
    assert isinstance(one["proof"], dict)
    as_array = dict(one, proof=[one["proof"]])
    assert verify_proofs(as_array).verified
    two = sign(one, other_key, suite="eddsa-jcs-2022")
    assert isinstance(two["proof"], list)
    assert len(two["proof"]) == 2
    result = verify_proofs(two)
    assert result.all_verified, result.reason
    assert [c.cryptosuite for c in result.checks] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    assert result.controllers == {issuer_key.controller, other_key.controller}
    # one bad proof in a set is reported against that proof only, and fails the document
    two["proof"][1]["proofValue"] = one["proof"]["proofValue"]
    result = verify_proofs(two)
    assert [c.status for c in result.checks] == ["verified", "failed"]
    assert not result.verified
    assert result.reason.startswith("proof 1:")


def test_proof_chain_with_previous_proof(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey, other_key: Ed25519Multikey
) -> None:
    first = sign(rich_credential, issuer_key, proof_id="urn:uuid:first")
    chained = sign(first, other_key, previous_proof="urn:uuid:first")
    assert verify_proofs(chained).all_verified
    with pytest.raises(ProofError, match="previousProof"):
        sign(rich_credential, other_key, previous_proof="urn:uuid:missing")


def test_created_is_optional(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey, suite: str
) -> None:
    signed = sign(rich_credential, issuer_key, suite=suite, created=None)
    assert "created" not in signed["proof"]
    assert verify_proofs(signed).verified


def test_created_is_stamped_in_utc_seconds(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    when = datetime(2025, 3, 4, 5, 6, 7, 890, tzinfo=UTC)
    assert (
        sign(rich_credential, issuer_key, created=when)["proof"]["created"]
        == "2025-03-04T05:06:07Z"
    )


def test_the_proof_purpose_must_match(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    signed = sign(rich_credential, issuer_key, proof_purpose="authentication")
    result = verify_proofs(signed)
    assert not result.verified
    assert "proofPurpose" in result.reason
    assert verify_proofs(signed, expected_purpose="authentication").verified


def test_an_expired_proof_fails(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    signed = sign(rich_credential, issuer_key, expires=expires)
    assert verify_proofs(signed, now=expires - timedelta(days=1)).verified
    late = verify_proofs(signed, now=expires + timedelta(seconds=1))
    assert not late.verified
    assert "expired" in late.reason


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda p: p.pop("proofValue"), "no proofValue"),
        (lambda p: p.update(proofValue="u" + p["proofValue"][1:]), "base58btc"),
        (lambda p: p.update(proofValue="z3yMA"), "64"),
        (lambda p: p.pop("verificationMethod"), "no verificationMethod"),
        (lambda p: p.update(created="yesterday"), "not a valid dateTime"),
        (lambda p: p.update(verificationMethod="https://unknown.example/k#1"), "not resolved"),
        (lambda p: p.update(cryptosuite="ecdsa-rdfc-2019"), "unsupported"),
    ],
)
def test_malformed_proofs_are_reported_not_raised(
    signed: dict[str, Any], mutate: Any, reason: str
) -> None:
    mutate(signed["proof"])
    result = verify_proofs(signed)
    assert not result.verified
    assert reason in result.reason


@pytest.mark.parametrize(
    ("document", "reason"),
    [([], "JSON object"), ({"@context": []}, "no proof"), ("text", "JSON object")],
)
def test_documents_that_cannot_be_checked(document: Any, reason: str) -> None:
    result = verify_proofs(document)
    assert not result.verified
    assert result.error is not None
    assert reason in result.error
    assert result.checks == ()


def test_an_unknown_context_is_refused_without_network(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    rich_credential["@context"].append("https://evil.example/context.jsonld")
    with pytest.raises(ContextNotBundledError):
        OfflineDocumentLoader()("https://evil.example/context.jsonld")
    with pytest.raises(CanonicalizationError, match="not bundled"):
        canonicalize_rdfc(rich_credential)
    with pytest.raises(ProofError, match="not bundled"):
        sign(rich_credential, issuer_key)
    signed = sign(rich_credential, issuer_key, suite="eddsa-jcs-2022")  # JCS needs no contexts
    signed["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    result = verify_proofs(signed)
    assert not result.verified
    assert "not bundled" in result.reason


def test_an_undefined_term_is_refused_not_dropped(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    # Inside the OB Achievement's scoped context an unknown term would be silently dropped
    # (and so could be changed after signing without breaking the proof): safe mode refuses it.
    rich_credential["credentialSubject"]["achievement"]["ectsCredits"] = 5
    with pytest.raises(SafeModeError, match="'ectsCredits' is not defined"):
        canonicalize_rdfc(rich_credential)
    with pytest.raises(ProofError, match="ectsCredits"):
        sign(rich_credential, issuer_key)


def test_a_relative_type_is_refused(rich_credential: dict[str, Any]) -> None:
    rich_credential["credentialSubject"]["type"] = ["AchievementSubject", "LocalSubjectType"]
    with pytest.raises(SafeModeError, match="relative type reference 'LocalSubjectType'"):
        canonicalize_rdfc(rich_credential)


def test_a_relative_id_is_refused(rich_credential: dict[str, Any]) -> None:
    rich_credential["id"] = "credentials/42"
    with pytest.raises(SafeModeError, match="relative @id reference 'credentials/42'"):
        canonicalize_rdfc(rich_credential)


def test_undefined_top_level_terms_need_the_undefined_terms_context(
    rich_credential: dict[str, Any],
) -> None:
    # VC 2.0 has no @vocab: an extension term is refused unless the issuer opts into the
    # undefined-terms context, which maps it to an explicit "undefined term" IRI.
    rich_credential["euStandardElements"] = "kept"
    with pytest.raises(SafeModeError, match="euStandardElements"):
        canonicalize_rdfc(rich_credential)
    rich_credential["@context"].append("https://www.w3.org/ns/credentials/undefined-terms/v2")
    assert "undefined-term#euStandardElements" in canonicalize_rdfc(rich_credential)


def test_an_extra_loader_serves_a_pinned_context(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    url = "https://contexts.example/eu-microcredential/v1"
    loader = OfflineDocumentLoader(
        {url: {"@context": {"ectsCredits": "https://contexts.example/eu#ects"}}}
    )
    rich_credential["@context"].append(url)
    signed = sign(rich_credential, issuer_key, loader=loader)
    assert verify_proofs(signed, loader=loader).verified
    assert not verify_proofs(signed).verified  # the default loader does not know that context


def test_jcs_verifies_after_contexts_are_appended_but_not_changed(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    signed = sign(rich_credential, issuer_key, suite="eddsa-jcs-2022")
    appended = copy.deepcopy(signed)
    appended["@context"].append("https://w3id.org/security/data-integrity/v2")
    assert verify_proofs(appended).verified
    changed = copy.deepcopy(signed)
    changed["@context"][1] = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
    result = verify_proofs(changed)
    assert not result.verified
    assert "does not start with the proof's @context" in result.reason


def test_keys_from_a_did_web_document_and_key_rotation(
    rich_credential: dict[str, Any],
) -> None:
    did = "did:web:issuer.example:providers:rvuas"
    old = Ed25519Multikey.generate(did, key_id="#key-1")
    new = Ed25519Multikey.generate(did, key_id="#key-2")
    rich_credential["issuer"]["id"] = did
    before = sign(rich_credential, old)
    after = sign(rich_credential, new)
    document = did_web_document(did, [new, old])
    resolver = StaticKeyResolver.from_documents(document)
    for credential, key in ((before, old), (after, new)):
        result = verify_proofs(credential, resolver)
        assert result.verified, result.reason
        assert result.checks[0].controller == did
        assert result.checks[0].verification_method == key.id
    # a key the controller did not list for assertionMethod is refused
    document["assertionMethod"] = [f"{did}#{new.public_key_multibase}"]
    result = verify_proofs(after, StaticKeyResolver.from_documents(document))
    assert not result.verified
    assert "not authorised for assertionMethod" in result.reason


class _AsyncResolver:
    def __init__(self, key: Ed25519Multikey) -> None:
        self.key = key
        self.calls: list[str] = []

    async def resolve(self, verification_method_id: str) -> ResolvedKey:
        self.calls.append(verification_method_id)
        await asyncio.sleep(0)
        if verification_method_id != self.key.id:
            raise KeyResolutionError("not ours")
        return DidKeyResolver().resolve(verification_method_id)


async def test_async_resolvers_plug_in(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey, other_key: Ed25519Multikey
) -> None:
    signed = sign(sign(rich_credential, issuer_key), other_key)
    resolver = _AsyncResolver(issuer_key)
    result = await averify_proofs(signed, resolver)
    assert [c.status for c in result.checks] == ["verified", "failed"]
    assert "not ours" in result.checks[1].reason
    assert resolver.calls == [issuer_key.id, other_key.id]
    sync_result = await averify_proofs(signed, ChainResolver(DidKeyResolver()))
    assert sync_result.all_verified


def test_signing_needs_a_secret_and_a_known_suite(
    rich_credential: dict[str, Any], issuer_key: Ed25519Multikey
) -> None:
    with pytest.raises(ProofError, match="no secret"):
        sign(rich_credential, issuer_key.public_only())
    with pytest.raises(ProofError, match="cannot sign with"):
        sign(rich_credential, issuer_key, suite="Ed25519Signature2020")
