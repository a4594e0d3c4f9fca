"""Create Data Integrity proofs (W3C VC Data Integrity 1.0, vc-di-eddsa 1.0).

``sign`` adds a proof to a credential: alone, to a proof set, or chained to earlier proofs
(``previousProof``). Verification lives in :mod:`microcred_shared.crypto.verification`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from microcred_shared.crypto.dates import format_datetime, utc_now
from microcred_shared.crypto.errors import (
    CanonicalizationError,
    ProofError,
)
from microcred_shared.crypto.keys import Ed25519Multikey
from microcred_shared.crypto.loader import OfflineDocumentLoader, default_loader
from microcred_shared.crypto.multibase import encode_base58btc
from microcred_shared.crypto.suites import (
    EDDSA_RDFC_2022,
    signing_suite,
)

ASSERTION_METHOD = "assertionMethod"
# A holder's proof on a presentation (VC Data Model 2.0 §4.13): the key authenticates the
# holder, and the proof carries the verifier's ``challenge`` and ``domain`` against replay.
AUTHENTICATION = "authentication"


class _Now:
    """Sentinel: stamp ``created`` with the current time."""


NOW = _Now()


def proofs_of(document: Mapping[str, Any]) -> list[Any]:
    """The document's proofs as a list (``proof`` may be one object or an array)."""
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _without_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


# --- signing ---------------------------------------------------------------------------------


def create_proof(
    document: Mapping[str, Any],
    key: Ed25519Multikey,
    *,
    suite: str = EDDSA_RDFC_2022,
    created: datetime | _Now | None = NOW,
    proof_purpose: str = ASSERTION_METHOD,
    verification_method: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    expires: datetime | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> dict[str, Any]:
    """The proof ``sign`` would add to ``document`` (vc-di-eddsa "Create Proof").

    Existing proofs are not signed over (a proof set), except those named by ``previous_proof``
    (a proof chain). ``created=None`` omits the timestamp (optional in Data Integrity 1.0).
    ``challenge`` and ``domain`` (Data Integrity §2.1, for a presentation's authentication
    proof) are proof options, so the signature covers them.
    """
    if not key.has_secret:
        raise ProofError(f"{key.id} has no secret key")
    cs = signing_suite(suite)
    loader = loader or default_loader()
    proof: dict[str, Any] = {"type": cs.proof_type}
    if proof_id is not None:
        proof["id"] = proof_id
    if cs.cryptosuite is not None:
        proof["cryptosuite"] = cs.cryptosuite
    if isinstance(created, _Now):
        created = utc_now()
    if created is not None:
        proof["created"] = format_datetime(created)
    if expires is not None:
        proof["expires"] = format_datetime(expires)
    proof["verificationMethod"] = verification_method or key.id
    proof["proofPurpose"] = proof_purpose
    if challenge is not None:
        proof["challenge"] = challenge
    if domain is not None:
        proof["domain"] = domain
    if previous_proof is not None:
        proof["previousProof"] = (
            previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        )
    unsecured = unsecured_document(document, proof)
    if cs.context_in_proof and "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    try:
        signature = key.sign(cs.hash_data(unsecured, proof, loader))
    except CanonicalizationError as exc:
        raise ProofError(f"cannot sign: {exc}") from exc
    proof["proofValue"] = encode_base58btc(signature)
    return proof


def sign(document: Mapping[str, Any], key: Ed25519Multikey, **options: Any) -> dict[str, Any]:
    """A copy of ``document`` with a new proof added (see :func:`create_proof` for options).

    A document that already has proofs gets a ``proof`` array (proof set / chain).
    """
    proof = create_proof(document, key, **options)
    signed = copy.deepcopy(dict(document))
    existing = proofs_of(signed)
    signed["proof"] = [*existing, proof] if existing else proof
    return signed


def unsecured_document(document: Mapping[str, Any], proof: Mapping[str, Any]) -> dict[str, Any]:
    """The document a proof covers: no proofs, except the ones its ``previousProof`` names."""
    unsecured = _without_proof(document)
    previous = proof.get("previousProof")
    if previous is None:
        return unsecured
    wanted = [previous] if isinstance(previous, str) else list(previous)
    by_id = {p.get("id"): p for p in proofs_of(document) if isinstance(p, Mapping)}
    missing = [pid for pid in wanted if pid not in by_id]
    if missing:
        raise ProofError(f"previousProof names proofs the document does not have: {missing}")
    unsecured["proof"] = [by_id[pid] for pid in wanted]
    return unsecured
