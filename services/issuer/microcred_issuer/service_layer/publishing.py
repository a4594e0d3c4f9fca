"""What issuing a completion and awarding a pathway share: signing, status entries, and storing
a credential together with the events that announce it (one atomic write)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from microcred_shared.events import Topic
from microcred_shared.events.contracts.credentials import (
    CredentialIssuedV2,
    CredentialLinks,
    LearnerNoticeV1,
)
from microcred_shared.events.registry import CREDENTIAL_ISSUED, LEARNER_NOTICE
from microcred_shared.openbadges import validate_achievement_credential

from ..domain.errors import InvalidCredential
from ..domain.keyring import Keyring
from ..domain.model import Provider
from ..domain.records import IssuedCredential
from ..domain.status_list import StatusSlot, status_entry
from .keys import SOURCE, KeyHandlers
from .learner_access import WalletLinks
from .ports import (
    CatalogueView,
    Clock,
    Credentials,
    IssuanceMetrics,
    KeyVault,
    NewCredential,
    OutgoingEvent,
    Signer,
    StatusSlots,
    Wake,
)
from .slots import SlotAllocator
from .status_lists import StatusLists
from .urls import IssuerUrls


class Publishing:
    def __init__(
        self,
        *,
        catalogue: CatalogueView,
        credentials: Credentials,
        slots: StatusSlots,
        status_lists: StatusLists,
        keys: KeyHandlers,
        vault: KeyVault,
        signer: Signer,
        urls: IssuerUrls,
        wallet_links: WalletLinks,
        clock: Clock,
        wake: Wake,
        metrics: IssuanceMetrics,
        list_size: int,
        validity_days: int | None = None,
        suspension_entry: bool = False,
    ) -> None:
        self.catalogue = catalogue
        self.credentials = credentials
        self.slots = slots
        self.keys = keys
        self.vault = vault
        self.signer = signer
        self.urls = urls
        self.wallet_links = wallet_links
        self.clock = clock
        self.wake = wake
        self.metrics = metrics
        self.validity_days = validity_days
        self.suspension_entry = suspension_entry
        self.allocator = SlotAllocator(slots, list_size, status_lists.open)

    def status_entries(self, slot: StatusSlot) -> list[dict[str, Any]]:
        entries = [
            status_entry(
                self.urls.status_list(slot.list_id("revocation")), "revocation", slot.index
            )
        ]
        if self.suspension_entry:
            suspension_url = self.urls.status_list(slot.list_id("suspension"))
            entries.append(status_entry(suspension_url, "suspension", slot.index))
        return entries

    def sign(self, document: dict[str, Any], keyring: Keyring, at: datetime) -> dict[str, Any]:
        return self.signer.sign(document, self.vault.signing_key(keyring), at)

    def sign_credential(
        self, document: dict[str, Any], keyring: Keyring, at: datetime
    ) -> dict[str, Any]:
        """Sign an OpenBadgeCredential, refusing one the official OB 3.0 schema rejects."""
        signed = self.sign(document, keyring, at)
        status = signed.get("credentialStatus")
        # Two status entries (revocation + suspension) are valid VC 2.0; the OB 3.0 schema's
        # only objection to them is the array shape, so each entry is checked as the one it wants.
        checked = {**signed, "credentialStatus": status[0]} if isinstance(status, list) else signed
        errors = validate_achievement_credential(checked)
        if errors:
            raise InvalidCredential("; ".join(str(error) for error in errors[:5]))
        return signed

    async def store(
        self, credential: IssuedCredential, provider: Provider, email: str | None
    ) -> bool:
        return (await self.store_many([(credential, provider, email)]))[0]

    async def store_many(
        self, items: Sequence[tuple[IssuedCredential, Provider, str | None]]
    ) -> list[bool]:
        """Store each credential with its ``credentials.issued`` (and learner notice) events;
        per credential, False when it already exists (then nothing is written or announced)."""
        if not items:
            return []
        created = await self.credentials.add_many(
            [
                NewCredential(credential, self._events(credential, provider, email))
                for credential, provider, email in items
            ]
        )
        for (credential, _, _), new in zip(items, created, strict=True):
            if new:
                self.metrics.issued(credential.kind)
        if any(created):
            self.wake()
        return created

    def _events(
        self, credential: IssuedCredential, provider: Provider, email: str | None
    ) -> list[OutgoingEvent]:
        events = [self.issued_event(credential)]
        if email:
            events.append(self.notice_event(credential, provider, email))
        return events

    def issued_event(self, credential: IssuedCredential) -> OutgoingEvent:
        data = CredentialIssuedV2(
            credential_id=credential.credential_id,
            kind=credential.kind,
            learner_ref=credential.learner_ref,
            provider_id=credential.provider_id,
            issuer_did=credential.issuer_did,
            achievement_id=credential.achievement_id,
            achievement_name=credential.achievement_name,
            ects=credential.ects,
            eqf_level=credential.eqf_level,
            isced_f_code=credential.isced_f_code,
            valid_from=credential.issued_at,
            valid_until=credential.valid_until,
            pathway_id=credential.pathway_id,
            component_credential_ids=list(credential.component_credential_ids),
            links=CredentialLinks(
                json_url=self.urls.credential(credential.credential_id),
                page_url=self.urls.page(credential.credential_id),
            ),
        )
        event = CREDENTIAL_ISSUED.envelope(
            data,
            source=SOURCE,
            subject=credential.credential_id,
            event_id=f"credential-issued:{credential.credential_id}",
        )
        return OutgoingEvent(Topic.CREDENTIALS_ISSUED, credential.learner_ref, event)

    def notice_event(
        self, credential: IssuedCredential, provider: Provider, email: str
    ) -> OutgoingEvent:
        wallet = self.wallet_links.with_notice(credential.learner_ref, self.clock.now())
        data = LearnerNoticeV1(
            credential_id=credential.credential_id,
            kind=credential.kind,
            email=email,
            achievement_name=credential.achievement_name,
            provider_name=provider.name,
            page_url=self.urls.page(credential.credential_id),
            wallet_url=wallet.url,
            wallet_url_expires_at=wallet.expires_at,
        )
        event = LEARNER_NOTICE.envelope(
            data,
            source=SOURCE,
            subject=credential.credential_id,
            event_id=f"learner-notice:{credential.credential_id}",
        )
        return OutgoingEvent(Topic.CREDENTIALS_LEARNER_NOTICES, credential.learner_ref, event)
