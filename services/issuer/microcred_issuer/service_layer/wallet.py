"""The learner's wallet: share links they create and withdraw, and where each credential leads
(the pathways it is a component of, and what is still missing on each)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from microcred_shared.pathways import evaluate_pathway

from ..domain.errors import CredentialNotFound, ShareLinkNotFound, ShareLinkWithdrawn
from ..domain.records import IssuedCredential
from ..domain.share_links import ShareLink, new_share_link
from .ports import CatalogueView, Clock, Credentials, ShareLinks
from .stacking import earned_by_provider


@dataclass(frozen=True)
class PathwayProgress:
    """How far the learner's credentials go on one pathway a credential of theirs counts for."""

    pathway_id: str
    name: str
    target_name: str
    satisfied: bool
    missing: tuple[str, ...]  # names of the components still to earn (any would help)


class Wallet:
    def __init__(
        self,
        *,
        credentials: Credentials,
        share_links: ShareLinks,
        catalogue: CatalogueView,
        clock: Clock,
    ) -> None:
        self._credentials = credentials
        self._links = share_links
        self._catalogue = catalogue
        self._clock = clock

    async def share(self, learner_ref: str, credential_id: str) -> ShareLink:
        """A new share link for one of the learner's own credentials."""
        await self.own_credential(learner_ref, credential_id)
        link = new_share_link(credential_id, learner_ref, self._clock.now())
        await self._links.add(link)
        return link

    async def withdraw(self, learner_ref: str, share_id: str) -> ShareLink:
        link = await self._links.get(share_id)
        if link is None or link.learner_ref != learner_ref:
            raise ShareLinkNotFound("you have no such share link")
        withdrawn = link.withdrawn(self._clock.now())
        if withdrawn is not link:
            await self._links.save(withdrawn)
        return withdrawn

    async def links_of(self, learner_ref: str) -> list[ShareLink]:
        return await self._links.of_learner(learner_ref)

    async def shared(self, share_id: str) -> IssuedCredential:
        """The credential a share link shows; refused once the learner withdrew the link."""
        link = await self._links.get(share_id)
        if link is None:
            raise ShareLinkNotFound("no such share link")
        if not link.active:
            raise ShareLinkWithdrawn("its holder has withdrawn this link")
        credential = await self._credentials.get(link.credential_id)
        if credential is None:
            raise ShareLinkNotFound("no such share link")
        return credential

    async def own_credential(self, learner_ref: str, credential_id: str) -> IssuedCredential:
        """One of the learner's credentials; anyone else's reads as missing."""
        credential = await self._credentials.get(credential_id)
        if credential is None or credential.learner_ref != learner_ref:
            raise CredentialNotFound(f"you hold no credential {credential_id!r}")
        return credential

    async def progress(self, held: Sequence[IssuedCredential]) -> dict[str, list[PathwayProgress]]:
        """For each credential, the active pathways it is a component of and how far the
        learner's credentials (revoked ones aside) go on each."""
        earned = earned_by_provider([c for c in held if c.counts_for_stacking])
        names: dict[str, str] = {}
        found: dict[str, list[PathwayProgress]] = {}
        for credential in held:
            rows = []
            for pathway in await self._catalogue.pathways_with_component(credential.achievement_id):
                if not pathway.active:
                    continue
                outcome = evaluate_pathway(pathway, earned)
                ids = [pathway.target_achievement_id, *outcome.missing]
                for achievement_id in ids:
                    if achievement_id not in names:
                        names[achievement_id] = await self._name_of(achievement_id)
                rows.append(
                    PathwayProgress(
                        pathway_id=pathway.pathway_id,
                        name=pathway.name,
                        target_name=names[pathway.target_achievement_id],
                        satisfied=outcome.satisfied,
                        missing=tuple(names[a] for a in outcome.missing),
                    )
                )
            found[credential.credential_id] = rows
        return found

    async def _name_of(self, achievement_id: str) -> str:
        achievement = await self._catalogue.achievement(achievement_id)
        return achievement.name if achievement else achievement_id
