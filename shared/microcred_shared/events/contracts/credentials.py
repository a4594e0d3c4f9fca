"""What the issuer publishes about credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from .base import Contract


class CredentialLinks(Contract):
    json_url: str = Field(description="the signed credential (VC JSON)")
    page_url: str = Field(description="the learner's shareable page")


class _CredentialIssuedFacts(Contract):
    """What every version of ``credential.issued`` says."""

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
    pathway_id: str | None = None
    component_credential_ids: list[str] = Field(default_factory=list)
    links: CredentialLinks


class CredentialIssuedV2(_CredentialIssuedFacts):
    """An issued credential, as a university needs it, and nothing personal: ``learner_ref``
    is the salted hash or DID that is in the credential itself, and the provider's own
    completion id (free text that may carry the learner's e-mail) stays inside the issuer.
    ``credential_id`` is the opaque stand-in for it: one per completion, derived under an issuer
    key, so no guessed completion id or e-mail can be tested against it."""


class CredentialIssuedV1(_CredentialIssuedFacts):
    """Superseded by v2: it copied the provider's ``completion_id``, which may carry the
    learner's e-mail. Still read, upgraded, while the topic retains such events."""

    completion_id: str | None = None

    def upgraded(self) -> CredentialIssuedV2:
        return CredentialIssuedV2.model_validate(self.model_dump(exclude={"completion_id"}))


def current_issued(data: CredentialIssuedV1 | CredentialIssuedV2) -> CredentialIssuedV2:
    """Any version of ``credential.issued`` as the current one (what consumers handle)."""
    return data.upgraded() if isinstance(data, CredentialIssuedV1) else data


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


class StatusListPublishedV1(Contract):
    """A provider's status list as its issuer signed it: the same BitstringStatusListCredential
    served at ``list_url``. Published when the list is opened (before any credential names it)
    and whenever its bits or signing key change; the highest ``sequence`` per list is current."""

    list_id: str = Field(description="e.g. 'hollin-tu.revocation.1': provider, purpose, shard")
    provider_id: str
    status_purpose: Literal["revocation", "suspension"]
    list_url: str = Field(description="the statusListCredential URL credentials name")
    sequence: int = Field(ge=1, description="orders the snapshots of one list")
    list_credential: dict[str, Any] = Field(
        description="the signed BitstringStatusListCredential (its id is list_url)"
    )
    published_at: datetime

    @model_validator(mode="after")
    def _names_its_own_url(self) -> StatusListPublishedV1:
        # Verifiers file the list under this URL: it must be the one the issuer signed.
        if self.list_credential.get("id") != self.list_url:
            raise ValueError("list_url is not the id of the list credential")
        return self
