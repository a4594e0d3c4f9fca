"""The fast rdfc canonicalisation gives the reference's bytes, or the reference's error, on the
W3C vectors, the 1EdTech fixtures, the rich credential and what our issuer produces."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crypto_data import ONEEDTECH, RICH, W3C, load
from microcred_shared.crypto import SafeModeError, canonicalize_rdfc, reference_rdfc
from microcred_shared.crypto.canonicalize import DEFAULT_RDFC_IMPLEMENTATION
from microcred_shared.crypto.fast_rdfc import fast_canonicalize
from microcred_shared.crypto.loader import default_loader

FIXTURES = sorted([*W3C.rglob("*.json"), *ONEEDTECH.rglob("*.json")])


def outcome(canonicalize: Any, document: dict[str, Any]) -> tuple[str, str]:
    """("ok", N-Quads) or (error type, message): what a canonicalisation path answers."""
    try:
        return "ok", canonicalize(document)
    except Exception as exc:
        return type(exc).__name__, str(exc)


def documents_in(path: Path) -> Iterator[dict[str, Any]]:
    """The document, the document without proofs (what a proof covers), and each proof's
    options with the document's context (what the proof config hashes)."""
    data = json.loads(path.read_text("utf-8"))
    for document in data if isinstance(data, list) else [data]:
        if not isinstance(document, dict):
            continue
        yield document
        proofs = document.get("proof")
        yield {k: v for k, v in document.items() if k != "proof"}
        for proof in proofs if isinstance(proofs, list) else [proofs] if proofs else []:
            if isinstance(proof, dict) and "@context" in document:
                config = {k: v for k, v in proof.items() if k != "proofValue"}
                yield {**config, "@context": document["@context"]}


def test_the_fast_path_is_installed_by_default() -> None:
    document = load(RICH)
    assert fast_canonicalize(document, default_loader()) is not None
    assert canonicalize_rdfc(document) == reference_rdfc(document)
    assert DEFAULT_RDFC_IMPLEMENTATION.__name__ == "_fast_or_reference"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_vector_and_fixture_canonicalises_as_the_reference_does(path: Path) -> None:
    for document in documents_in(path):
        assert outcome(canonicalize_rdfc, document) == outcome(reference_rdfc, document)


def test_the_w3c_rdfc_vectors_take_the_fast_path() -> None:
    for path in sorted((W3C / "eddsa-rdfc-2022").rglob("*.json")):
        for document in documents_in(path):
            if "proof" not in document:
                assert fast_canonicalize(document, default_loader()) == reference_rdfc(document)


def test_the_rich_credential_and_its_proof_config_take_the_fast_path() -> None:
    document = load(RICH)
    config = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-06-30T12:00:00Z",
        "verificationMethod": "did:key:z6MkExample#z6MkExample",
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    for doc in (document, config):
        fast = fast_canonicalize(doc, default_loader())
        assert fast is not None
        assert fast == reference_rdfc(doc)


def rich_variations() -> Iterator[dict[str, Any]]:
    base = load(RICH)
    subject = base["credentialSubject"]
    achievement = subject["achievement"]
    yield base
    no_ids = copy.deepcopy(base)
    for node in (no_ids, no_ids["credentialSubject"], no_ids["credentialSubject"]["achievement"]):
        node.pop("id", None)
    yield no_ids
    twins = copy.deepcopy(base)
    alignment = achievement["alignment"][0]
    twins["credentialSubject"]["achievement"]["alignment"] = [alignment, copy.deepcopy(alignment)]
    yield twins
    numbers = copy.deepcopy(base)
    numbers["credentialSubject"]["creditsEarned"] = 4.0
    numbers["credentialSubject"]["achievement"]["creditsAvailable"] = 1e21
    numbers["credentialSubject"]["term"] = 'tab\there, form\ffeed, bell\x07, quote" \\ é 😀'
    yield numbers
    single_type = copy.deepcopy(base)
    single_type["type"] = "VerifiableCredential"
    single_type["credentialSubject"]["type"] = "AchievementSubject"
    yield single_type
    undefined = copy.deepcopy(base)
    undefined["credentialSubject"]["achievement"]["notInAnyContext"] = "x"
    yield undefined  # VC 2.0's @vocab makes it issuer-dependent, not an error
    relative = copy.deepcopy(base)
    relative["credentialSubject"]["id"] = "learner/5"
    yield relative  # a safe-mode error, on both paths
    del subject  # (only read through the copies)


@pytest.mark.parametrize("variation", range(7))
def test_variations_of_the_rich_credential_agree_with_the_reference(variation: int) -> None:
    document = list(rich_variations())[variation]
    assert outcome(canonicalize_rdfc, document) == outcome(reference_rdfc, document)


def test_a_relative_iri_is_still_a_safe_mode_error_on_the_fast_path() -> None:
    document = copy.deepcopy(load(RICH))
    document["credentialSubject"]["id"] = "learner/5"
    with pytest.raises(SafeModeError, match="relative"):
        canonicalize_rdfc(document)


INLINE_CASES: list[dict[str, Any]] = [
    {  # @base makes relative ids legitimate
        "@context": [{"@base": "https://b.example/", "n": "https://schema.org/name"}],
        "@id": "x",
        "n": "y",
    },
    {  # a context that does not propagate into nested nodes
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"@propagate": False, "@vocab": "https://ex.example/v#"},
        ],
        "outer": {"inner": "dropped: no vocabulary here"},
    },
    {  # redefining a protected VC 2.0 term is an error
        "@context": ["https://www.w3.org/ns/credentials/v2", {"name": "https://ex.example/name"}],
        "name": "x",
    },
    {  # an undefined term is a safe-mode error
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "VerifiableCredential",
        "undefinedTerm": 1,
    },
    {  # a context that is not bundled is never fetched
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://schema.org/"],
        "name": "x",
    },
]


@pytest.mark.parametrize("document", INLINE_CASES)
def test_inline_contexts_and_errors_agree_with_the_reference(document: dict[str, Any]) -> None:
    assert outcome(canonicalize_rdfc, document) == outcome(reference_rdfc, document)
