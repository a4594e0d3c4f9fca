"""VC-JOSE (W3C Securing Verifiable Credentials using JOSE and COSE, §3.1.1): a credential
secured as a compact JWS whose payload is the credential itself, media type
``application/vc+jwt``, signed with EdDSA (Ed25519) by joserfc, ``kid`` the verification
method a verifier resolves as it would a Data Integrity proof's."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

from microcred_shared.crypto.errors import ProofError
from microcred_shared.crypto.keys import Ed25519Multikey
from microcred_shared.crypto.multibase import decode_ed25519_secret

VC_JWT_MEDIA_TYPE = "application/vc+jwt"
# "EdDSA", not RFC 9864's fully specified "Ed25519": the VC-JOSE-COSE examples, Digital
# Bazaar's and most JOSE verifiers know only the former; for an Ed25519 key the two sign the
# same bytes. joserfc warns that RFC 9864 deprecates it, which is known here.
JWS_ALGORITHM = "EdDSA"
# joserfc refuses header parameters it does not know; ``iat`` is a registered JWT claim that
# VC-JOSE-COSE lets the header carry.
SIGNED_AT_HEADER = {"iat": HeaderParameter("Issued At (JWT claim, RFC 7519)", "int")}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signing_jwk(key: Ed25519Multikey) -> OKPKey:
    public = key.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    seed = decode_ed25519_secret(key.secret_key_multibase)
    return OKPKey.import_key(
        {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public), "d": _b64url(seed)}
    )


def sign_vc_jwt(credential: Mapping[str, Any], key: Ed25519Multikey, *, issued_at: datetime) -> str:
    """The credential, without any embedded proof, as a VC-JOSE compact JWS by ``key``.

    ``iat`` in the protected header says when it was signed: a key rotated in after the
    credential's ``validFrom`` signs this form of it now, and a verifier judges the key at
    ``iat``. It sits in the header, not the payload, because the payload is the JSON-LD
    credential, where ``iat`` is no defined term (VC-JOSE-COSE §3.1.3 reads registered JWT
    claims in either place)."""
    if not key.has_secret:
        raise ProofError(f"{key.id} has no secret key")
    payload = {name: value for name, value in credential.items() if name != "proof"}
    header = {
        "alg": JWS_ALGORITHM,
        "kid": key.id,
        "typ": "vc+jwt",
        "cty": "vc",
        "iat": int(issued_at.timestamp()),
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return jws.serialize_compact(
            header,
            body,
            _signing_jwk(key),
            registry=JWSRegistry(header_registry=SIGNED_AT_HEADER, algorithms=[JWS_ALGORITHM]),
        )
