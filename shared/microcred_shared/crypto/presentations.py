"""Verifiable Presentations (W3C VC Data Model 2.0 §4.13): a holder wraps credentials and proves,
with an ``authentication`` proof carrying a verifier's ``challenge`` and ``domain``, that it
controls the key it presents them with, here and now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from microcred_shared.crypto.keys import Ed25519Multikey
from microcred_shared.crypto.proofs import AUTHENTICATION, sign
from microcred_shared.crypto.suites import EDDSA_RDFC_2022

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
PRESENTATION_TYPE = "VerifiablePresentation"


def unsigned_presentation(credentials: Sequence[Mapping[str, Any]], holder: str) -> dict[str, Any]:
    """A VC 2.0 presentation of ``credentials`` by ``holder``, not yet signed."""
    return {
        "@context": [VC_V2_CONTEXT],
        "type": [PRESENTATION_TYPE],
        "holder": holder,
        "verifiableCredential": [dict(credential) for credential in credentials],
    }


def sign_presentation(
    credentials: Sequence[Mapping[str, Any]],
    key: Ed25519Multikey,
    *,
    challenge: str,
    domain: str,
    suite: str = EDDSA_RDFC_2022,
) -> dict[str, Any]:
    """The presentation, signed by the holder's ``key`` (the holder is the key's controller)."""
    presentation = unsigned_presentation(credentials, key.controller)
    return sign(
        presentation,
        key,
        suite=suite,
        proof_purpose=AUTHENTICATION,
        challenge=challenge,
        domain=domain,
    )
