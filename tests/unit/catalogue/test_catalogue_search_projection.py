"""The search projection: words, filters, sort orders and cursors over the indexed catalogue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_catalogue.adapters import memory_search
from microcred_catalogue.adapters.memory_search import (
    MemorySearchIndex,
    indexed,
    indexed_contract,
)
from microcred_catalogue.domain.achievements import Definition, Skill
from microcred_catalogue.domain.search import SearchQuery, SortOrder, search_terms, words
from microcred_catalogue.service_layer import commands
from microcred_catalogue.service_layer.events import achievement_contract
from microcred_shared.events.contracts.catalogue import AchievementV1

from tests.unit.catalogue.test_catalogue_course_handlers import course_event, world_with_provider

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def contract(code: str, version: int = 1, **fields: Any) -> AchievementV1:
    values: dict[str, Any] = {
        "achievement_id": f"uni-a:{code}",
        "provider_id": "uni-a",
        "course_code": code,
        "version": version,
        "status": "active",
        "name": code,
        "description": "A course",
        "criteria": "",
        "learning_outcomes": [],
        "completeness": {"score": 0.5},
        "updated_at": T0,
        "provider_type": "university",
        "country": "AT",
    }
    values.update(fields)
    return AchievementV1.model_validate(values)


def index_of(*achievements: AchievementV1) -> MemorySearchIndex:
    index = MemorySearchIndex()
    for achievement in achievements:
        index.add_event(achievement)
    return index


def ids(index: MemorySearchIndex, **query: Any) -> list[str]:
    return index.search(SearchQuery(**query)).achievement_ids


def test_words_are_folded_and_stop_words_dropped() -> None:
    assert words("Programmation des Automates, C++ and the PLC") == [
        "programmation", "des", "automates", "c++", "plc",
    ]  # fmt: skip


def test_an_achievement_is_found_by_its_name_description_outcomes_skills_and_tags() -> None:
    definition = Definition(
        name="PLC basics",
        description="Controllers",
        learning_outcomes=("Commission a robot cell",),
        skills=(Skill("program PLCs", "http://esco/x"),),
        tags=("mechatronics",),
    )

    assert set(search_terms(definition)) >= {"plc", "controllers", "robot", "plcs", "mechatronics"}


def test_a_text_search_needs_every_word() -> None:
    index = index_of(
        contract("A", name="PLC programming"),
        contract("B", name="PLC safety", learning_outcomes=["Program a robot"]),
    )

    assert ids(index, text="plc") == ["uni-a:A", "uni-a:B"]
    assert ids(index, text="PLC robot") == ["uni-a:B"]
    assert ids(index, text="plc welding") == []


@pytest.mark.parametrize("heap_limit", [2_000, 0], ids=["pick from candidates", "walk the order"])
def test_filters_combine_and_an_isced_field_matches_its_subtree(
    heap_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_search, "HEAP_LIMIT", heap_limit)
    index = index_of(
        contract("A", eqf_level=5, isced_f_code="0714", ects=3, languages=["de"]),
        contract("B", eqf_level=5, isced_f_code="0613", ects=3, languages=["de"]),
        contract("C", eqf_level=6, isced_f_code="0715", ects=3, languages=["de"]),
        contract("D", eqf_level=5, isced_f_code="0714", ects=8, languages=["de"]),
        contract("E", eqf_level=5, isced_f_code="0714", languages=["de"]),
    )

    assert ids(index, eqf_levels=(5,), isced_f="07", ects_max=5, languages=("de",)) == ["uni-a:A"]
    assert ids(index, isced_f="071", eqf_levels=(5, 6), ects_min=1) == [
        "uni-a:A", "uni-a:C", "uni-a:D",
    ]  # fmt: skip


def test_a_minimum_completeness_keeps_only_achievements_that_reach_it() -> None:
    index = index_of(
        contract("A", completeness={"score": 0.64}),
        contract("B", completeness={"score": 0.65}),
        contract("C", completeness={"score": 1.0}),
    )

    assert ids(index, min_completeness=0.65) == ["uni-a:B", "uni-a:C"]
    assert ids(index, min_completeness=1.0) == ["uni-a:C"]
    assert ids(index, min_completeness=0) == ["uni-a:A", "uni-a:B", "uni-a:C"]


def test_retired_achievements_are_left_out_unless_asked_for() -> None:
    index = index_of(contract("A"), contract("B", status="retired"))

    assert ids(index) == ["uni-a:A"]
    assert ids(index, include_retired=True) == ["uni-a:A", "uni-a:B"]


def test_a_newer_version_replaces_the_old_facets_and_an_older_one_is_ignored() -> None:
    index = index_of(contract("A", version=2, name="Welding"))

    assert not index.add_event(contract("A", version=1, name="Soldering"))
    assert index.add_event(contract("A", version=3, name="Brazing"))
    assert ids(index, text="welding") == []
    assert ids(index, text="brazing") == ["uni-a:A"]


@pytest.mark.parametrize("heap_limit", [2_000, 0], ids=["pick from candidates", "walk the order"])
def test_pages_follow_each_other_by_cursor_in_every_sort_order(
    heap_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_search, "HEAP_LIMIT", heap_limit)
    index = index_of(
        *(
            contract(f"C{n}", ects=float(n % 3), updated_at=T0 + timedelta(hours=n))
            for n in range(7)
        )
    )

    for order in SortOrder:
        seen: list[str] = []
        after = None
        while True:
            hits = index.search(SearchQuery(sort=order, limit=3, after=after))
            seen += hits.achievement_ids
            if hits.next_after is None:
                break
            after = hits.next_after
        assert sorted(seen) == [f"uni-a:C{n}" for n in range(7)], order
        assert len(seen) == 7

    newest = index.search(SearchQuery(sort=SortOrder.NEWEST, limit=2)).achievement_ids
    assert newest == ["uni-a:C6", "uni-a:C5"]
    cheapest = index.search(SearchQuery(sort=SortOrder.ECTS, limit=3)).achievement_ids
    assert cheapest == ["uni-a:C0", "uni-a:C3", "uni-a:C6"]
    index.add_event(contract("C0", version=2, ects=9.0, updated_at=T0 + timedelta(days=1)))
    assert index.search(SearchQuery(sort=SortOrder.NEWEST, limit=1)).achievement_ids == ["uni-a:C0"]
    assert index.search(SearchQuery(sort=SortOrder.ECTS, limit=1)).achievement_ids == ["uni-a:C3"]


async def test_a_stored_achievement_and_its_event_index_alike() -> None:
    world = await world_with_provider()
    event = course_event(eqf_level=5, languages=["de"], isced_f="0714")

    await world.courses.handle(commands.IngestCourseEvent("uni-a", event))

    stored = world.achievements.stored["uni-a:PLC-1"]
    assert indexed_contract(achievement_contract(stored)) == indexed(stored)
    assert world.projection.search(SearchQuery(text="plc", isced_f="07")).achievement_ids == [
        "uni-a:PLC-1"
    ]
