"""Who a credential is about, without the e-mail in clear: OB 3.0 salted-hash IdentityObject.

The salt is derived from the e-mail with a server-side key (HMAC), so one learner has the same
hash at every provider (stacking across providers needs that) while nobody without the key can
precompute hashes of guessed addresses. The salt travels in the credential, as OB 3.0 requires,
so a verifier given the e-mail can still check the binding.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

SALT_HEX_CHARS = 32


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class Learner:
    """``learner_ref`` is what events and indexes use: the identity hash, or the learner's DID."""

    learner_ref: str
    did: str | None = None
    identity_hash: str | None = None
    salt: str | None = None
    name: str | None = None

    def subject_fields(self) -> dict[str, Any]:
        """The AchievementSubject fields that identify the learner."""
        if self.did:
            return {"id": self.did}
        return {
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": self.identity_hash,
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": self.salt,
                }
            ]
        }


def learner_from_email(email: str, salt_key: bytes, name: str | None = None) -> Learner:
    address = normalise_email(email)
    salt = hmac.new(salt_key, address.encode(), hashlib.sha256).hexdigest()[:SALT_HEX_CHARS]
    identity_hash = "sha256$" + hashlib.sha256((address + salt).encode()).hexdigest()
    return Learner(learner_ref=identity_hash, identity_hash=identity_hash, salt=salt, name=name)


def learner_from_did(did: str, name: str | None = None) -> Learner:
    return Learner(learner_ref=did, did=did, name=name)


def learner_from_subject(subject: dict[str, Any], learner_ref: str) -> Learner:
    """The learner of an issued credential (a stacked credential names the same learner)."""
    if "id" in subject:
        return learner_from_did(str(subject["id"]))
    identity = subject["identifier"][0]
    return Learner(learner_ref, identity_hash=identity["identityHash"], salt=identity["salt"])
