"""Pathways: a target achievement awarded when a rule over component achievements is met.

What a rule *means* lives in ``microcred_shared.pathways`` (the issuer evaluates the same rules).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from microcred_shared.events.contracts.catalogue import PathwayRule
from microcred_shared.pathways import component_ids


class InvalidPathway(ValueError):
    pass


@dataclass(frozen=True)
class Pathway:
    pathway_id: str
    version: int
    status: str  # active | retired
    owner_provider_id: str
    target_achievement_id: str
    name: str
    rule: PathwayRule
    accepted_provider_ids: tuple[str, ...]
    updated_at: datetime

    @property
    def component_ids(self) -> tuple[str, ...]:
        return component_ids(self.rule)

    def revised(self, at: datetime, **fields: object) -> Pathway:
        return replace(self, version=self.version + 1, updated_at=at, **fields)  # type: ignore[arg-type]


def accepted_providers(owner: str, listed: tuple[str, ...]) -> tuple[str, ...]:
    """The owner always accepts its own components."""
    return tuple(dict.fromkeys((owner, *listed)))


def check_pathway(pathway: Pathway, component_providers: dict[str, str | None]) -> None:
    """Refuse a pathway that can never be met or would award its own component.

    ``component_providers`` maps each component id to its provider (None: not in the catalogue).
    """
    if pathway.target_achievement_id in pathway.component_ids:
        raise InvalidPathway("the target achievement cannot be one of its own components")
    unknown = sorted(i for i, provider in component_providers.items() if provider is None)
    if unknown:
        raise InvalidPathway(f"unknown component achievements: {', '.join(unknown)}")
    refused = sorted(
        i for i, p in component_providers.items() if p not in pathway.accepted_provider_ids
    )
    if refused:
        raise InvalidPathway(
            "components from providers the pathway does not accept: " + ", ".join(refused)
        )
