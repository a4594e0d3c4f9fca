"""API keys (hashed at rest) and signing secrets (AES-GCM sealed at rest)."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_PREFIX = "v1:"
API_KEY_PREFIX = "mcn_"
SIGNING_SECRET_PREFIX = "whsec_"  # noqa: S105 (a format prefix, not a secret)


class SecretKeys:
    """The real :class:`~microcred_notifier.service_layer.ports.Keys`."""

    def __init__(self, encryption_key: str) -> None:
        # HKDF turns whatever the operator configured into exactly 256 key bits.
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"microcred-notifier signing secrets",
        ).derive(encryption_key.encode())
        self._aead = AESGCM(key)

    def new_api_key(self) -> str:
        return API_KEY_PREFIX + secrets.token_urlsafe(32)

    def hash_api_key(self, api_key: str) -> str:
        # The keys are 256 random bits, so a fast unsalted hash is safe here (nothing to guess),
        # and it lets us find the subscriber by the hash in one indexed lookup.
        return hashlib.sha256(api_key.encode()).hexdigest()

    def new_signing_secret(self) -> str:
        """A Standard Webhooks secret: ``whsec_`` and base64 of 32 random bytes."""
        return SIGNING_SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()

    def seal(self, secret: str) -> str:
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, secret.encode(), None)
        return SEALED_PREFIX + base64.b64encode(sealed).decode()

    def unseal(self, sealed: str) -> str:
        raw = base64.b64decode(sealed.removeprefix(SEALED_PREFIX))
        return self._aead.decrypt(raw[:12], raw[12:], None).decode()
