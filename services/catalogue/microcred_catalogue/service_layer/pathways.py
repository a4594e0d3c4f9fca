"""Creating and changing pathways; what an achievement stacks into; a learner's progress."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from microcred_shared.pathways import RuleOutcome, evaluate_pathway

from ..domain.pathways import InvalidPathway, Pathway, accepted_providers, check_pathway
from . import commands
from .errors import Conflict, Forbidden, Invalid, NotFound
from .events import pathway_event
from .ports import AchievementRepository, Clock, PathwayRepository


@dataclass(frozen=True)
class GraphEdge:
    pathway: Pathway
    role: str  # "component": the achievement stacks into the target; "target": it is awarded


@dataclass(frozen=True)
class Progress:
    pathway: Pathway
    outcome: RuleOutcome


@dataclass
class PathwayHandlers:
    pathways: PathwayRepository
    achievements: AchievementRepository
    clock: Clock
    wake_relay: Callable[[], None]

    async def save(self, command: commands.SavePathway) -> Pathway:
        if command.actor is not None and command.actor != command.owner_provider_id:
            raise Forbidden("a provider may only define its own pathways")
        current = await self.pathways.get(command.pathway_id)
        if current is not None and command.actor not in (None, current.owner_provider_id):
            raise Forbidden("the pathway belongs to another provider")
        pathway = await self._checked(command, current)
        stored = (
            await self.pathways.add(pathway, pathway_event(pathway))
            if current is None
            else await self.pathways.replace(pathway, pathway_event(pathway))
        )
        if not stored:
            raise Conflict("the pathway was changed concurrently; fetch it and retry")
        self.wake_relay()
        return pathway

    async def get(self, pathway_id: str) -> Pathway:
        pathway = await self.pathways.get(pathway_id)
        if pathway is None:
            raise NotFound(f"no pathway {pathway_id!r}")
        return pathway

    async def graph(self, achievement_id: str) -> list[GraphEdge]:
        edges = []
        for pathway in await self.pathways.involving([achievement_id]):
            if achievement_id in pathway.component_ids:
                edges.append(GraphEdge(pathway, "component"))
            if pathway.target_achievement_id == achievement_id:
                edges.append(GraphEdge(pathway, "target"))
        return edges

    async def progress(self, achievement_ids: Sequence[str]) -> list[Progress]:
        """For each pathway one of ``achievement_ids`` is a component of: done and missing."""
        pathways = [
            p for p in await self.pathways.involving(achievement_ids)
            if set(p.component_ids) & set(achievement_ids)
        ]  # fmt: skip
        held = await self.achievements.many(list(dict.fromkeys(achievement_ids)))
        earned_by_provider: dict[str, dict[str, float | None]] = {}
        for achievement in held.values():
            earned_by_provider.setdefault(achievement.provider_id, {})[
                achievement.achievement_id
            ] = achievement.definition.ects
        return [Progress(p, evaluate_pathway(p, earned_by_provider)) for p in pathways]

    async def _checked(self, command: commands.SavePathway, current: Pathway | None) -> Pathway:
        fields = {
            "status": command.status,
            "owner_provider_id": command.owner_provider_id,
            "target_achievement_id": command.target_achievement_id,
            "name": command.name,
            "rule": command.rule,
            "accepted_provider_ids": accepted_providers(
                command.owner_provider_id, command.accepted_provider_ids
            ),
        }
        if current is None:
            pathway = Pathway(
                pathway_id=command.pathway_id,
                version=1,
                updated_at=self.clock(),
                **fields,  # type: ignore[arg-type]
            )
        else:
            if command.expected_version not in (None, current.version):
                raise Conflict(f"the pathway is at version {current.version}")
            if current.owner_provider_id != command.owner_provider_id:
                raise Forbidden("a pathway's owner cannot change")
            pathway = current.revised(self.clock(), **fields)
        await self._check_achievements(pathway)
        return pathway

    async def _check_achievements(self, pathway: Pathway) -> None:
        known = await self.achievements.many(
            [pathway.target_achievement_id, *pathway.component_ids]
        )
        target = known.get(pathway.target_achievement_id)
        if target is None or target.provider_id != pathway.owner_provider_id:
            raise Invalid("the target must be an achievement of the pathway's owner")
        try:
            check_pathway(
                pathway,
                {i: known[i].provider_id if i in known else None for i in pathway.component_ids},
            )
        except InvalidPathway as error:
            raise Invalid(str(error)) from error
