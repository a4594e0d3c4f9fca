"""RDFC-1.0 for blank nodes alike at first degree: Hash N-Degree Quads (W3C RDF Dataset
Canonicalization §4.8) and the canonical labelling that uses it (§4.4.3, steps 4 to 6).

It follows PyLD's ``URDNA2015`` step for step — the same permutation order included — so its
labels, and therefore the canonical N-Quads, are the reference's byte for byte. Two things make
it faster than PyLD's: quads are N-Quads term strings (no dictionaries to copy and re-serialise)
and an identifier issuer is an insertion-ordered dict, copied with ``dict(...)`` instead of
``copy.deepcopy``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from pyld.canon import permutations  # type: ignore[import-untyped,unused-ignore]

Quad = tuple[str, str, str]
# An identifier issuer (RDFC-1.0 §4.5): existing blank node → issued identifier, in issue order.
Issuer = dict[str, str]

CANONICAL_PREFIX = "_:c14n"
TEMPORARY_PREFIX = "_:b"


def issue(issuer: Issuer, prefix: str, node: str) -> str:
    """The Issue Identifier algorithm (§4.5): the node's identifier, issued now if need be."""
    issued = issuer.get(node)
    if issued is None:
        issued = issuer[node] = prefix + str(len(issuer))
    return issued


def canonical_labels(first_degree: dict[str, str], node_quads: dict[str, list[Quad]]) -> Issuer:
    """Every blank node's canonical identifier, from its first-degree hash and its quads."""
    by_hash: defaultdict[str, list[str]] = defaultdict(list)
    for node, node_hash in first_degree.items():
        by_hash[node_hash].append(node)
    canonical: Issuer = {}
    shared: list[list[str]] = []
    for node_hash in sorted(by_hash):
        nodes = by_hash[node_hash]
        if len(nodes) == 1:
            issue(canonical, CANONICAL_PREFIX, nodes[0])
        else:
            shared.append(nodes)
    n_degree = _NDegreeHasher(first_degree, node_quads, canonical)
    for nodes in shared:
        results = [
            n_degree.hash(node, {node: TEMPORARY_PREFIX + "0"})
            for node in nodes
            if node not in canonical
        ]
        for _, issuer in sorted(results, key=lambda result: result[0]):
            for existing in issuer:
                issue(canonical, CANONICAL_PREFIX, existing)
    return canonical


class _NDegreeHasher:
    def __init__(
        self, first_degree: dict[str, str], node_quads: dict[str, list[Quad]], canonical: Issuer
    ) -> None:
        self._first_degree = first_degree
        self._node_quads = node_quads
        self._canonical = canonical

    def hash(self, node: str, issuer: Issuer) -> tuple[str, Issuer]:
        """Hash N-Degree Quads (§4.8): the node's hash and the issuer of the chosen path."""
        data: list[str] = []
        for related_hash, related in sorted(self._hash_to_related(node, issuer).items()):
            data.append(related_hash)
            chosen_path, chosen_issuer = "", issuer
            for permutation in permutations(related):
                found = self._path(permutation, issuer, chosen_path)
                if found is not None and (not chosen_path or found[0] < chosen_path):
                    chosen_path, chosen_issuer = found
            data.append(chosen_path)
            issuer = chosen_issuer
        return hashlib.sha256("".join(data).encode()).hexdigest(), issuer

    def _path(
        self, permutation: list[str], issuer: Issuer, chosen_path: str
    ) -> tuple[str, Issuer] | None:
        """§4.8 steps 5.4.1 to 5.4.5: the path of one permutation and the issuer it leaves,
        or None as soon as it cannot beat ``chosen_path``."""
        issuer_copy = dict(issuer)
        path = ""
        recursion: list[str] = []
        for related in permutation:
            label = self._canonical.get(related)
            if label is None:
                if related not in issuer_copy:
                    recursion.append(related)
                label = issue(issuer_copy, TEMPORARY_PREFIX, related)
            path += label
            if _worse(path, chosen_path):
                return None
        for related in recursion:
            result_hash, issuer_copy = self.hash(related, issuer_copy)
            path += issue(issuer_copy, TEMPORARY_PREFIX, related) + "<" + result_hash + ">"
            if _worse(path, chosen_path):
                return None
        return path, issuer_copy

    def _hash_to_related(self, node: str, issuer: Issuer) -> dict[str, list[str]]:
        """§4.8 steps 1 to 3: the blank nodes the node's quads mention, by related hash."""
        related: defaultdict[str, list[str]] = defaultdict(list)
        for subject, predicate, object_ in self._node_quads[node]:
            if subject[0] == "_" and subject != node:
                related[self._related_hash(subject, predicate, issuer, "s")].append(subject)
            if object_[0] == "_" and object_ != node:
                related[self._related_hash(object_, predicate, issuer, "o")].append(object_)
        return related

    def _related_hash(self, related: str, predicate: str, issuer: Issuer, position: str) -> str:
        """Hash Related Blank Node (§4.7); ``predicate`` is already written ``<iri>``."""
        label = self._canonical.get(related) or issuer.get(related) or self._first_degree[related]
        return hashlib.sha256((position + predicate + label).encode()).hexdigest()


def _worse(path: str, chosen_path: str) -> bool:
    """§4.8 steps 5.4.4.3 and 5.4.5.5: this permutation can no longer be the chosen one."""
    return bool(chosen_path) and len(path) >= len(chosen_path) and path > chosen_path
