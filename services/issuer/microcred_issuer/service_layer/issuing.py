"""Completion in, exactly one signed credential out (with its events, in the same write)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

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
from ..domain.issuance import CredentialDraft
from ..domain.model import Achievement, Provider
from ..domain.records import IssuedCredential
from .commands import IssueCompletion
from .minting import Minting
from .ports import CatalogueView, Credentials, IssuanceMetrics, KeyVault
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


class CompletionHandler:
    def __init__(
        self,
        *,
        catalogue: CatalogueView,
        credentials: Credentials,
        minting: Minting,
        publishing: Publishing,
        stacking: Stacking,
        vault: KeyVault,
        metrics: IssuanceMetrics,
        ids: CredentialIds,
        salt_key: bytes,
    ) -> None:
        self._catalogue = catalogue
        self._credentials = credentials
        self._minting = minting
        self._publishing = publishing
        self._stacking = stacking
        self._vault = vault
        self._metrics = metrics
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
            self._credentials.get_many(ids),
            self._catalogue_entries(self._catalogue.provider, {c.provider_id for c in commands}),
            self._catalogue_entries(
                self._catalogue.achievement, {c.achievement_id for c in commands}
            ),
        )
        results: dict[str, IssueResult] = {}
        drafts: dict[str, tuple[CredentialDraft, str | None]] = {}
        for command, credential_id in zip(commands, ids, strict=True):
            if credential_id in results or credential_id in drafts:
                continue  # the same completion twice in one batch: answered as the first
            if credential_id in existing:
                results[credential_id] = IssueOutcome(credential_id, created=False)
                continue
            decided = self._draft(command, credential_id, providers, achievements)
            if isinstance(decided, CredentialDraft):
                drafts[credential_id] = (decided, command.learner_email)
            else:
                results[credential_id] = decided
        stored = await self._issue_drafts(list(drafts.values()), results)
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
                self._metrics.rejected(result.code)
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

    def _draft(
        self,
        command: IssueCompletion,
        credential_id: str,
        providers: dict[str, Provider],
        achievements: dict[str, Achievement],
    ) -> CredentialDraft | Exception:
        """What the completion's credential will say, or why it gets none."""
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
            email = command.learner_email
            return CredentialDraft(
                credential_id=credential_id,
                kind="completion",
                issuer=provider,
                achievement=achievement,
                learner=self._learner(command),
                completed_on=command.completed_on,
                results=command.results,
                evidence=command.evidence,
                completion_id=command.completion_id,
                sealed_email=self._vault.seal_text(email) if email else None,
            )
        except Exception as error:  # the completion's own answer; the batch goes on
            return error

    def _learner(self, command: IssueCompletion) -> Learner:
        if command.learner_did:
            return learner_from_did(command.learner_did, command.learner_name)
        if command.learner_email:
            return learner_from_email(command.learner_email, self._salt_key, command.learner_name)
        raise ValueError("a completion names its learner by e-mail or DID")

    async def _issue_drafts(
        self,
        drafts: list[tuple[CredentialDraft, str | None]],
        results: dict[str, IssueResult],
    ) -> list[IssuedCredential]:
        """Sign and store the drafts' credentials (each with its learner's e-mail, for the
        notice), recording each one's result; the credentials now stored (those another
        replica stored first, as stored)."""
        minted: list[tuple[IssuedCredential, CredentialDraft, str | None]] = []
        for issuer_id, group in _by_issuer(drafts).items():
            signed = await self._minting.mint_many(issuer_id, [draft for draft, _ in group])
            for (draft, email), credential in zip(group, signed, strict=True):
                if isinstance(credential, IssuerError):
                    results[draft.credential_id] = credential
                else:
                    minted.append((credential, draft, email))
        created = await self._publishing.store_many(
            [(credential, draft.issuer, email) for credential, draft, email in minted]
        )
        lost = [c.credential_id for (c, _, _), new in zip(minted, created, strict=True) if not new]
        theirs = await self._credentials.get_many(lost) if lost else {}
        stored: list[IssuedCredential] = []
        for (credential, _, _), new in zip(minted, created, strict=True):
            results[credential.credential_id] = IssueOutcome(credential.credential_id, new)
            kept = credential if new else theirs.get(credential.credential_id)
            if kept is not None:
                stored.append(kept)
        return stored


def _by_issuer(
    drafts: list[tuple[CredentialDraft, str | None]],
) -> dict[str, list[tuple[CredentialDraft, str | None]]]:
    grouped: dict[str, list[tuple[CredentialDraft, str | None]]] = {}
    for draft, email in drafts:
        grouped.setdefault(draft.issuer.provider_id, []).append((draft, email))
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
