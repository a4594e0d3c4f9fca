"""Search requests as MongoDB filters: words via the term array, filters, keyset cursors."""

from __future__ import annotations

from datetime import UTC, datetime

from microcred_catalogue.adapters.search_queries import search_filter, search_sort
from microcred_catalogue.domain.achievements import Definition, Skill
from microcred_catalogue.domain.search import SearchQuery, SortOrder, search_terms, words


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


def test_a_text_query_needs_all_its_words_among_active_achievements() -> None:
    assert search_filter(SearchQuery(text="PLC Robots")) == {
        "$and": [{"status": "active"}, {"search_terms": {"$all": ["plc", "robots"]}}]
    }


def test_filters_combine_and_an_isced_field_matches_its_subtree() -> None:
    query = SearchQuery(eqf_levels=(5, 6), isced_f="07", ects_max=5, include_retired=True)

    assert search_filter(query) == {
        "$and": [
            {"eqf_level": {"$in": [5, 6]}},
            {"isced_f_path": "07"},
            {"ects_key": {"$lte": 5, "$gte": 0}},
        ]
    }


def test_the_cursor_continues_after_the_last_hit_in_sort_order() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    query = SearchQuery(
        sort=SortOrder.NEWEST, after=(when.isoformat(), "uni:x"), include_retired=True
    )

    assert search_filter(query) == {
        "$or": [{"updated_at": {"$lt": when}}, {"updated_at": when, "_id": {"$lt": "uni:x"}}]
    }
    assert search_sort(query) == [("updated_at", -1), ("_id", -1)]
