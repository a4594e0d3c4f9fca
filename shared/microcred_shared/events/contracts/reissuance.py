"""What the issuer publishes when it signs a credential again (after a key compromise)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import Contract
from .credentials import CredentialLinks


class CredentialReissuedV1(Contract):
    """The credential keeps its id, status entry and content; only its proof is new. Holders and
    universities fetch the new copy from the same ``links`` (the old copy no longer verifies).
    Never carries the learner's e-mail: ``learner_ref`` is what the credential itself holds."""

    # The identity fields repeat credential.issued's on purpose: a frozen contract states its
    # own fields (inheriting them would tie this schema to the other contract's versions).

    credential_id: str
    kind: Literal["completion", "stacked"]
    learner_ref: str
    provider_id: str
    issuer_did: str
    achievement_id: str
    reason: Literal["key_compromised"] = "key_compromised"
    replaced_verification_method: str = Field(description="the compromised key it was signed with")
    verification_method: str = Field(description="the key that signed the new copy")
    reissued_at: datetime
    links: CredentialLinks
