"""What a client sent, parsed: the depth limit and the refusal of a member named twice."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from microcred_verifier.service_layer.intake import InputError, json_depth_exceeds, parse_json

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=30,
)


def depth(value: Any) -> int:
    """The definition: the top level is 1, each container's members one deeper."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 1


@given(JSON, st.integers(min_value=1, max_value=8))
def test_the_depth_limit_is_the_definitions(value: Any, limit: int) -> None:
    assert json_depth_exceeds(value, limit) == (depth(value) > limit)


@pytest.mark.parametrize(
    ("text", "deepest"),
    [("1", 1), ("{}", 1), ("[]", 1), ('{"a": 1}', 2), ("[[]]", 2), ('[{"a": [1]}]', 4)],
)
def test_a_document_as_deep_as_the_limit_is_parsed_and_one_level_more_refused(
    text: str, deepest: int
) -> None:
    assert parse_json(text, deepest) == json.loads(text)
    if deepest > 1:
        with pytest.raises(InputError, match="nested deeper"):
            parse_json(text, deepest - 1)


def test_a_member_named_twice_at_any_depth_is_named_in_the_refusal() -> None:
    with pytest.raises(InputError, match="names the member 'id' twice"):
        parse_json('{"a": [{"b": 1, "id": 2, "id": 3}]}', 64)


def test_members_named_alike_in_different_objects_are_fine() -> None:
    assert parse_json('{"id": {"id": 1}, "x": [{"id": 2}]}', 64) == {
        "id": {"id": 1},
        "x": [{"id": 2}],
    }
