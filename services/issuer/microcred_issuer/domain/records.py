"""An issued credential as the issuer keeps it: the signed document and its status."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from .errors import InvalidStatusChange
from .status_list import StatusSlot

CredentialKind = Literal["completion", "stacked"]
CredentialStatus = Literal["active", "revoked", "suspended"]
StatusAction = Literal["revoke", "suspend", "reinstate"]

_TRANSITIONS: dict[tuple[CredentialStatus, StatusAction], CredentialStatus] = {
    ("active", "revoke"): "revoked",
    ("suspended", "revoke"): "revoked",
    ("active", "suspend"): "suspended",
    ("suspended", "reinstate"): "active",
}
_ALREADY: dict[StatusAction, CredentialStatus] = {
    "revoke": "revoked",
    "suspend": "suspended",
    "reinstate": "active",
}


@dataclass(frozen=True)
class IssuedCredential:
    credential_id: str
    kind: CredentialKind
    provider_id: str
    achievement_id: str
    achievement_name: str
    learner_ref: str
    issuer_did: str
    issued_at: datetime
    valid_until: datetime | None
    slot: StatusSlot
    document: dict[str, Any]
    ects: float | None = None
    eqf_level: int | None = None
    isced_f_code: str | None = None
    completion_id: str | None = None
    pathway_id: str | None = None
    component_credential_ids: tuple[str, ...] = ()
    sealed_email: str | None = None  # for the learner's e-mail on a later stacked award
    status: CredentialStatus = "active"
    status_reason: str | None = None
    status_sequence: int = 1
    status_changed_at: datetime | None = None
    reissued_at: datetime | None = None  # signed again (same id and content) after a compromise
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def counts_for_stacking(self) -> bool:
        return self.status != "revoked"

    def status_change(
        self, action: StatusAction, reason: str | None, at: datetime
    ) -> IssuedCredential | None:
        """The credential after ``action``; None when it is already in that state."""
        if self.status == _ALREADY[action]:
            return None
        target = _TRANSITIONS.get((self.status, action))
        if target is None:
            raise InvalidStatusChange(f"cannot {action} a credential that is {self.status}")
        return replace(
            self,
            status=target,
            status_reason=reason,
            status_sequence=self.status_sequence + 1,
            status_changed_at=at,
        )
