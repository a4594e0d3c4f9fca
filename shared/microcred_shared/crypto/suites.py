"""The cryptosuites: how a document and its proof options become the bytes Ed25519 signs.

All four suites sign ``SHA-256(canonical proof config) || SHA-256(canonical document)``
(vc-di-eddsa v1.0 §3.2.4 / §3.3.4); they differ in canonicalisation and in where the proof
config gets its ``@context``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from microcred_shared.crypto.canonicalize import canonicalize_jcs, canonicalize_rdfc
from microcred_shared.crypto.errors import ProofError
from microcred_shared.crypto.loader import OfflineDocumentLoader

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
EDDSA_2022 = "eddsa-2022"  # the draft name of eddsa-rdfc-2022 (1EdTech's VC 1.1 fixtures)

Canonicalization = Literal["rdfc", "jcs"]

# Properties that carry the signature itself and never enter the proof config.
SIGNATURE_PROPERTIES = ("proofValue", "jws", "signatureValue")


@dataclass(frozen=True, slots=True)
class Cryptosuite:
    """One supported (proof type, cryptosuite) pair.

    ``signs``: we create proofs with it (the two vc-di-eddsa v1.0 suites); the legacy ones are
    verified only, because employers paste such credentials.
    ``context_in_proof``: eddsa-jcs-2022 copies the document's ``@context`` into the proof it
    emits (vc-di-eddsa §3.3.1); the RDFC suites only use it while canonicalising.
    """

    name: str
    proof_type: str
    cryptosuite: str | None
    canonicalization: Canonicalization
    signs: bool
    context_in_proof: bool = False

    def canonicalize(self, value: Mapping[str, Any], loader: OfflineDocumentLoader) -> bytes:
        if self.canonicalization == "jcs":
            return canonicalize_jcs(value)
        return canonicalize_rdfc(value, loader=loader).encode("utf-8")

    def proof_config(
        self, proof_options: Mapping[str, Any], document: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The proof options as they are canonicalised: no signature, the document's context."""
        config = {k: v for k, v in proof_options.items() if k not in SIGNATURE_PROPERTIES}
        if config.get("type") != self.proof_type or config.get("cryptosuite") != self.cryptosuite:
            raise ProofError(f"proof options are not {self.name}")
        if "@context" in document:
            config["@context"] = document["@context"]
        elif self.canonicalization == "rdfc":
            raise ProofError(f"{self.name} needs a JSON-LD document with an @context")
        return config

    def hash_data(
        self,
        document: Mapping[str, Any],
        proof_options: Mapping[str, Any],
        loader: OfflineDocumentLoader,
        *,
        canonical_document: Callable[[], bytes] | None = None,
    ) -> bytes:
        """``SHA-256(canonical proof config) || SHA-256(canonical document)``.

        ``canonical_document`` lets a caller reuse the document's canonical form across the
        proofs of a proof set (the expensive half for RDFC).
        """
        config = self.proof_config(proof_options, document)
        doc_bytes = (
            canonical_document() if canonical_document else self.canonicalize(document, loader)
        )
        return (
            hashlib.sha256(self.canonicalize(config, loader)).digest()
            + hashlib.sha256(doc_bytes).digest()
        )


RDFC_2022 = Cryptosuite(EDDSA_RDFC_2022, DATA_INTEGRITY_PROOF, EDDSA_RDFC_2022, "rdfc", True)
JCS_2022 = Cryptosuite(
    EDDSA_JCS_2022, DATA_INTEGRITY_PROOF, EDDSA_JCS_2022, "jcs", True, context_in_proof=True
)
LEGACY_EDDSA_2022 = Cryptosuite(EDDSA_2022, DATA_INTEGRITY_PROOF, EDDSA_2022, "rdfc", False)
LEGACY_ED25519_2020 = Cryptosuite(
    ED25519_SIGNATURE_2020, ED25519_SIGNATURE_2020, None, "rdfc", False
)

SUITES: dict[str, Cryptosuite] = {
    s.name: s for s in (RDFC_2022, JCS_2022, LEGACY_EDDSA_2022, LEGACY_ED25519_2020)
}
SIGNING_SUITES: tuple[str, ...] = tuple(name for name, s in SUITES.items() if s.signs)


def suite_for_proof(proof: Mapping[str, Any]) -> Cryptosuite | None:
    """The suite a proof claims, or None when we do not support it."""
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        name = proof.get("cryptosuite")
        suite = SUITES.get(name) if isinstance(name, str) else None
        return suite if suite is not None and suite.proof_type == DATA_INTEGRITY_PROOF else None
    if proof_type == ED25519_SIGNATURE_2020:
        return LEGACY_ED25519_2020
    return None


def signing_suite(name: str) -> Cryptosuite:
    suite = SUITES.get(name)
    if suite is None or not suite.signs:
        raise ProofError(f"cannot sign with {name!r}; choose one of {', '.join(SIGNING_SUITES)}")
    return suite
