"""Completion in, exactly one signed credential out (with its events, in the same write)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from ..domain.credentials import CredentialFacts, build_credential
from ..domain.errors import (
    Forbidden,
    ForeignAchievement,
    IssuerError,
    ProviderNotTrusted,
    RetiredAchievement,
    UnknownAchievement,
    UnknownProvider,
)
from ..domain.free_text import credential_texts, refuse_personal_data
from ..domain.identity import Learner, learner_from_did, learner_from_email
from ..domain.ids import CredentialIds
from ..domain.model import Achievement, Provider
from ..domain.records import IssuedCredential
from .commands import IssueCompletion
from .publishing import Publishing
from .stacking import Stacking


@dataclass(frozen=True)
class IssueOutcome:
    credential_id: str
    created: bool


class CompletionHandler:
    def __init__(
        self, publishing: Publishing, stacking: Stacking, ids: CredentialIds, salt_key: bytes
    ) -> None:
        self._p = publishing
        self._stacking = stacking
        self._ids = ids
        self._salt_key = salt_key

    async def issue(self, command: IssueCompletion) -> IssueOutcome:
        try:
            return await self._issue(command)
        except IssuerError as error:
            self._p.metrics.rejected(error.code)
            raise

    async def _issue(self, command: IssueCompletion) -> IssueOutcome:
        if command.acting_provider_id not in (None, command.provider_id):
            raise Forbidden("a provider may report completions of its own courses only")
        credential_id = self._ids.of_completion(command.provider_id, command.completion_id)
        # Independent reads in parallel: each is a database round trip.
        existing, maybe_provider, maybe_achievement = await asyncio.gather(
            self._p.credentials.get(credential_id),
            self._p.catalogue.provider(command.provider_id),
            self._p.catalogue.achievement(command.achievement_id),
        )
        if existing is not None:
            # A redelivery: nothing new, but finish stacking in case we crashed before it.
            await self._stacking.after_earning(existing)
            return IssueOutcome(credential_id, created=False)
        refuse_personal_data(
            credential_texts(command.results, command.evidence), command.learner_name
        )
        provider, achievement = _eligible(command, maybe_provider, maybe_achievement)
        learner = self._learner(command)
        credential = await self._build(command, credential_id, provider, achievement, learner)
        created = await self._p.store(credential, provider, command.learner_email)
        stored = credential if created else await self._p.credentials.get(credential_id)
        if stored is not None:
            await self._stacking.after_earning(stored)
        return IssueOutcome(credential_id, created=created)

    def _learner(self, command: IssueCompletion) -> Learner:
        if command.learner_did:
            return learner_from_did(command.learner_did, command.learner_name)
        if command.learner_email:
            return learner_from_email(command.learner_email, self._salt_key, command.learner_name)
        raise ValueError("a completion names its learner by e-mail or DID")

    async def _build(
        self,
        command: IssueCompletion,
        credential_id: str,
        provider: Provider,
        achievement: Achievement,
        learner: Learner,
    ) -> IssuedCredential:
        keyring, slot = await asyncio.gather(
            self._p.keys.ensure(provider.provider_id),
            self._p.allocator.allocate(provider.provider_id, credential_id),
        )
        now = self._p.clock.now()
        valid_until = now + timedelta(days=self._p.validity_days) if self._p.validity_days else None
        facts = CredentialFacts(
            credential_url=self._p.urls.credential(credential_id),
            achievement_url=self._p.urls.achievement(achievement.achievement_id),
            issuer_did=keyring.did,
            learner=learner,
            valid_from=now,
            valid_until=valid_until,
            completed_on=command.completed_on,
            results=command.results,
            evidence=command.evidence,
            status_entries=self._p.status_entries(slot),
        )
        document = self._p.sign_credential(
            build_credential(provider, achievement, facts), keyring, now
        )
        return IssuedCredential(
            credential_id=credential_id,
            kind="completion",
            provider_id=provider.provider_id,
            achievement_id=achievement.achievement_id,
            achievement_name=achievement.name,
            learner_ref=learner.learner_ref,
            issuer_did=keyring.did,
            issued_at=now,
            valid_until=valid_until,
            slot=slot,
            document=document,
            ects=achievement.ects,
            eqf_level=achievement.eqf_level,
            isced_f_code=achievement.isced_f_code,
            completion_id=command.completion_id,
            sealed_email=self._p.vault.seal_text(command.learner_email)
            if command.learner_email
            else None,
        )


def _eligible(
    command: IssueCompletion, provider: Provider | None, achievement: Achievement | None
) -> tuple[Provider, Achievement]:
    """Both, when this provider may issue this achievement now; else the reason it may not."""
    if provider is None:
        raise UnknownProvider(f"provider {command.provider_id!r} is not in the catalogue")
    if not provider.trusted:
        raise ProviderNotTrusted(f"provider {command.provider_id!r} is suspended")
    if achievement is None:
        raise UnknownAchievement(f"achievement {command.achievement_id!r} is not known")
    if achievement.provider_id != command.provider_id:
        raise ForeignAchievement(
            f"achievement {command.achievement_id!r} belongs to provider "
            f"{achievement.provider_id!r}, not {command.provider_id!r}"
        )
    if not achievement.active:
        raise RetiredAchievement(f"achievement {command.achievement_id!r} is retired")
    return provider, achievement
