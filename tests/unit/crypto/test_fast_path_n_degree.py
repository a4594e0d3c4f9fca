"""RDFC-1.0's n-degree hashing on the fast path (blank nodes that share a first-degree hash)
gives PyLD's canonical N-Quads byte for byte: on the 1EdTech fixture that needs it, on
credentials with identical sub-objects, on the classic hard graphs (rings, twin rings, cliques,
bipartite graphs) and on hypothesis-generated graphs of blank nodes, under any labelling."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest
from crypto_data import ONEEDTECH, RICH, load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from microcred_shared.crypto import fast_rdfc, reference_rdfc
from microcred_shared.crypto.fast_expand import Dataset
from microcred_shared.crypto.fast_rdfc import (
    canonicalize_dataset,
    fast_canonicalize,
    reference_canonicalize_dataset,
)
from microcred_shared.crypto.loader import default_loader

P, Q = "<https://ex.example/p>", "<https://ex.example/q>"
LITERAL = '"x"'
IRI = "<https://ex.example/thing>"

Triple = tuple[str, str, str]


def dataset_of(quads: set[Triple]) -> Dataset:
    return Dataset(quads=set(quads))


def blank(i: int) -> str:
    return f"_:b{i}"


def ring(size: int, start: int = 0) -> set[Triple]:
    return {(blank(start + i), P, blank(start + (i + 1) % size)) for i in range(size)}


def clique(size: int) -> set[Triple]:
    return {(blank(i), P, blank(j)) for i in range(size) for j in range(size) if i != j}


def bipartite(left: int, right: int) -> set[Triple]:
    return {(blank(i), P, blank(left + j)) for i in range(left) for j in range(right)}


HARD_GRAPHS: dict[str, set[Triple]] = {
    "a ring of five": ring(5),
    "two rings of three": ring(3) | ring(3, start=3),
    "a ring of three beside a ring of six": ring(3) | ring(6, start=3),
    "a clique of four": clique(4),
    "a complete bipartite graph 3x3": bipartite(3, 3),
    "a ring with one marked node": ring(6) | {(blank(0), Q, LITERAL)},
    "a ring hanging from an IRI": ring(4) | {(IRI, P, blank(0)), (IRI, P, blank(2))},
    "self-loops and a twin": {(blank(0), P, blank(0)), (blank(1), P, blank(1)), (IRI, Q, blank(0))},
    "a chain with both directions": {(blank(i), P, blank(i + 1)) for i in range(4)}
    | {(blank(i + 1), Q, blank(i)) for i in range(4)},
}


def relabelled(quads: set[Triple], order: list[int]) -> set[Triple]:
    """The same graph with blank node ``_:bI`` renamed ``_:bORDER[I]``."""

    def rename(term: str) -> str:
        return blank(order[int(term[3:])]) if term.startswith("_:b") else term

    return {(rename(s), p, rename(o)) for s, p, o in quads}


def blank_count(quads: set[Triple]) -> int:
    return len({t for s, _, o in quads for t in (s, o) if t.startswith("_:")})


@pytest.mark.parametrize("name", HARD_GRAPHS)
def test_hard_graphs_are_labelled_as_pyld_labels_them(name: str) -> None:
    quads = HARD_GRAPHS[name]
    expected = reference_canonicalize_dataset(dataset_of(quads))
    assert canonicalize_dataset(dataset_of(quads)) == expected
    count = blank_count(quads)
    for order in itertools.islice(itertools.permutations(range(count)), 24):
        assert canonicalize_dataset(dataset_of(relabelled(quads, list(order)))) == expected


def test_the_1edtech_fixture_with_alike_blank_nodes_takes_the_n_degree_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = fast_rdfc.canonical_labels

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(fast_rdfc, "canonical_labels", counting)
    signed = load(ONEEDTECH / "credential-status-revoked.json")
    document = {k: v for k, v in signed.items() if k != "proof"}  # what its proof covers
    fast = fast_canonicalize(document, default_loader())
    assert fast is not None
    assert fast == reference_rdfc(document)
    assert calls


def test_a_rich_credential_with_twin_sub_objects_gets_pyld_s_bytes() -> None:
    document = load(RICH)
    achievement = document["credentialSubject"]["achievement"]
    alignment = achievement["alignment"][0]
    achievement["alignment"] = [alignment, copy.deepcopy(alignment), copy.deepcopy(alignment)]
    results = document["credentialSubject"].get("result") or []
    if results:
        document["credentialSubject"]["result"] = [results[0], copy.deepcopy(results[0])]
    fast = fast_canonicalize(document, default_loader())
    assert fast is not None
    assert fast == reference_rdfc(document)


TERMS = st.sampled_from([P, Q])


@st.composite
def blank_node_graphs(draw: st.DrawFn) -> set[Triple]:
    """Small graphs of blank nodes with few predicates and objects, so that many nodes are
    alike at first degree (the case the n-degree algorithm is for)."""
    size = draw(st.integers(min_value=2, max_value=7))
    nodes = st.integers(min_value=0, max_value=size - 1).map(blank)
    objects = st.one_of(nodes, nodes, st.sampled_from([LITERAL, IRI]))
    edges = draw(st.lists(st.tuples(nodes, TERMS, objects), min_size=1, max_size=14))
    anchors = draw(st.lists(st.tuples(st.just(IRI), TERMS, nodes), max_size=2))
    return set(edges) | set(anchors)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(blank_node_graphs(), st.randoms(use_true_random=False))
def test_generated_blank_node_graphs_are_labelled_as_pyld_labels_them(
    quads: set[Triple], random: Any
) -> None:
    expected = reference_canonicalize_dataset(dataset_of(quads))
    assert canonicalize_dataset(dataset_of(quads)) == expected
    labels = sorted({int(t[3:]) for s, _, o in quads for t in (s, o) if t.startswith("_:")})
    order = list(range(max(labels) + 1))
    random.shuffle(order)
    assert canonicalize_dataset(dataset_of(relabelled(quads, order))) == expected
