"""Credential ids: deterministic, so that the same cause always names the same credential
(redelivered or resubmitted completions find it already there, a unique ``_id``), and keyed,
so that nobody can derive one from what they know or guess about a learner.

A credential id is public: in the credential, its URL and every event. Derived without a key
from the provider's completion id, free text that often carries the learner's e-mail, anyone
could test a guessed address against it; derived without a key from a pathway and a learner's
DID, anyone could look up that learner's stacked credential.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

_SEPARATOR = "\x1f"  # cannot occur in ids that arrive as JSON text from a form or CSV


class CredentialIds:
    """HMAC-SHA-256 under the issuer's ``credential_id_key``, shaped as an RFC 9562 UUIDv8.

    The key is fixed for ever: a new one would name every credential anew, so a completion
    resubmitted afterwards would be issued a second time.
    """

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("credential ids need a key")
        self._key = key

    def of_completion(self, provider_id: str, completion_id: str) -> str:
        return self._derive("completion", provider_id, completion_id)

    def of_pathway_award(self, pathway_id: str, learner_ref: str) -> str:
        return self._derive("pathway", pathway_id, learner_ref)

    def _derive(self, *parts: str) -> str:
        digest = hmac.new(self._key, _SEPARATOR.join(parts).encode(), hashlib.sha256).digest()
        return str(_uuid8(digest[:16]))


def _uuid8(custom: bytes) -> uuid.UUID:
    """RFC 9562 version 8 ("custom"): 122 bits of ours, the version and variant bits set."""
    value = int.from_bytes(custom, "big")
    value &= ~(0xF << 76) & ~(0x3 << 62)
    value |= (0x8 << 76) | (0x2 << 62)
    return uuid.UUID(int=value)
