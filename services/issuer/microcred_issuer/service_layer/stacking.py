"""The stacking engine: when a learner's credentials satisfy a pathway, award its target once."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from microcred_shared.logging import get_logger
from microcred_shared.pathways import Earned, evaluate_pathway

from ..domain.errors import IssuerError
from ..domain.identity import learner_from_subject
from ..domain.ids import CredentialIds
from ..domain.issuance import CredentialDraft
from ..domain.model import Pathway
from ..domain.records import IssuedCredential
from .minting import Minting
from .ports import CatalogueView, Credentials, KeyVault
from .publishing import Publishing
from .urls import IssuerUrls

log = get_logger(__name__)

# A stacked credential may itself be a component of a larger pathway; this bounds the chain.
MAX_STACK_DEPTH = 5


class Stacking:
    def __init__(
        self,
        *,
        catalogue: CatalogueView,
        credentials: Credentials,
        minting: Minting,
        publishing: Publishing,
        vault: KeyVault,
        urls: IssuerUrls,
        ids: CredentialIds,
    ) -> None:
        self._catalogue = catalogue
        self._credentials = credentials
        self._minting = minting
        self._publishing = publishing
        self._vault = vault
        self._urls = urls
        self._ids = ids

    async def after_earning_many(self, credentials: Sequence[IssuedCredential]) -> None:
        """:meth:`after_earning` for each, asking once per achievement which pathways use it."""
        achievement_ids = sorted({c.achievement_id for c in credentials})
        found = await asyncio.gather(
            *(self._catalogue.pathways_with_component(a) for a in achievement_ids)
        )
        pathways = dict(zip(achievement_ids, found, strict=True))
        for credential in credentials:
            if pathways[credential.achievement_id]:
                await self._after_earning(credential, pathways[credential.achievement_id], 0)

    async def after_earning(self, credential: IssuedCredential, depth: int = 0) -> None:
        """Award every pathway this credential completes (idempotent: deterministic ids)."""
        if depth >= MAX_STACK_DEPTH:
            return
        pathways = await self._catalogue.pathways_with_component(credential.achievement_id)
        await self._after_earning(credential, pathways, depth)

    async def _after_earning(
        self, credential: IssuedCredential, pathways: Sequence[Pathway], depth: int
    ) -> None:
        if not pathways:
            return
        held = await self._credentials.of_learner(credential.learner_ref)
        for pathway in pathways:
            if pathway.active:
                await self._consider(pathway, held, depth)

    async def after_pathway_change(self, pathway: Pathway) -> None:
        """A pathway that arrives (or changes) after learners earned its components awards
        them now: a rule "becomes satisfied" when it appears, too."""
        if not pathway.active:
            return
        for learner_ref in await self._credentials.learners_holding(pathway.component_ids):
            held = await self._credentials.of_learner(learner_ref)
            await self._consider(pathway, held, depth=0)

    async def _consider(self, pathway: Pathway, held: list[IssuedCredential], depth: int) -> None:
        counting = [c for c in held if c.counts_for_stacking]
        outcome = evaluate_pathway(pathway, earned_by_provider(counting))
        if not outcome.satisfied:
            return
        learner_ref = counting[0].learner_ref
        credential_id = self._ids.of_pathway_award(pathway.pathway_id, learner_ref)
        if await self._credentials.get(credential_id) is not None:
            return
        # One component credential per counted achievement (the earliest, if earned twice).
        components = list(
            {
                c.achievement_id: c
                for c in sorted(counting, key=lambda c: c.issued_at, reverse=True)
                if c.achievement_id in set(outcome.counted)
            }.values()
        )
        awarded = await self._award(pathway, credential_id, components)
        if awarded is not None:
            await self.after_earning(awarded, depth + 1)

    async def _award(
        self, pathway: Pathway, credential_id: str, components: list[IssuedCredential]
    ) -> IssuedCredential | None:
        target = await self._catalogue.achievement(pathway.target_achievement_id)
        owner = await self._catalogue.provider(pathway.owner_provider_id)
        if target is None or owner is None or not owner.trusted:
            log.warning(
                "pathway satisfied but its target cannot be issued yet",
                pathway_id=pathway.pathway_id,
                target_known=target is not None,
                owner_known=owner is not None,
            )
            return None
        components = sorted(components, key=lambda c: c.credential_id)
        first = components[0]
        draft = CredentialDraft(
            credential_id=credential_id,
            kind="stacked",
            issuer=owner,
            achievement=target,
            learner=learner_from_subject(first.document["credentialSubject"], first.learner_ref),
            extra_evidence=[self._component_evidence(c) for c in components],
            pathway_id=pathway.pathway_id,
            component_credential_ids=tuple(c.credential_id for c in components),
            sealed_email=first.sealed_email,
            expires=False,
        )
        [minted] = await self._minting.mint_many(owner.provider_id, [draft])
        if isinstance(minted, IssuerError):
            raise minted
        email = next(
            (self._vault.unseal_text(c.sealed_email) for c in components if c.sealed_email),
            None,
        )
        await self._publishing.store(minted, owner, email)
        return minted

    def _component_evidence(self, component: IssuedCredential) -> dict[str, Any]:
        return {
            "id": self._urls.credential(component.credential_id),
            "type": ["Evidence"],
            "name": f"Component credential: {component.achievement_name}",
            "narrative": f"{component.achievement_name}, issued by {component.issuer_did}",
        }


def earned_by_provider(credentials: list[IssuedCredential]) -> Mapping[str, Earned]:
    earned: dict[str, dict[str, float | None]] = {}
    for credential in credentials:
        earned.setdefault(credential.provider_id, {})[credential.achievement_id] = credential.ects
    return earned
