"""The stacking engine: when a learner's credentials satisfy a pathway, award its target once."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from microcred_shared.logging import get_logger
from microcred_shared.pathways import Earned, evaluate_pathway

from ..domain.credentials import CredentialFacts, build_credential
from ..domain.identity import learner_from_subject
from ..domain.ids import CredentialIds
from ..domain.model import Pathway
from ..domain.records import IssuedCredential
from .publishing import Publishing

log = get_logger(__name__)

# A stacked credential may itself be a component of a larger pathway; this bounds the chain.
MAX_STACK_DEPTH = 5


class Stacking:
    def __init__(self, publishing: Publishing, ids: CredentialIds) -> None:
        self._p = publishing
        self._ids = ids

    async def after_earning_many(self, credentials: Sequence[IssuedCredential]) -> None:
        """:meth:`after_earning` for each, asking once per achievement which pathways use it."""
        achievement_ids = sorted({c.achievement_id for c in credentials})
        found = await asyncio.gather(
            *(self._p.catalogue.pathways_with_component(a) for a in achievement_ids)
        )
        pathways = dict(zip(achievement_ids, found, strict=True))
        for credential in credentials:
            if pathways[credential.achievement_id]:
                await self._after_earning(credential, pathways[credential.achievement_id], 0)

    async def after_earning(self, credential: IssuedCredential, depth: int = 0) -> None:
        """Award every pathway this credential completes (idempotent: deterministic ids)."""
        if depth >= MAX_STACK_DEPTH:
            return
        pathways = await self._p.catalogue.pathways_with_component(credential.achievement_id)
        await self._after_earning(credential, pathways, depth)

    async def _after_earning(
        self, credential: IssuedCredential, pathways: Sequence[Pathway], depth: int
    ) -> None:
        if not pathways:
            return
        held = await self._p.credentials.of_learner(credential.learner_ref)
        for pathway in pathways:
            if pathway.active:
                await self._consider(pathway, held, depth)

    async def after_pathway_change(self, pathway: Pathway) -> None:
        """A pathway that arrives (or changes) after learners earned its components awards
        them now: a rule "becomes satisfied" when it appears, too."""
        if not pathway.active:
            return
        for learner_ref in await self._p.credentials.learners_holding(pathway.component_ids):
            held = await self._p.credentials.of_learner(learner_ref)
            await self._consider(pathway, held, depth=0)

    async def _consider(self, pathway: Pathway, held: list[IssuedCredential], depth: int) -> None:
        counting = [c for c in held if c.counts_for_stacking]
        outcome = evaluate_pathway(pathway, _earned_by_provider(counting))
        if not outcome.satisfied:
            return
        learner_ref = counting[0].learner_ref
        credential_id = self._ids.of_pathway_award(pathway.pathway_id, learner_ref)
        if await self._p.credentials.get(credential_id) is not None:
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
        target = await self._p.catalogue.achievement(pathway.target_achievement_id)
        owner = await self._p.catalogue.provider(pathway.owner_provider_id)
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
        learner = learner_from_subject(first.document["credentialSubject"], first.learner_ref)
        keyring = await self._p.keys.ensure(owner.provider_id)
        slot = await self._p.allocator.allocate(owner.provider_id, credential_id)
        now = self._p.clock.now()
        facts = CredentialFacts(
            credential_url=self._p.urls.credential(credential_id),
            achievement_url=self._p.urls.achievement(target.achievement_id),
            issuer_did=keyring.did,
            learner=learner,
            valid_from=now,
            status_entries=self._p.status_entries(slot),
            extra_evidence=[
                {
                    "id": self._p.urls.credential(c.credential_id),
                    "type": ["Evidence"],
                    "name": f"Component credential: {c.achievement_name}",
                    "narrative": f"{c.achievement_name}, issued by {c.issuer_did}",
                }
                for c in components
            ],
        )
        document = self._p.sign_credential(build_credential(owner, target, facts), keyring, now)
        email = next(
            (self._p.vault.unseal_text(c.sealed_email) for c in components if c.sealed_email),
            None,
        )
        credential = IssuedCredential(
            credential_id=credential_id,
            kind="stacked",
            provider_id=owner.provider_id,
            achievement_id=target.achievement_id,
            achievement_name=target.name,
            learner_ref=first.learner_ref,
            issuer_did=keyring.did,
            issued_at=now,
            valid_until=None,
            slot=slot,
            document=document,
            ects=target.ects,
            eqf_level=target.eqf_level,
            isced_f_code=target.isced_f_code,
            pathway_id=pathway.pathway_id,
            component_credential_ids=tuple(c.credential_id for c in components),
            sealed_email=first.sealed_email,
        )
        await self._p.store(credential, owner, email)
        return credential


def _earned_by_provider(credentials: list[IssuedCredential]) -> Mapping[str, Earned]:
    earned: dict[str, dict[str, float | None]] = {}
    for credential in credentials:
        earned.setdefault(credential.provider_id, {})[credential.achievement_id] = credential.ects
    return earned
