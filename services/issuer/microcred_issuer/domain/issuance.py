"""What a credential will say before it is signed, and the one place an issued credential is
assembled from it: a completion's credential and a pathway's award differ only in their draft."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .credentials import EvidenceItem, ResultLine
from .identity import Learner
from .model import Achievement, Provider
from .records import CredentialKind, IssuedCredential
from .status_list import StatusSlot


@dataclass(frozen=True)
class CredentialDraft:
    """``issuer``: the provider whose key signs (the completion's, or the pathway's owner);
    ``expires``: whether the deployment's validity period applies (awards do not expire)."""

    credential_id: str
    kind: CredentialKind
    issuer: Provider
    achievement: Achievement
    learner: Learner
    completed_on: date | None = None
    results: Sequence[ResultLine] = ()
    evidence: Sequence[EvidenceItem] = ()
    extra_evidence: Sequence[dict[str, Any]] = ()
    completion_id: str | None = None
    pathway_id: str | None = None
    component_credential_ids: tuple[str, ...] = ()
    sealed_email: str | None = None
    expires: bool = True


def issued_credential(
    draft: CredentialDraft,
    *,
    document: dict[str, Any],
    issuer_did: str,
    slot: StatusSlot,
    issued_at: datetime,
    valid_until: datetime | None,
) -> IssuedCredential:
    """The credential as the issuer keeps it, once ``document`` is the signed draft."""
    achievement = draft.achievement
    return IssuedCredential(
        credential_id=draft.credential_id,
        kind=draft.kind,
        provider_id=draft.issuer.provider_id,
        achievement_id=achievement.achievement_id,
        achievement_name=achievement.name,
        learner_ref=draft.learner.learner_ref,
        issuer_did=issuer_did,
        issued_at=issued_at,
        valid_until=valid_until,
        slot=slot,
        document=document,
        ects=achievement.ects,
        eqf_level=achievement.eqf_level,
        isced_f_code=achievement.isced_f_code,
        completion_id=draft.completion_id,
        pathway_id=draft.pathway_id,
        component_credential_ids=draft.component_credential_ids,
        sealed_email=draft.sealed_email,
    )
