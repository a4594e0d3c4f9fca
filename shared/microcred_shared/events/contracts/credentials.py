"""What the issuer publishes about credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import Contract


class CredentialLinks(Contract):
    json_url: str = Field(description="the signed credential (VC JSON)")
    page_url: str = Field(description="the learner's shareable page")


class CredentialIssuedV1(Contract):
    """An issued credential, as a university needs it. Never carries the learner's e-mail:
    ``learner_ref`` is the salted hash or DID that is in the credential itself."""

    credential_id: str
    kind: Literal["completion", "stacked"]
    learner_ref: str
    provider_id: str
    issuer_did: str
    achievement_id: str
    achievement_name: str
    ects: float | None = None
    eqf_level: int | None = None
    isced_f_code: str | None = None
    valid_from: datetime
    valid_until: datetime | None = None
    completion_id: str | None = None
    pathway_id: str | None = None
    component_credential_ids: list[str] = Field(default_factory=list)
    links: CredentialLinks


class LearnerNoticeV1(Contract):
    """Private to the notifier: who to e-mail about a new credential.

    ``wallet_url`` and ``wallet_url_expires_at`` were added later (an additive change, so the
    same type): notices from older issuers lack them and their e-mail has no wallet link."""

    credential_id: str
    kind: Literal["completion", "stacked"]
    email: str
    learner_name: str | None = None
    achievement_name: str
    provider_name: str
    page_url: str
    wallet_url: str | None = Field(
        default=None, description="a signed, expiring link that opens all the learner's credentials"
    )
    wallet_url_expires_at: datetime | None = None


class LearnerAccessLinkV1(Contract):
    """Private to the notifier: the wallet link a learner asked for, to be e-mailed to them."""

    email: str
    wallet_url: str = Field(description="a signed, expiring link that opens the learner's wallet")
    expires_at: datetime


class CredentialStatusChangedV1(Contract):
    credential_id: str
    provider_id: str
    achievement_id: str
    learner_ref: str
    status: Literal["active", "revoked", "suspended"]
    reason: str | None = None
    status_list_credential: str
    status_list_index: int = Field(ge=0)
    status_purpose: Literal["revocation", "suspension"]
    sequence: int = Field(ge=1, description="orders changes of one credential")
    changed_at: datetime
