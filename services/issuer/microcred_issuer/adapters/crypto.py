"""Key material and proofs, on the shared crypto package: keys sealed with AES-GCM under a
key derived (HKDF) from the configured key-encryption key, unsealed only to sign."""

from __future__ import annotations

import base64
import os
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from microcred_shared.crypto import (
    Ed25519Multikey,
    create_proof,
    decode_ed25519_secret,
)
from microcred_shared.crypto.dates import utc_now

from ..domain.keyring import KeyRecord, Keyring

SEALED_PREFIX = "v1:"


class Sealer:
    """AES-256-GCM with a random nonce; ``purpose`` is bound as associated data, so a sealed
    e-mail can never be unsealed as a key (or the reverse)."""

    def __init__(self, key_encryption_key: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"microcred-issuer keys"
        ).derive(key_encryption_key.encode())
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, purpose: bytes) -> str:
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, plaintext, purpose)
        return SEALED_PREFIX + base64.b64encode(sealed).decode()

    def unseal(self, sealed: str, purpose: bytes) -> bytes:
        raw = base64.b64decode(sealed.removeprefix(SEALED_PREFIX))
        return self._aead.decrypt(raw[:12], raw[12:], purpose)


class SealedKeyVault:
    """The real :class:`~microcred_issuer.service_layer.ports.KeyVault`."""

    _KEY = b"ed25519-seed"
    _TEXT = b"text"

    def __init__(self, key_encryption_key: str) -> None:
        self._sealer = Sealer(key_encryption_key)

    def new_key(self, fragment: str, at: datetime) -> KeyRecord:
        return self._record(Ed25519Multikey.generate(), fragment, at)

    def import_key(self, secret_key_multibase: str, fragment: str, at: datetime) -> KeyRecord:
        seed = decode_ed25519_secret(secret_key_multibase)
        return self._record(Ed25519Multikey.from_seed(seed), fragment, at)

    def signing_key(self, keyring: Keyring) -> Ed25519Multikey:
        current = keyring.current
        seed = self._sealer.unseal(current.sealed_secret, self._KEY)
        key = Ed25519Multikey.from_seed(seed, keyring.did, keyring.vm_id(current))
        if key.public_key_multibase != current.public_key_multibase:
            raise ValueError(
                f"sealed key of {keyring.vm_id(current)} does not match its public key"
            )
        return key

    def seal_text(self, text: str) -> str:
        return self._sealer.seal(text.encode(), self._TEXT)

    def unseal_text(self, sealed: str) -> str:
        return self._sealer.unseal(sealed, self._TEXT).decode()

    def _record(self, key: Ed25519Multikey, fragment: str, at: datetime) -> KeyRecord:
        seed = decode_ed25519_secret(key.secret_key_multibase)
        return KeyRecord(
            fragment=fragment,
            public_key_multibase=key.public_key_multibase,
            sealed_secret=self._sealer.seal(seed, self._KEY),
            valid_from=at,
        )


class DataIntegritySigner:
    """Signs with the configured cryptosuite; ``proof`` is always an array (OB 3.0 schema)."""

    def __init__(self, suite: str) -> None:
        self._suite = suite

    def sign(self, document: dict[str, Any], key: Ed25519Multikey, at: datetime) -> dict[str, Any]:
        proof = create_proof(document, key, suite=self._suite, created=at)
        return {**document, "proof": [proof]}


class SystemClock:
    def now(self) -> datetime:
        # Whole seconds: proofs and validFrom are written in whole seconds, and a key's
        # validity must compare exactly with the ``created`` of what it signed.
        return utc_now().replace(microsecond=0)
