"""Hypothesis-generated credentials: the fast path answers exactly what the PyLD reference
answers (the same canonical N-Quads, or the same error) for random nesting, arrays, lists,
language maps and tags, numbers such as 4.0 / 1e21 / -0.0, unicode with control characters,
missing ids (blank nodes) and identical sub-objects (automorphic blank nodes)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from microcred_shared.crypto import canonicalize_rdfc, reference_rdfc
from microcred_shared.crypto.fast_contexts import context_tree
from microcred_shared.crypto.fast_expand import to_dataset
from microcred_shared.crypto.fast_rdfc import (
    canonicalize_dataset,
    fast_canonicalize,
    parse_literal,
)
from microcred_shared.crypto.loader import default_loader

VC = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EX = "https://ex.example/vocab#"

INLINE_CONTEXTS: list[dict[str, Any]] = [
    {"seq": {"@id": EX + "seq", "@container": "@list"}},
    {"dbl": {"@id": EX + "dbl", "@type": "http://www.w3.org/2001/XMLSchema#double"}},
    {"ref": {"@id": EX + "ref", "@type": "@id"}},
    {"word": {"@id": EX + "word", "@type": "@vocab"}},
    {"langMap": {"@id": EX + "langMap", "@container": "@language"}},
    {"tagged": {"@id": EX + "tagged", "@language": "de"}},
    {"@language": "en"},
    {"nothing": None},
]
TYPES = [
    "Achievement",
    "Alignment",
    "Result",
    "ResultDescription",
    "Profile",
    "Evidence",
    "IdentityObject",
    "Criteria",
    "Address",
    "AchievementSubject",
    "RubricCriterionLevel",
    "MadeUpType",
]
KEYS = [
    "name",
    "description",
    "narrative",
    "targetName",
    "targetUrl",
    "creditsAvailable",
    "value",
    "allowedValue",
    "tag",
    "identityHash",
    "hashed",
    "alignment",
    "achievement",
    "result",
    "validFrom",
    "custom",
    "seq",
    "dbl",
    "ref",
    "word",
    "langMap",
    "tagged",
    "nothing",
]
IDS = [
    "urn:uuid:7f0c1e2a-0000-4000-8000-000000000001",
    "urn:uuid:7f0c1e2a-0000-4000-8000-000000000002",
    "https://ex.example/nodes/2",
    "did:example:issuer",
    "https://ex.example/nodes/1",
    "did:example:learner",
    "relative/node",
    "_:b7",
]

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "tab\t", 'q"uote\\', "\x00\x01\x7f\b\f", "Doe", "2025-06-30T12:00:00Z"]
)
numbers = st.sampled_from([0, 4, -7, 4.0, -0.0, 1.5, 1e21, 1e-7, 10**21, 2**53 + 1, 123.456e5])
scalars = text | numbers | st.booleans() | st.none()


def nodes(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    identity = st.fixed_dictionaries(
        {},
        optional={
            "id": st.sampled_from(IDS),
            "type": st.sampled_from(TYPES) | st.lists(st.sampled_from(TYPES), max_size=3),
        },
    )
    properties = st.dictionaries(st.sampled_from(KEYS), children, max_size=5)
    return st.builds(lambda a, b: {**a, **b}, identity, properties)


def twins(values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """Two identical sub-objects: blank nodes only the n-degree hash tells apart."""
    return values.map(lambda v: [v, copy.deepcopy(v)])


values = st.recursive(
    scalars,
    lambda children: (
        nodes(children)
        | st.lists(children, max_size=3)
        | twins(nodes(children))
        | st.dictionaries(st.sampled_from(["en", "de", "fr-CA"]), text, min_size=1, max_size=2)
    ),
    max_leaves=12,
)
# Mostly with a vocabulary for undefined terms (VC 2.0 has none: they are safe-mode errors).
VOCAB = st.sampled_from([[{"@vocab": EX}]] * 4 + [[]])
credentials = st.builds(
    lambda vocab, extra, node: {"@context": [VC, OB, *vocab, *extra], **node},
    VOCAB,
    st.lists(st.sampled_from(INLINE_CONTEXTS), max_size=2),
    nodes(values),
)


def outcome(canonicalize: Any, document: dict[str, Any]) -> tuple[str, str]:
    try:
        return "ok", canonicalize(document)
    except Exception as exc:
        return type(exc).__name__, str(exc)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(credentials)
def test_generated_credentials_canonicalise_as_the_reference_does(
    document: dict[str, Any],
) -> None:
    assert outcome(canonicalize_rdfc, document) == outcome(reference_rdfc, document)


def test_identical_sub_objects_are_canonicalised_by_the_n_degree_algorithm() -> None:
    alignment = {"type": "Alignment", "targetName": "Same\u000c", "targetUrl": "https://x.example"}
    document = {
        "@context": [VC, OB],
        "type": ["Achievement"],
        "name": "Twins",
        "alignment": [alignment, copy.deepcopy(alignment)],
    }
    fast = fast_canonicalize(document, default_loader())
    assert fast is not None
    assert fast == reference_rdfc(document)
    assert "_:c14n2" in fast  # three blank nodes: the achievement and two alignments


def test_literals_round_trip_through_the_hard_case_unchanged() -> None:
    document = {
        "@context": [VC, OB],
        "type": "Achievement",
        "name": 'ctrl \x00\x1f\x7f \b\t\n\f\r "q" \\u0041 \\',
        "creditsAvailable": 2.5,
    }
    dataset = to_dataset(document, context_tree(default_loader()).root)
    for _, _, obj in dataset.quads:
        if obj.startswith('"'):
            lexical, _ = parse_literal(obj)
            assert lexical in (document["name"], "2.5E0")
    assert canonicalize_dataset(dataset) == reference_rdfc(document)


def test_two_values_with_one_canonical_double_stay_two_quads_as_in_the_reference() -> None:
    document = {
        "@context": [VC, OB, {"@vocab": EX}],
        "id": "urn:uuid:7f0c1e2a-0000-4000-8000-000000000009",
        "score": [0.3, 0.30000000000000004],
    }
    assert canonicalize_rdfc(document) == reference_rdfc(document)
    assert canonicalize_rdfc(document).count("3.0E-1") == 2  # PyLD keeps both


def test_a_node_given_twice_with_an_empty_list_matches_the_reference() -> None:
    node = {"id": "urn:uuid:7f0c1e2a-0000-4000-8000-000000000001", "seq": []}
    document = {
        "@context": [VC, OB, {"@vocab": EX}, INLINE_CONTEXTS[0]],
        "custom": [node, copy.deepcopy(node)],
    }
    assert canonicalize_rdfc(document) == reference_rdfc(document)
