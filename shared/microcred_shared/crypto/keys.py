"""Ed25519 Multikey key pairs: generate, (de)serialise as Multikey documents, sign, verify."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from microcred_shared.crypto.errors import MultibaseError
from microcred_shared.crypto.multibase import (
    decode_ed25519_public,
    decode_ed25519_secret_pair,
    encode_ed25519_public,
    encode_ed25519_secret,
)

MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
MULTIKEY_TYPE = "Multikey"
# The legacy key type carries the same publicKeyMultibase encoding (vc-di-eddsa §2.1.2).
LEGACY_KEY_TYPES = frozenset({"Ed25519VerificationKey2020"})


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """``z6Mk…`` → a ``cryptography`` public key."""
    return Ed25519PublicKey.from_public_bytes(decode_ed25519_public(value))


def public_key_to_multibase(key: Ed25519PublicKey) -> str:
    """A ``cryptography`` public key → ``z6Mk…``."""
    return encode_ed25519_public(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def verify_signature(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``data`` (never raises)."""
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Ed25519Multikey:
    """An Ed25519 verification method: its id, controller and key material.

    ``private_key`` is None for a public-only key (what a verifier holds).
    """

    id: str
    controller: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None

    @classmethod
    def generate(cls, controller: str | None = None, key_id: str | None = None) -> Ed25519Multikey:
        """A fresh key; without a controller it becomes its own did:key."""
        return cls.from_private_key(Ed25519PrivateKey.generate(), controller, key_id)

    @classmethod
    def from_seed(
        cls, seed: bytes, controller: str | None = None, key_id: str | None = None
    ) -> Ed25519Multikey:
        """A key from its 32-byte seed (deterministic: tests and vectors)."""
        return cls.from_private_key(Ed25519PrivateKey.from_private_bytes(seed), controller, key_id)

    @classmethod
    def from_private_key(
        cls,
        private_key: Ed25519PrivateKey,
        controller: str | None = None,
        key_id: str | None = None,
    ) -> Ed25519Multikey:
        public = private_key.public_key()
        key_id, controller = _default_ids(public_key_to_multibase(public), controller, key_id)
        return cls(key_id, controller, public, private_key)

    @classmethod
    def from_public_multibase(
        cls, public_key_multibase: str, controller: str | None = None, key_id: str | None = None
    ) -> Ed25519Multikey:
        key_id, controller = _default_ids(public_key_multibase, controller, key_id)
        return cls(key_id, controller, public_key_from_multibase(public_key_multibase))

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Ed25519Multikey:
        """Read a Multikey (or legacy Ed25519VerificationKey2020) document.

        The secret key is read from ``secretKeyMultibase`` or, as the W3C vectors spell it,
        ``privateKeyMultibase``, as the 32-byte seed or the 64-byte seed-then-public-key form;
        when present it must match the public key.
        """
        public_mb = doc.get("publicKeyMultibase")
        if not isinstance(public_mb, str):
            raise MultibaseError("key document has no publicKeyMultibase")
        key_type = doc.get("type", MULTIKEY_TYPE)
        if key_type != MULTIKEY_TYPE and key_type not in LEGACY_KEY_TYPES:
            raise MultibaseError(f"unsupported verification method type {key_type!r}")
        controller = doc.get("controller")
        key_id = doc.get("id")
        secret_mb = doc.get("secretKeyMultibase", doc.get("privateKeyMultibase"))
        if secret_mb is None:
            return cls.from_public_multibase(public_mb, controller, key_id)
        if not isinstance(secret_mb, str):
            raise MultibaseError("secretKeyMultibase must be a string")
        seed, carried_public = decode_ed25519_secret_pair(secret_mb)
        key = cls.from_seed(seed, controller, key_id)
        if carried_public is not None and carried_public != key.public_key.public_bytes(
            Encoding.Raw, PublicFormat.Raw
        ):
            raise MultibaseError(
                "the 64-byte secretKeyMultibase is a seed and a public key that do not belong "
                "together: its second half is not the seed's public key"
            )
        if key.public_key_multibase != public_mb:
            raise MultibaseError("secretKeyMultibase does not belong to publicKeyMultibase")
        return key

    @property
    def public_key_multibase(self) -> str:
        return public_key_to_multibase(self.public_key)

    @property
    def secret_key_multibase(self) -> str:
        if self.private_key is None:
            raise MultibaseError(f"{self.id} is a public-only key")
        seed = self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return encode_ed25519_secret(seed)

    @property
    def has_secret(self) -> bool:
        return self.private_key is not None

    def public_only(self) -> Ed25519Multikey:
        return Ed25519Multikey(self.id, self.controller, self.public_key)

    def to_document(self, *, include_secret: bool = False, context: bool = True) -> dict[str, Any]:
        """The Multikey document; the secret only when asked for (never publish it)."""
        doc: dict[str, Any] = {}
        if context:
            doc["@context"] = MULTIKEY_CONTEXT
        doc.update(
            id=self.id,
            type=MULTIKEY_TYPE,
            controller=self.controller,
            publicKeyMultibase=self.public_key_multibase,
        )
        if include_secret:
            doc["secretKeyMultibase"] = self.secret_key_multibase
        return doc

    def sign(self, data: bytes) -> bytes:
        if self.private_key is None:
            raise MultibaseError(f"{self.id} is a public-only key and cannot sign")
        return self.private_key.sign(data)

    def verify(self, signature: bytes, data: bytes) -> bool:
        return verify_signature(self.public_key, signature, data)

    def __repr__(self) -> str:  # never print key material
        secret = ", with secret" if self.private_key is not None else ""
        return f"Ed25519Multikey(id={self.id!r}, controller={self.controller!r}{secret})"


def _default_ids(
    public_key_multibase: str, controller: str | None, key_id: str | None
) -> tuple[str, str]:
    """did:key defaults: controller ``did:key:z…``, id ``did:key:z…#z…``; a bare fragment
    given as key_id is joined to the controller."""
    if controller is None:
        if key_id is not None and "#" in key_id and not key_id.startswith("#"):
            controller = key_id.split("#", 1)[0]
        else:
            controller = f"did:key:{public_key_multibase}"
    if key_id is None:
        key_id = f"{controller}#{public_key_multibase}"
    elif key_id.startswith("#"):
        key_id = controller + key_id
    return key_id, controller
