"""Pathways through the handlers: who may define them, what they accept, graph and progress."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_catalogue.domain.providers import Accreditation, ProviderType
from microcred_catalogue.service_layer import commands, errors
from microcred_shared.events.contracts.catalogue import PathwayRule
from microcred_shared.events.contracts.partner import CourseEventV1
from pydantic import TypeAdapter

from tests.unit.catalogue.fakes import World

RULE = TypeAdapter[PathwayRule](PathwayRule)


def rule(raw: dict[str, Any]) -> PathwayRule:
    return RULE.validate_python(raw)


def leaf(achievement_id: str) -> dict[str, Any]:
    return {"kind": "achievement", "achievement_id": achievement_id}


MECHATRONICS = {
    "kind": "all_of",
    "rules": [
        leaf("uni:math"),
        {"kind": "min_ects", "min_ects": 6, "rules": [leaf("vet:plc"), leaf("academy:cad")]},
    ],
}


async def world_with_courses() -> World:
    world = World()
    courses = {"uni": ["math", "cert"], "vet": ["plc"], "academy": ["cad"]}
    for provider_id, codes in courses.items():
        await world.provider_handlers.register(
            commands.RegisterProvider(
                provider_id, provider_id, ProviderType.UNIVERSITY, "AT", Accreditation("accredited")
            )
        )
        for code in codes:
            event = CourseEventV1.model_validate(
                {
                    "action": "offered",
                    "provider_id": provider_id,
                    "course_code": code,
                    "version": 1,
                    "course": {"name": code, "description": code, "ects": 4},
                }
            )
            await world.courses.handle(commands.IngestCourseEvent(provider_id, event))
    return world


def save(
    actor: str | None, accepts: tuple[str, ...] = ("vet", "academy"), **overrides: Any
) -> commands.SavePathway:
    fields: dict[str, Any] = {
        "actor": actor,
        "pathway_id": "mechatronics",
        "owner_provider_id": "uni",
        "target_achievement_id": "uni:cert",
        "name": "Mechatronics certificate",
        "rule": rule(MECHATRONICS),
        "accepted_provider_ids": accepts,
    }
    fields.update(overrides)
    return commands.SavePathway(**fields)


async def test_the_owner_defines_a_cross_provider_pathway_and_it_is_published() -> None:
    world = await world_with_courses()

    pathway = await world.pathways.save(save("uni"))

    assert pathway.accepted_provider_ids == ("uni", "vet", "academy")
    assert pathway.component_ids == ("uni:math", "vet:plc", "academy:cad")
    [event] = world.pathways_repo.events
    assert event.data.pathway_id == "mechatronics"
    assert event.data.version == 1


async def test_changing_a_pathway_publishes_the_next_version() -> None:
    world = await world_with_courses()
    await world.pathways.save(save("uni"))

    changed = await world.pathways.save(save(None, name="Renamed", expected_version=1))

    assert (changed.version, changed.name) == (2, "Renamed")
    with pytest.raises(errors.Conflict):
        await world.pathways.save(save(None, expected_version=1))


async def test_another_provider_cannot_define_or_change_the_owners_pathway() -> None:
    world = await world_with_courses()

    with pytest.raises(errors.Forbidden):
        await world.pathways.save(save("vet"))
    await world.pathways.save(save("uni"))
    with pytest.raises(errors.Forbidden):
        await world.pathways.save(
            save("vet", owner_provider_id="vet", target_achievement_id="vet:plc")
        )


async def test_a_component_from_a_provider_the_pathway_does_not_accept_is_refused() -> None:
    world = await world_with_courses()

    with pytest.raises(errors.Invalid, match="academy:cad"):
        await world.pathways.save(save("uni", accepts=("vet",)))


async def test_a_target_of_another_provider_or_an_unknown_component_is_refused() -> None:
    world = await world_with_courses()

    with pytest.raises(errors.Invalid):
        await world.pathways.save(save("uni", target_achievement_id="vet:plc"))
    with pytest.raises(errors.Invalid, match="uni:nope"):
        await world.pathways.save(save("uni", rule=rule(leaf("uni:nope"))))


async def test_the_graph_says_what_an_achievement_stacks_into_and_what_awards_it() -> None:
    world = await world_with_courses()
    await world.pathways.save(save("uni"))

    into = await world.pathways.graph("vet:plc")
    awarded = await world.pathways.graph("uni:cert")

    assert [(e.pathway.pathway_id, e.role) for e in into] == [("mechatronics", "component")]
    assert [(e.pathway.pathway_id, e.role) for e in awarded] == [("mechatronics", "target")]


async def test_progress_counts_components_across_providers_and_names_what_is_missing() -> None:
    world = await world_with_courses()
    await world.pathways.save(save("uni"))

    [partial] = await world.pathways.progress(["uni:math", "vet:plc"])
    [complete] = await world.pathways.progress(["uni:math", "vet:plc", "academy:cad"])

    assert not partial.outcome.satisfied
    assert partial.outcome.counted == ("uni:math",)
    assert partial.outcome.missing == ("academy:cad",)
    assert complete.outcome.satisfied
    assert complete.outcome.ects == 12


async def test_progress_ignores_components_of_providers_no_longer_accepted() -> None:
    world = await world_with_courses()
    await world.pathways.save(save("uni"))
    # The owner narrows the pathway after the fact: academy's credit no longer counts.
    world.pathways_repo.stored["mechatronics"] = world.pathways_repo.stored["mechatronics"].revised(
        world.clock(), accepted_provider_ids=("uni", "vet")
    )

    [progress] = await world.pathways.progress(["uni:math", "vet:plc", "academy:cad"])

    assert not progress.outcome.satisfied
    assert progress.outcome.missing == ("academy:cad",)
