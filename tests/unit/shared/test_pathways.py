"""The meaning of pathway rules: all-of, n-of, min-ECTS, nesting, and accepted providers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from microcred_shared.events.contracts.catalogue import PathwayRule, PathwayV1
from microcred_shared.pathways import (
    accepted_earned,
    component_ids,
    evaluate,
    evaluate_pathway,
)
from pydantic import TypeAdapter

RULE = TypeAdapter[PathwayRule](PathwayRule)


def rule(raw: dict[str, Any]) -> PathwayRule:
    return RULE.validate_python(raw)


def leaf(achievement_id: str) -> dict[str, Any]:
    return {"kind": "achievement", "achievement_id": achievement_id}


def all_of(*ids: str) -> dict[str, Any]:
    return {"kind": "all_of", "rules": [leaf(i) for i in ids]}


def pathway(rule_raw: dict[str, Any], *, owner: str, accepts: list[str]) -> PathwayV1:
    return PathwayV1(
        pathway_id="p1",
        version=1,
        status="active",
        owner_provider_id=owner,
        target_achievement_id=f"{owner}:certificate",
        name="Mechatronics certificate",
        rule=rule(rule_raw),
        accepted_provider_ids=accepts,
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_all_of_is_satisfied_only_when_every_component_is_held() -> None:
    outcome = evaluate(rule(all_of("a", "b", "c")), {"a": 5, "b": 5, "c": 2.5})

    assert outcome.satisfied
    assert outcome.counted == ("a", "b", "c")
    assert outcome.ects == 12.5
    assert outcome.missing == ()


def test_all_of_with_one_component_missing_names_it_and_counts_the_rest() -> None:
    outcome = evaluate(rule(all_of("a", "b", "c")), {"a": 5, "c": 2.5, "unrelated": 10})

    assert not outcome.satisfied
    assert outcome.counted == ("a", "c")
    assert outcome.ects == 7.5
    assert outcome.missing == ("b",)


def test_n_of_is_satisfied_by_any_n_components_and_then_misses_nothing() -> None:
    two_of_three = rule({"kind": "n_of", "n": 2, "rules": [leaf("a"), leaf("b"), leaf("c")]})

    outcome = evaluate(two_of_three, {"a": 3, "c": 4})

    assert outcome.satisfied
    assert outcome.counted == ("a", "c")
    assert outcome.missing == ()
    assert outcome.children_short == 0


def test_n_of_short_of_n_says_how_many_more_and_which_would_do() -> None:
    two_of_three = rule({"kind": "n_of", "n": 2, "rules": [leaf("a"), leaf("b"), leaf("c")]})

    outcome = evaluate(two_of_three, {"b": 3})

    assert not outcome.satisfied
    assert outcome.children_short == 1
    assert outcome.missing == ("a", "c")


def test_min_ects_sums_the_ects_of_satisfied_children() -> None:
    at_least_10 = rule(
        {"kind": "min_ects", "min_ects": 10, "rules": [leaf("a"), leaf("b"), leaf("c")]}
    )

    assert evaluate(at_least_10, {"a": 6, "b": 4}).satisfied
    short = evaluate(at_least_10, {"a": 6, "b": 3.5})
    assert not short.satisfied
    assert short.ects == 9.5
    assert short.ects_short == pytest.approx(0.5)
    assert short.missing == ("c",)


def test_min_ects_tolerates_float_rounding_at_the_threshold() -> None:
    rule_03 = rule({"kind": "min_ects", "min_ects": 0.3, "rules": [leaf("a"), leaf("b")]})

    assert evaluate(rule_03, {"a": 0.1, "b": 0.2}).satisfied


def test_min_ects_ignores_a_partly_done_child_and_achievements_without_ects() -> None:
    raw = {
        "kind": "min_ects",
        "min_ects": 5,
        "rules": [all_of("a", "b"), leaf("c")],
    }

    outcome = evaluate(rule(raw), {"a": 10, "c": None})

    assert not outcome.satisfied
    assert outcome.ects == 0.0
    assert outcome.counted == ("c",)
    assert outcome.missing == ("b",)


def test_an_achievement_under_two_children_counts_its_ects_once() -> None:
    raw = {"kind": "min_ects", "min_ects": 10, "rules": [leaf("a"), all_of("a")]}

    outcome = evaluate(rule(raw), {"a": 6})

    assert not outcome.satisfied
    assert outcome.ects == 6


def test_nested_rules_combine_all_of_n_of_and_min_ects() -> None:
    raw = {
        "kind": "all_of",
        "rules": [
            leaf("core"),
            {"kind": "n_of", "n": 1, "rules": [leaf("elective-1"), leaf("elective-2")]},
            {"kind": "min_ects", "min_ects": 6, "rules": [leaf("x"), leaf("y"), leaf("z")]},
        ],
    }
    nested = rule(raw)

    partial = evaluate(nested, {"core": 5, "elective-2": 3, "x": 3})
    assert not partial.satisfied
    assert partial.counted == ("core", "elective-2")
    assert partial.missing == ("y", "z")
    assert [child.satisfied for child in partial.children] == [True, True, False]

    complete = evaluate(nested, {"core": 5, "elective-2": 3, "x": 3, "z": 3})
    assert complete.satisfied
    assert complete.counted == ("core", "elective-2", "x", "z")
    assert complete.ects == 14


def test_cross_provider_components_count_when_their_provider_is_accepted() -> None:
    stack = pathway(all_of("uni:math", "vet:plc"), owner="uni", accepts=["vet"])
    earned_by_provider = {"uni": {"uni:math": 5.0}, "vet": {"vet:plc": 3.0}}

    outcome = evaluate_pathway(stack, earned_by_provider)

    assert outcome.satisfied
    assert outcome.ects == 8


def test_components_from_a_provider_the_pathway_does_not_accept_do_not_count() -> None:
    stack = pathway(all_of("uni:math", "vet:plc"), owner="uni", accepts=[])
    earned_by_provider = {"uni": {"uni:math": 5.0}, "vet": {"vet:plc": 3.0}}

    outcome = evaluate_pathway(stack, earned_by_provider)

    assert not outcome.satisfied
    assert outcome.missing == ("vet:plc",)


def test_accepted_earned_always_includes_the_owner() -> None:
    stack = pathway(leaf("uni:math"), owner="uni", accepts=["academy"])
    earned = accepted_earned(
        {"uni": {"uni:math": 5.0}, "academy": {"academy:cad": None}, "other": {"other:x": 2.0}},
        stack,
    )

    assert earned == {"uni:math": 5.0, "academy:cad": None}


def test_component_ids_lists_every_named_achievement_once_in_order() -> None:
    raw = {"kind": "n_of", "n": 1, "rules": [all_of("b", "a"), leaf("b"), leaf("c")]}

    assert component_ids(rule(raw)) == ("b", "a", "c")
