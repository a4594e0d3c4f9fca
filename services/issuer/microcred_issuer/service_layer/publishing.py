"""What issuing a completion and awarding a pathway share once signed: storing a credential
together with the events that announce it (one atomic write)."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_shared.events import Topic
from microcred_shared.events.contracts.credentials import (
    CredentialIssuedV2,
    LearnerNoticeV1,
)
from microcred_shared.events.registry import CREDENTIAL_ISSUED, LEARNER_NOTICE

from ..domain.model import Provider
from ..domain.records import IssuedCredential
from .keys import SOURCE
from .learner_access import WalletLinks
from .ports import (
    Clock,
    Credentials,
    IssuanceMetrics,
    NewCredential,
    OutgoingEvent,
    Wake,
)
from .urls import IssuerUrls


class Publishing:
    """Stores credentials together with the events that announce them (one write each)."""

    def __init__(
        self,
        *,
        credentials: Credentials,
        urls: IssuerUrls,
        wallet_links: WalletLinks,
        clock: Clock,
        wake: Wake,
        metrics: IssuanceMetrics,
    ) -> None:
        self._credentials = credentials
        self._urls = urls
        self._wallet_links = wallet_links
        self._clock = clock
        self._wake = wake
        self._metrics = metrics

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
        created = await self._credentials.add_many(
            [
                NewCredential(credential, self._events(credential, provider, email))
                for credential, provider, email in items
            ]
        )
        for (credential, _, _), new in zip(items, created, strict=True):
            if new:
                self._metrics.issued(credential.kind)
        if any(created):
            self._wake()
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
            links=self._urls.links(credential.credential_id),
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
        wallet = self._wallet_links.with_notice(credential.learner_ref, self._clock.now())
        data = LearnerNoticeV1(
            credential_id=credential.credential_id,
            kind=credential.kind,
            email=email,
            achievement_name=credential.achievement_name,
            provider_name=provider.name,
            page_url=self._urls.page(credential.credential_id),
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
