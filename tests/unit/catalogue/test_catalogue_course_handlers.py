"""Partner course events through the handler: stored once, newest wins, own courses only."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_catalogue.domain.providers import Accreditation, ProviderType, Trust
from microcred_catalogue.service_layer import commands, errors
from microcred_catalogue.service_layer.courses import CourseOutcome
from microcred_shared.events.contracts.partner import CourseEventV1

from tests.unit.catalogue.fakes import World


def course_event(version: int = 1, action: str = "offered", **course: Any) -> CourseEventV1:
    definition = {"name": "PLC programming", "description": "Controllers.", "ects": 5, **course}
    return CourseEventV1.model_validate(
        {
            "action": action,
            "provider_id": "uni-a",
            "course_code": "PLC-1",
            "version": version,
            "course": None if action == "retired" else definition,
        }
    )


async def world_with_provider(trust: Trust = Trust.TRUSTED) -> World:
    world = World()
    await world.provider_handlers.register(
        commands.RegisterProvider(
            "uni-a", "University A", ProviderType.UNIVERSITY, "AT",
            Accreditation("accredited", "AQ Austria"), trust=trust,
        )
    )  # fmt: skip
    return world


async def ingest(world: World, event: CourseEventV1, publisher: str = "uni-a") -> Any:
    return await world.courses.handle(commands.IngestCourseEvent(publisher, event))


async def test_an_offered_course_is_stored_normalised_with_its_event() -> None:
    world = await world_with_provider()

    result = await ingest(world, course_event(eqf_level="EQF 6"))

    assert result.outcome is CourseOutcome.STORED
    stored = world.achievements.stored["uni-a:PLC-1"]
    assert stored.definition.eqf_level == 6
    assert stored.provider.country == "AT"
    [event] = world.achievements.events
    assert event.data.achievement_id == "uni-a:PLC-1"
    assert event.data.quality_assurance == "accredited by AQ Austria"


async def test_a_redelivered_event_changes_nothing_and_publishes_nothing() -> None:
    world = await world_with_provider()

    await ingest(world, course_event())
    again = await ingest(world, course_event(name="Changed without a new version"))

    assert again.outcome is CourseOutcome.IGNORED
    assert world.achievements.stored["uni-a:PLC-1"].definition.name == "PLC programming"
    assert len(world.achievements.events) == 1


async def test_an_older_version_after_a_newer_one_is_ignored() -> None:
    world = await world_with_provider()

    await ingest(world, course_event(3, name="Third"))
    late = await ingest(world, course_event(2, "changed", name="Second"))

    assert late.outcome is CourseOutcome.IGNORED
    assert world.achievements.stored["uni-a:PLC-1"].version == 3
    assert world.achievements.stored["uni-a:PLC-1"].definition.name == "Third"


async def test_the_event_ids_of_one_version_are_the_same_every_time() -> None:
    first, second = World(), World()
    for world in (first, second):
        world.providers = (await world_with_provider()).providers
        await ingest(world, course_event())

    assert first.achievements.events[0].id == second.achievements.events[0].id


async def test_a_provider_cannot_publish_another_providers_course() -> None:
    world = await world_with_provider()

    with pytest.raises(errors.Forbidden):
        await ingest(world, course_event(), publisher="vet-b")
    assert world.achievements.stored == {}


async def test_a_course_of_an_unknown_provider_is_refused() -> None:
    world = World()

    with pytest.raises(errors.UnknownProvider) as raised:
        await ingest(world, course_event())
    assert raised.value.code == "unknown_provider"


async def test_a_suspended_provider_cannot_publish() -> None:
    world = await world_with_provider(Trust.SUSPENDED)

    with pytest.raises(errors.Forbidden):
        await ingest(world, course_event())


async def test_values_that_do_not_normalise_are_refused_with_each_field_and_nothing_changes() -> (
    None
):
    world = await world_with_provider()
    await ingest(world, course_event())

    with pytest.raises(errors.NotNormalisable) as raised:
        await ingest(world, course_event(2, "changed", eqf_level="EQF 9", languages=["xx-latin"]))

    assert raised.value.code == "not_normalisable"
    assert [e["field"] for e in raised.value.errors] == ["eqf_level", "languages.0"]
    assert world.achievements.stored["uni-a:PLC-1"].version == 1


async def test_retiring_keeps_the_definition_and_publishes_the_new_status() -> None:
    world = await world_with_provider()
    await ingest(world, course_event())

    result = await ingest(world, course_event(2, "retired"))

    assert result.outcome is CourseOutcome.STORED
    retired = world.achievements.stored["uni-a:PLC-1"]
    assert (retired.status.value, retired.version) == ("retired", 2)
    assert retired.definition.name == "PLC programming"
    assert world.achievements.events[-1].data.status == "retired"


async def test_retiring_a_course_never_offered_is_refused() -> None:
    world = await world_with_provider()

    with pytest.raises(errors.UnknownCourse):
        await ingest(world, course_event(1, "retired"))


async def test_an_offer_without_its_definition_is_refused() -> None:
    world = await world_with_provider()
    event = CourseEventV1(action="offered", provider_id="uni-a", course_code="X", version=1)

    with pytest.raises(errors.Invalid):
        await ingest(world, event)
