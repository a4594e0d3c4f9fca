"""Endorsements: a partner company's signed statement about an achievement or a provider, as an
Open Badges 3.0 ``EndorsementCredential`` (issuer: the partner's profile and DID; subject: an
``EndorsementSubject`` naming what is endorsed, with the partner's ``endorsementComment``).

An endorsement carries a status entry in the partner's own revocation list, so the partner can
withdraw it and every verifier sees that from the list alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from microcred_shared.crypto.dates import format_datetime

from .credentials import CREDENTIAL_CONTEXTS, issuer_profile
from .model import Provider
from .status_list import StatusSlot

TargetKind = Literal["achievement", "provider"]
EndorsementState = Literal["active", "withdrawn"]
# The provider type a partner company is registered with: only partners endorse.
ENDORSER_TYPE = "company"
# The credentials' contexts: the endorser's profile says its type and accreditation in the
# project's EU terms, which JSON-LD (eddsa-rdfc-2022) must be able to read.
ENDORSEMENT_CONTEXTS = CREDENTIAL_CONTEXTS
_NAMESPACE = uuid.UUID("6f1b2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b")


@dataclass(frozen=True)
class EndorsementTarget:
    kind: TargetKind
    target_id: str  # the catalogue's id of the achievement or provider
    owner_id: str  # the provider endorsed, or whose achievement is endorsed
    url: str  # the id the credential gives it (the achievement's URL, the provider's DID)
    name: str


def endorsement_id(endorser_id: str, kind: TargetKind, target_id: str, request_id: str) -> str:
    """One endorsement per partner, target and request: the same request names the same one.
    Nothing here is personal data, so a name-based UUID (v5) is enough."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join((endorser_id, kind, target_id, request_id))))


@dataclass(frozen=True)
class Endorsement:
    endorsement_id: str
    endorser_id: str
    endorser_name: str
    endorser_did: str
    target_kind: TargetKind
    target_id: str
    target_provider_id: str
    comment: str
    document: dict[str, Any]  # the signed EndorsementCredential
    slot: StatusSlot
    issued_at: datetime
    status: EndorsementState = "active"
    sequence: int = 1  # 1 given, 2 withdrawn
    withdrawn_at: datetime | None = None

    @property
    def target_key(self) -> str:
        return target_key(self.target_kind, self.target_id)

    def withdrawn(self, at: datetime) -> Endorsement | None:
        """The endorsement withdrawn, or None if it already is (nothing changes twice)."""
        if self.status == "withdrawn":
            return None
        return replace(self, status="withdrawn", sequence=self.sequence + 1, withdrawn_at=at)


def target_key(kind: TargetKind, target_id: str) -> str:
    return f"{kind}:{target_id}"


def endorsement_credential(
    *,
    credential_url: str,
    endorser: Provider,
    endorser_did: str,
    target: EndorsementTarget,
    comment: str,
    valid_from: datetime,
    status_entry: dict[str, Any],
) -> dict[str, Any]:
    """The unsigned EndorsementCredential (valid against the official OB 3.0 schema)."""
    return {
        "@context": list(ENDORSEMENT_CONTEXTS),
        "id": credential_url,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"{endorser.name} endorses {target.name}",
        "issuer": issuer_profile(endorser, endorser_did),
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": target.url,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
        "credentialStatus": status_entry,
    }
