"""Drafts become signed credentials: the issuer's keyring, a status slot each, the OB 3.0
document, its proof, and the official schema's check, for many drafts of one issuer at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from microcred_shared.openbadges import validate_achievement_credential

from ..domain.credentials import CredentialFacts, build_credential
from ..domain.endorsements import target_key
from ..domain.errors import InvalidCredential, IssuerError
from ..domain.issuance import CredentialDraft, issued_credential
from ..domain.keyring import Keyring
from ..domain.records import IssuedCredential
from ..domain.status_list import StatusSlot, status_entry
from .keys import KeyHandlers
from .ports import Clock, KeyVault, Signer
from .ports_endorsements import EndorsementStore
from .slots import SlotAllocator
from .urls import IssuerUrls


@dataclass(frozen=True)
class Endorsed:
    """The signed endorsements a credential embeds: of its achievement, of its issuer."""

    achievement: Sequence[dict[str, Any]] = ()
    issuer: Sequence[dict[str, Any]] = ()


class Minting:
    def __init__(
        self,
        *,
        keys: KeyHandlers,
        allocator: SlotAllocator,
        endorsements: EndorsementStore,
        signer: Signer,
        vault: KeyVault,
        urls: IssuerUrls,
        clock: Clock,
        validity_days: int | None = None,
        suspension_entry: bool = False,
    ) -> None:
        self._keys = keys
        self._allocator = allocator
        self._endorsements = endorsements
        self._signer = signer
        self._vault = vault
        self._urls = urls
        self._clock = clock
        self._validity = timedelta(days=validity_days) if validity_days else None
        self._suspension_entry = suspension_entry

    async def mint_many(
        self, issuer_id: str, drafts: Sequence[CredentialDraft]
    ) -> list[IssuedCredential | IssuerError]:
        """Each draft signed by ``issuer_id``'s current key, in order; a draft the schema
        refuses is answered with its error alone."""
        # The endorsements active now, read once per batch (one document per target).
        targets = {target_key("provider", issuer_id)} | {
            target_key("achievement", d.achievement.achievement_id) for d in drafts
        }
        keyring, slots, endorsements = await asyncio.gather(
            self._keys.ensure(issuer_id),
            self._allocator.allocate_many(issuer_id, [d.credential_id for d in drafts]),
            self._endorsements.active_for(sorted(targets)),
        )
        now = self._clock.now()
        minted: list[IssuedCredential | IssuerError] = []
        for draft in drafts:
            try:
                endorsed = Endorsed(
                    achievement=endorsements.get(
                        target_key("achievement", draft.achievement.achievement_id), []
                    ),
                    issuer=endorsements.get(target_key("provider", issuer_id), []),
                )
                slot = slots[draft.credential_id]
                minted.append(self._mint(draft, keyring, slot, now, endorsed))
            except IssuerError as error:
                minted.append(error)
        return minted

    def sign_credential(
        self, document: dict[str, Any], keyring: Keyring, at: datetime
    ) -> dict[str, Any]:
        """Sign an OpenBadgeCredential, refusing one the official OB 3.0 schema rejects."""
        signed = self._signer.sign(document, self._vault.signing_key(keyring), at)
        status = signed.get("credentialStatus")
        # Two status entries (revocation + suspension) are valid VC 2.0; the OB 3.0 schema's
        # only objection to them is the array shape, so each entry is checked as the one it wants.
        checked = {**signed, "credentialStatus": status[0]} if isinstance(status, list) else signed
        errors = validate_achievement_credential(checked)
        if errors:
            raise InvalidCredential("; ".join(str(error) for error in errors[:5]))
        return signed

    def _mint(
        self,
        draft: CredentialDraft,
        keyring: Keyring,
        slot: StatusSlot,
        now: datetime,
        endorsed: Endorsed | None = None,
    ) -> IssuedCredential:
        valid_until = now + self._validity if draft.expires and self._validity else None
        facts = CredentialFacts(
            credential_url=self._urls.credential(draft.credential_id),
            achievement_url=self._urls.achievement(draft.achievement.achievement_id),
            issuer_did=keyring.did,
            learner=draft.learner,
            valid_from=now,
            valid_until=valid_until,
            completed_on=draft.completed_on,
            results=draft.results,
            evidence=draft.evidence,
            status_entries=self._status_entries(slot),
            extra_evidence=draft.extra_evidence,
            achievement_endorsements=endorsed.achievement if endorsed else (),
            issuer_endorsements=endorsed.issuer if endorsed else (),
        )
        document = build_credential(draft.issuer, draft.achievement, facts)
        return issued_credential(
            draft,
            document=self.sign_credential(document, keyring, now),
            issuer_did=keyring.did,
            slot=slot,
            issued_at=now,
            valid_until=valid_until,
        )

    def _status_entries(self, slot: StatusSlot) -> list[dict[str, Any]]:
        entries = [
            status_entry(
                self._urls.status_list(slot.list_id("revocation")), "revocation", slot.index
            )
        ]
        if self._suspension_entry:
            suspension_url = self._urls.status_list(slot.list_id("suspension"))
            entries.append(status_entry(suspension_url, "suspension", slot.index))
        return entries
