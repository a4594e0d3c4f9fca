"""Pathways: define them (admin or the owning provider), the graph, and a learner's progress."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status
from microcred_shared.service.http import Problem

from ..service_layer import commands
from .deps import Api, CallerDep
from .schemas import (
    PathwayGraphResponse,
    PathwayProgressPublic,
    PathwayPublic,
    PathwayUpdate,
    ProgressRequest,
    ProgressResponse,
)

PATHWAY_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,99}$"
PATHWAY_EXAMPLE = {
    "name": "Certificate in industrial mechatronics",
    "target_achievement_id": "tu-linz:CERT-MECH",
    "rule": {
        "kind": "all_of",
        "rules": [
            {"kind": "achievement", "achievement_id": "tu-linz:MECH-101"},
            {
                "kind": "min_ects",
                "min_ects": 10,
                "rules": [
                    {"kind": "achievement", "achievement_id": "htl-steyr:PLC-2"},
                    {"kind": "achievement", "achievement_id": "robotix:ROB-1"},
                ],
            },
        ],
    },
    "accepted_provider_ids": ["htl-steyr", "robotix"],
}


router = APIRouter(tags=["pathways"])


@router.put("/pathways/{pathway_id}")
async def save_pathway(
    pathway_id: Annotated[str, Path(pattern=PATHWAY_ID)],
    who: CallerDep,
    body: Annotated[
        PathwayUpdate, Body(openapi_examples={"cross-provider": {"value": PATHWAY_EXAMPLE}})
    ],
    response: Response,
    api: Api,
) -> PathwayPublic:
    """Create or change a pathway (published on catalogue.pathways for the issuer)."""
    owner = body.owner_provider_id if who.is_admin else who.provider.provider_id  # type: ignore[union-attr]
    if owner is None:
        raise Problem(422, "Invalid request", "the admin must name owner_provider_id")
    saved = await api.pathways.save(
        commands.SavePathway(
            actor=None if who.is_admin else owner,
            pathway_id=pathway_id,
            owner_provider_id=body.owner_provider_id or owner,
            target_achievement_id=body.target_achievement_id,
            name=body.name,
            rule=body.rule,
            accepted_provider_ids=tuple(body.accepted_provider_ids),
            status=body.status,
            expected_version=body.expected_version,
        )
    )
    if saved.version == 1:
        response.status_code = status.HTTP_201_CREATED
    return PathwayPublic.of(saved)


@router.get("/pathways/graph")
async def pathway_graph(
    achievement: Annotated[str, Query(min_length=1, examples=["tu-linz:MECH-101"])],
    api: Api,
) -> PathwayGraphResponse:
    """What an achievement stacks into, and which pathways award it."""
    edges = await api.pathways.graph(achievement)
    return PathwayGraphResponse(
        achievement_id=achievement,
        stacks_into=[PathwayPublic.of(e.pathway) for e in edges if e.role == "component"],
        awarded_by=[PathwayPublic.of(e.pathway) for e in edges if e.role == "target"],
    )


@router.post("/pathways/progress")
async def pathway_progress(body: ProgressRequest, api: Api) -> ProgressResponse:
    """For a set of achievements: each pathway they count towards, what is done and missing."""
    progress = await api.pathways.progress(body.achievement_ids)
    return ProgressResponse(
        pathways=[PathwayProgressPublic.of(p, PathwayPublic.of(p.pathway)) for p in progress]
    )


@router.get("/pathways/{pathway_id}")
async def get_pathway(pathway_id: str, api: Api) -> PathwayPublic:
    """One pathway."""
    return PathwayPublic.of(await api.pathways.get(pathway_id))
