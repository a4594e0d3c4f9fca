"""Completion in, exactly one signed credential out (with its events, in the same write)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

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
from ..domain.keyring import Keyring
from ..domain.model import Achievement, Provider
from ..domain.records import IssuedCredential
from ..domain.status_list import StatusSlot
from .commands import IssueCompletion
from .publishing import Publishing
from .stacking import Stacking

_Entry = TypeVar("_Entry")


@dataclass(frozen=True)
class IssueOutcome:
    credential_id: str
    created: bool


# Per completion of a batch: its outcome, or why it was not issued (an IssuerError is final;
# any other exception may pass if retried).
IssueResult = IssueOutcome | Exception


@dataclass(frozen=True)
class _Candidate:
    """A completion that may be issued: everything its credential needs but key and slot."""

    command: IssueCompletion
    credential_id: str
    provider: Provider
    achievement: Achievement
    learner: Learner


class CompletionHandler:
    def __init__(
        self, publishing: Publishing, stacking: Stacking, ids: CredentialIds, salt_key: bytes
    ) -> None:
        self._p = publishing
        self._stacking = stacking
        self._ids = ids
        self._salt_key = salt_key

    async def issue(self, command: IssueCompletion) -> IssueOutcome:
        result = (await self.issue_many([command]))[0]
        if isinstance(result, Exception):
            raise result
        return result

    async def issue_many(self, commands: Sequence[IssueCompletion]) -> list[IssueResult]:
        """Each completion's one credential, the batch's reads and writes done together: a
        completion refused (or failing) alone does not hold back the others."""
        ids = [self._ids.of_completion(c.provider_id, c.completion_id) for c in commands]
        existing, providers, achievements = await asyncio.gather(
            self._p.credentials.get_many(ids),
            self._catalogue_entries(self._p.catalogue.provider, {c.provider_id for c in commands}),
            self._catalogue_entries(
                self._p.catalogue.achievement, {c.achievement_id for c in commands}
            ),
        )
        results: dict[str, IssueResult] = {}
        candidates: dict[str, _Candidate] = {}
        for command, credential_id in zip(commands, ids, strict=True):
            if credential_id in results or credential_id in candidates:
                continue  # the same completion twice in one batch: answered as the first
            if credential_id in existing:
                results[credential_id] = IssueOutcome(credential_id, created=False)
                continue
            decided = self._candidate(command, credential_id, providers, achievements)
            if isinstance(decided, _Candidate):
                candidates[credential_id] = decided
            else:
                results[credential_id] = decided
        stored = await self._issue_candidates(list(candidates.values()), results)
        # Redeliveries too: finish stacking in case we crashed before it.
        await self._stacking.after_earning_many([*existing.values(), *stored])
        return self._answers(results, ids)

    def _answers(self, results: dict[str, IssueResult], ids: list[str]) -> list[IssueResult]:
        """In the commands' order; a completion repeated within the batch was created (if at
        all) by its first occurrence."""
        answers: list[IssueResult] = []
        answered: set[str] = set()
        for credential_id in ids:
            result = results[credential_id]
            if isinstance(result, IssueOutcome) and credential_id in answered:
                result = IssueOutcome(credential_id, created=False)
            if isinstance(result, IssuerError):
                self._p.metrics.rejected(result.code)
            answered.add(credential_id)
            answers.append(result)
        return answers

    @staticmethod
    async def _catalogue_entries(
        read: Callable[[str], Awaitable[_Entry | None]], entry_ids: set[str]
    ) -> dict[str, _Entry]:
        ordered = sorted(entry_ids)
        found = await asyncio.gather(*(read(entry_id) for entry_id in ordered))
        return {e: entry for e, entry in zip(ordered, found, strict=True) if entry is not None}

    def _candidate(
        self,
        command: IssueCompletion,
        credential_id: str,
        providers: dict[str, Provider],
        achievements: dict[str, Achievement],
    ) -> _Candidate | Exception:
        try:
            if command.acting_provider_id not in (None, command.provider_id):
                raise Forbidden("a provider may report completions of its own courses only")
            refuse_personal_data(
                credential_texts(command.results, command.evidence), command.learner_name
            )
            provider, achievement = _eligible(
                command,
                providers.get(command.provider_id),
                achievements.get(command.achievement_id),
            )
            return _Candidate(command, credential_id, provider, achievement, self._learner(command))
        except Exception as error:  # the completion's own answer; the batch goes on
            return error

    def _learner(self, command: IssueCompletion) -> Learner:
        if command.learner_did:
            return learner_from_did(command.learner_did, command.learner_name)
        if command.learner_email:
            return learner_from_email(command.learner_email, self._salt_key, command.learner_name)
        raise ValueError("a completion names its learner by e-mail or DID")

    async def _issue_candidates(
        self, candidates: list[_Candidate], results: dict[str, IssueResult]
    ) -> list[IssuedCredential]:
        """Sign and store the candidates' credentials, recording each one's result; the
        credentials now stored (those another replica stored first, as stored)."""
        built: list[tuple[IssuedCredential, _Candidate]] = []
        for provider_id, group in _by_provider(candidates).items():
            keyring, slots = await asyncio.gather(
                self._p.keys.ensure(provider_id),
                self._p.allocator.allocate_many(provider_id, [c.credential_id for c in group]),
            )
            now = self._p.clock.now()
            for candidate in group:
                try:
                    credential = self._build(
                        candidate, keyring, slots[candidate.credential_id], now
                    )
                except IssuerError as error:
                    results[candidate.credential_id] = error
                    continue
                built.append((credential, candidate))
        created = await self._p.store_many(
            [(credential, c.provider, c.command.learner_email) for credential, c in built]
        )
        lost = [
            credential.credential_id
            for (credential, _), new in zip(built, created, strict=True)
            if not new
        ]
        theirs = await self._p.credentials.get_many(lost) if lost else {}
        stored: list[IssuedCredential] = []
        for (credential, _), new in zip(built, created, strict=True):
            results[credential.credential_id] = IssueOutcome(credential.credential_id, new)
            kept = credential if new else theirs.get(credential.credential_id)
            if kept is not None:
                stored.append(kept)
        return stored

    def _build(
        self, candidate: _Candidate, keyring: Keyring, slot: StatusSlot, now: datetime
    ) -> IssuedCredential:
        command, credential_id = candidate.command, candidate.credential_id
        provider, achievement, learner = (
            candidate.provider,
            candidate.achievement,
            candidate.learner,
        )
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


def _by_provider(candidates: list[_Candidate]) -> dict[str, list[_Candidate]]:
    grouped: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        grouped.setdefault(candidate.provider.provider_id, []).append(candidate)
    return grouped


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
