"""VC-JOSE (a credential secured as a compact JWS, ``vc+jwt``): parsing and EdDSA verification.

We accept only EdDSA (Ed25519) and take the key from the header's ``kid`` (a verification
method id), resolved like a Data Integrity proof's verification method.
"""

from __future__ import annotations

import base64
import json
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry
from microcred_shared.crypto import ResolvedKey

ALLOWED_ALGORITHMS = ["EdDSA", "Ed25519"]
# A header parameter joserfc does not know (``iat``, ``iss``…) is no reason to refuse a token:
# RFC 7515 §4 has unknown parameters ignored unless ``crit`` names them.
LENIENT_HEADERS = JWSRegistry(strict_check_header=False, algorithms=ALLOWED_ALGORITHMS)


class JwtFormatError(ValueError):
    """The token is not a well-formed VC-JWT."""


@dataclass(frozen=True, slots=True)
class JwtCredential:
    token: str
    header: dict[str, Any]
    claims: dict[str, Any]
    document: dict[str, Any]  # the credential the token secures

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None

    @property
    def signed_at(self) -> datetime | None:
        """``iat`` (when the JWS was made, as a proof's ``created``) from the protected header
        or the claims, if any."""
        iat = self.header.get("iat", self.claims.get("iat"))
        if isinstance(iat, bool) or not isinstance(iat, int | float):
            return None
        try:
            return datetime.fromtimestamp(iat, UTC)
        except (OverflowError, OSError, ValueError):
            return None


def looks_like_jwt(value: str) -> bool:
    parts = value.strip().split(".")
    return len(parts) == 3 and all(parts[:2]) and value.strip().startswith("ey")


def _b64json(segment: str, what: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwtFormatError(f"the JWT {what} is not base64url-encoded JSON") from exc


def parse_vc_jwt(token: str) -> JwtCredential:
    """Read (without verifying) a VC-JOSE token: VC 2.0 (the payload is the credential) or a
    VC 1.1 JWT (the credential in the ``vc`` claim)."""
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtFormatError("a compact JWS has three dot-separated parts")
    header = _b64json(parts[0], "header")
    claims = _b64json(parts[1], "payload")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JwtFormatError("the JWT header and payload must be JSON objects")
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise JwtFormatError(f"unsupported JWS algorithm {header.get('alg')!r} (EdDSA only)")
    embedded = claims.get("vc")
    document: dict[str, Any] = embedded if isinstance(embedded, dict) else claims
    return JwtCredential(token, header, claims, dict(document))


def verify_jws(credential: JwtCredential, key: ResolvedKey) -> str | None:
    """None when the signature verifies with ``key``; else why not."""
    raw = key.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    jwk = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": x})
    try:
        with warnings.catch_warnings():
            # RFC 9864 deprecates "EdDSA" for "Ed25519"; both are accepted here on purpose.
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_compact(credential.token, jwk, registry=LENIENT_HEADERS)
    except JoseError as exc:
        return f"JWS signature does not verify: {exc.description or exc.error}"
    except ValueError as exc:
        return f"JWS signature does not verify: {exc}"
    return None
