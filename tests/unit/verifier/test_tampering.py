"""A credential we sign verifies; any single change to it does not."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import NOW, ONEEDTECH, load, offline_knowledge, registered_knowledge
from microcred_shared.crypto import DidKeyResolver, Ed25519Multikey, sign
from microcred_verifier.domain.model import CheckName, CheckStatus, Verdict
from microcred_verifier.domain.verification import Presented, verify_credential

ISSUER = Ed25519Multikey.from_seed(bytes(range(32)))
OTHER = Ed25519Multikey.from_seed(bytes(range(1, 33)))


def _signed(suite: str) -> dict[str, Any]:
    document = load(ONEEDTECH / "complete.json")
    document.pop("proof", None)
    document["issuer"]["id"] = ISSUER.controller
    return sign(document, ISSUER, suite=suite)


def without_endorsements(document: dict[str, Any]) -> dict[str, Any]:
    stripped = copy.deepcopy(document)
    achievement = stripped["credentialSubject"]["achievement"]
    for holder in (stripped, stripped["issuer"], achievement, achievement.get("creator", {})):
        holder.pop("endorsement", None)
    return stripped


def _verify(document: Any):  # type: ignore[no-untyped-def]
    return verify_credential(Presented(document), offline_knowledge(DidKeyResolver()), now=NOW)


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() if k != "proof" for leaf in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, i))]
    return [path]


def _changed(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    mutated = copy.deepcopy(document)
    parent: Any = mutated
    for part in path[:-1]:
        parent = parent[part]
    value = parent[path[-1]]
    parent[path[-1]] = (
        (value + "x") if isinstance(value, str) else (not value if isinstance(value, bool) else 7)
    )
    return mutated


@pytest.fixture(scope="module", params=["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def signed(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _signed(request.param)


def test_an_untouched_credential_signed_with_the_issuers_did_key_is_authentic(
    signed: dict[str, Any],
) -> None:
    report = _verify(signed)
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    assert report.verdict is Verdict.UNKNOWN  # offline: its issuer is not known to be a provider


def test_an_untouched_credential_of_a_registered_provider_is_verified(
    signed: dict[str, Any],
) -> None:
    # Without the fixture's 1EdTechRevocationList entry, a status type we cannot check, and
    # without its example endorsements, by endorsers no registry knows (each a warning).
    document = without_endorsements(
        {k: v for k, v in signed.items() if k not in ("proof", "credentialStatus")}
    )
    resigned = sign(document, ISSUER, suite=signed["proof"]["cryptosuite"])
    knowledge = registered_knowledge(resigned)
    assert verify_credential(Presented(resigned), knowledge, now=NOW).verdict is Verdict.VERIFIED


def test_any_single_field_changed_is_not_verified(signed: dict[str, Any]) -> None:
    leaves = _leaves(signed)
    assert len(leaves) > 20
    if signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022":
        leaves = leaves[::8]  # RDFC is ~30x the cost of JCS: a spread sample keeps this fast
    accepted = [
        p for p in leaves if _verify(_changed(signed, p)).verdict is not Verdict.NOT_VERIFIED
    ]
    assert accepted == []


def test_a_removed_proof_is_not_verified(signed: dict[str, Any]) -> None:
    stripped = {k: v for k, v in signed.items() if k != "proof"}
    report = _verify(stripped)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.PROOF).status is CheckStatus.FAILED


def test_a_proof_added_from_another_key_is_not_verified(signed: dict[str, Any]) -> None:
    doubled = sign(signed, OTHER)
    report = _verify(doubled)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.FAILED
    assert "not to the issuer" in report.check(CheckName.ISSUER_KEY).reason


def test_a_swapped_issuer_is_not_verified(signed: dict[str, Any]) -> None:
    swapped = copy.deepcopy(signed)
    swapped["issuer"]["id"] = OTHER.controller
    assert _verify(swapped).verdict is Verdict.NOT_VERIFIED


def test_a_credential_resigned_by_another_key_under_the_original_issuer_is_not_verified() -> None:
    document = _signed("eddsa-rdfc-2022")
    document.pop("proof")
    forged = sign(document, OTHER)
    report = _verify(forged)
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.FAILED


def test_a_verification_expands_the_credential_once_for_its_format_and_its_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microcred_shared.crypto import fast_expand

    # A shape the fast expansion models (complete.json's @graph container goes to PyLD).
    document = load(ONEEDTECH.parents[1] / "credentials" / "rich-openbadge.json")
    document.pop("proof", None)
    document["issuer"]["id"] = ISSUER.controller
    signed = sign(document, ISSUER, suite="eddsa-rdfc-2022")
    expanded: list[Any] = []
    expand = fast_expand._expand

    def counted(document: Any, root: Any) -> Any:
        expanded.append(document.get("type"))
        return expand(document, root)

    monkeypatch.setattr(fast_expand, "_expand", counted)
    report = _verify(signed)

    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    assert report.check(CheckName.FORMAT).status is CheckStatus.PASSED
    # The credential once (format, issuer key and proof checks), and the proof's options.
    assert expanded == [document["type"], "DataIntegrityProof"]
