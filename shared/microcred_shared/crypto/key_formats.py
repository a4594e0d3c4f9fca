"""Ed25519 keys as other tools write them: Multikey documents, JWK and PEM (PKCS#8 / SPKI).

Institutions bring keys made elsewhere (Digital Bazaar's ed25519-multikey, a JOSE library,
OpenSSL), so every entry point that reads a key file reads it here, and refuses anything else
with one message naming the forms it takes.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from microcred_shared.crypto.errors import CryptoError
from microcred_shared.crypto.keys import Ed25519Multikey, public_key_to_multibase
from microcred_shared.crypto.multibase import ED25519_KEY_LENGTH

ACCEPTED_KEY_FORMS = (
    "an Ed25519 key as a Multikey document (publicKeyMultibase, and secretKeyMultibase of "
    "32 bytes or 64: the seed then the public key), a JWK (kty OKP, crv Ed25519, x, and d "
    "for a secret key) or a PEM (PKCS#8 private key or SubjectPublicKeyInfo public key)"
)
PEM_MARKER = "-----BEGIN "


class KeyFormatError(CryptoError, ValueError):
    """Key material that is not one of the accepted Ed25519 forms, or is inconsistent."""


def read_ed25519_key(
    text: str, *, controller: str | None = None, key_id: str | None = None
) -> Ed25519Multikey:
    """Read a key file's text in any accepted form.

    ``key_id`` / ``controller`` name the verification method where the file names none (a PEM,
    a JWK without a DID URL ``kid``), or override what it names; left out, the key is its own
    did:key.
    """
    if text.lstrip().startswith(PEM_MARKER):
        return key_from_pem(text, controller=controller, key_id=key_id)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeyFormatError(f"not a key: expected {ACCEPTED_KEY_FORMS}") from exc
    return key_from_mapping(document, controller=controller, key_id=key_id)


def key_from_mapping(
    document: Any, *, controller: str | None = None, key_id: str | None = None
) -> Ed25519Multikey:
    """A parsed JSON key: a JWK (it has ``kty``) or a Multikey document."""
    if not isinstance(document, Mapping):
        raise KeyFormatError(f"not a key: expected {ACCEPTED_KEY_FORMS}")
    if "kty" in document:
        return key_from_jwk(document, controller=controller, key_id=key_id)
    if "publicKeyMultibase" in document or "secretKeyMultibase" in document:
        key = Ed25519Multikey.from_document(document)
        if controller is None and key_id is None:
            return key
        return _named(key, controller, key_id)
    raise KeyFormatError(f"not a key: expected {ACCEPTED_KEY_FORMS}")


def key_from_jwk(
    jwk: Mapping[str, Any], *, controller: str | None = None, key_id: str | None = None
) -> Ed25519Multikey:
    """An RFC 8037 OKP JWK; its ``kid`` names the key when it is a DID URL."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise KeyFormatError(
            f"a JWK with kty {jwk.get('kty')!r} and crv {jwk.get('crv')!r} is not an Ed25519 "
            f"key (kty OKP, crv Ed25519); expected {ACCEPTED_KEY_FORMS}"
        )
    public = _jwk_bytes(jwk, "x")
    kid = jwk.get("kid")
    if key_id is None and isinstance(kid, str) and kid.startswith("did:") and "#" in kid:
        key_id = kid
    if "d" not in jwk:
        return _named_public(Ed25519PublicKey.from_public_bytes(public), controller, key_id)
    key = Ed25519Multikey.from_private_key(
        Ed25519PrivateKey.from_private_bytes(_jwk_bytes(jwk, "d")), controller, key_id
    )
    if _raw_public(key.public_key) != public:
        raise KeyFormatError("the JWK's x is not the public key of its d")
    return key


def key_from_pem(
    text: str, *, controller: str | None = None, key_id: str | None = None
) -> Ed25519Multikey:
    """A PKCS#8 private key or a SubjectPublicKeyInfo public key, unencrypted."""
    data = text.encode("ascii", errors="replace")
    try:
        if "PRIVATE KEY" in text.split("-----", 2)[1]:
            private = load_pem_private_key(data, password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise KeyFormatError(
                    f"the PEM holds a {type(private).__name__}, not an Ed25519 key; "
                    f"expected {ACCEPTED_KEY_FORMS}"
                )
            return Ed25519Multikey.from_private_key(private, controller, key_id)
        public = load_pem_public_key(data)
    except (ValueError, TypeError) as exc:  # cryptography's words for a bad or encrypted PEM
        raise KeyFormatError(f"unreadable PEM ({exc}); expected {ACCEPTED_KEY_FORMS}") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise KeyFormatError(
            f"the PEM holds a {type(public).__name__}, not an Ed25519 key; "
            f"expected {ACCEPTED_KEY_FORMS}"
        )
    return _named_public(public, controller, key_id)


def public_key_jwk(key: Ed25519Multikey) -> dict[str, str]:
    """The public key as an RFC 8037 JWK, ``kid`` its verification method id."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(_raw_public(key.public_key)),
        "kid": key.id,
    }


def _named(key: Ed25519Multikey, controller: str | None, key_id: str | None) -> Ed25519Multikey:
    if key.private_key is not None:
        return Ed25519Multikey.from_private_key(key.private_key, controller, key_id)
    return _named_public(key.public_key, controller, key_id)


def _named_public(
    public: Ed25519PublicKey, controller: str | None, key_id: str | None
) -> Ed25519Multikey:
    return Ed25519Multikey.from_public_multibase(
        public_key_to_multibase(public), controller, key_id
    )


def _jwk_bytes(jwk: Mapping[str, Any], member: str) -> bytes:
    value = jwk.get(member)
    if not isinstance(value, str):
        raise KeyFormatError(f"the JWK has no {member!r} string; expected {ACCEPTED_KEY_FORMS}")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"the JWK's {member!r} is not base64url") from exc
    if len(raw) != ED25519_KEY_LENGTH:
        raise KeyFormatError(
            f"the JWK's {member!r} is {len(raw)} bytes; an Ed25519 key is {ED25519_KEY_LENGTH}"
        )
    return raw


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
