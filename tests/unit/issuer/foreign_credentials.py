"""Credentials another platform issued, signed under its own did:key, for the learner to store
through the Open Badges API (the unit and e2e tests of upsertCredential)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from microcred_shared.crypto import Ed25519Multikey
from microcred_shared.crypto.proofs import sign


def foreign_credential(email: str, key: Ed25519Multikey, salt: str = "pepper") -> dict[str, Any]:
    """An AchievementCredential another platform issued under its did:key."""
    identity_hash = "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{secrets.token_hex(16)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": key.controller, "type": ["Profile"], "name": "Elsewhere Academy"},
        "validFrom": "2025-04-01T00:00:00Z",
        "name": "Welding basics",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash,
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": {
                "id": "https://elsewhere.example/achievements/welding",
                "type": ["Achievement"],
                "name": "Welding basics",
                "description": "Welds a butt joint.",
                "criteria": {"narrative": "Passed the practical."},
            },
        },
    }
    return sign(document, key, suite="eddsa-jcs-2022")
