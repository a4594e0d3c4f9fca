"""The fast ``eddsa-rdfc-2022`` canonicalisation: compiled contexts, one-pass expansion to quads,
and RDFC-1.0 with a fast path for the common case.

RDFC-1.0 labels blank nodes in the order of their first-degree hashes when those hashes are all
different, which is the case for most credentials (each blank node — an address, a result, an
alignment — has distinct content). When two blank nodes share a first-degree hash (identical
sub-objects), ``fast_ndegree`` labels them with the n-degree algorithm, as PyLD would.
:func:`fast_canonicalize` returns None whenever the document is outside what the fast expansion
covers; the caller then uses the reference path.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from pyld.canon import URDNA2015  # type: ignore[import-untyped,unused-ignore]

from microcred_shared.crypto.fast_contexts import Unsupported, context_tree
from microcred_shared.crypto.fast_expand import Dataset, to_dataset
from microcred_shared.crypto.fast_ndegree import canonical_labels
from microcred_shared.crypto.fast_terms import XSD_STRING
from microcred_shared.crypto.loader import OfflineDocumentLoader

Quad = tuple[str, str, str]


def fast_canonicalize(document: Mapping[str, Any], loader: OfflineDocumentLoader) -> str | None:
    """Canonical N-Quads of ``document``, or None when the reference path must decide."""
    try:
        dataset = to_dataset(document, context_tree(loader).root)
    except Unsupported:
        return None
    except Exception:  # e.g. a context PyLD rejects: the reference path raises that error
        return None
    return canonicalize_dataset(dataset)


def canonicalize_dataset(dataset: Dataset) -> str:
    """RDFC-1.0 over a default-graph dataset (canonical N-Quads, sorted).

    Each quad is written once for the first-degree hashes (RDFC-1.0 §4.6: the blank node being
    hashed as ``_:a``, any other as ``_:z``) and once for the output, sharing the part after
    the subject when only the subject is a blank node (the common case).
    """
    lines: list[str] = []  # quads without blank nodes: already final
    hash_lines: defaultdict[str, list[str]] = defaultdict(list)  # blank node → its quads, hashed
    subject_blank: list[tuple[str, str]] = []  # (blank subject, " <p> object .\n")
    object_blank: list[Quad] = []
    for s, p, o in dataset.quads:
        if o[0] == "_":
            object_blank.append((s, p, o))
            if s == o:  # both positions mention it: hashed twice, as RDFC-1.0 lists it twice
                hash_lines[s].extend([f"_:a {p} _:a .\n"] * 2)
            elif s[0] == "_":
                hash_lines[s].append(f"_:a {p} _:z .\n")
                hash_lines[o].append(f"_:z {p} _:a .\n")
            else:
                hash_lines[o].append(f"{s} {p} _:a .\n")
        else:
            rest = f" {p} {o} .\n"
            if s[0] == "_":
                subject_blank.append((s, rest))
                hash_lines[s].append("_:a" + rest)
            else:
                lines.append(s + rest)
    sha256 = hashlib.sha256
    hashed = sorted(
        (sha256("".join(sorted(node_lines)).encode()).hexdigest(), node)
        for node, node_lines in hash_lines.items()
    )
    if any(hashed[i][0] == hashed[i + 1][0] for i in range(len(hashed) - 1)):
        labels = canonical_labels({node: h for h, node in hashed}, _quads_by_blank_node(dataset))
    else:
        labels = {node: f"_:c14n{i}" for i, (_, node) in enumerate(hashed)}
    lines.extend([labels[s] + rest for s, rest in subject_blank])
    lines.extend([f"{labels.get(s, s)} {p} {labels[o]} .\n" for s, p, o in object_blank])
    lines.sort()
    return "".join(lines)


def _quads_by_blank_node(dataset: Dataset) -> dict[str, list[Quad]]:
    """RDFC-1.0's blank node to quads map (a quad mentioning one node twice is listed once)."""
    quads: defaultdict[str, list[Quad]] = defaultdict(list)
    for quad in dataset.quads:
        s, _, o = quad
        if s[0] == "_":
            quads[s].append(quad)
        if o[0] == "_" and o != s:
            quads[o].append(quad)
    return quads


def reference_canonicalize_dataset(dataset: Dataset) -> str:
    """PyLD's RDFC-1.0 on the same quads (the reference for the n-degree differential tests)."""
    triples = [
        {"subject": _term(s, dataset), "predicate": _term(p, dataset), "object": _term(o, dataset)}
        for s, p, o in dataset.quads
    ]
    result: str = URDNA2015().main({"@default": triples}, {"format": "application/n-quads"})
    return result


def _term(term: str, dataset: Dataset) -> dict[str, str]:
    if term[0] == "<":
        return {"type": "IRI", "value": term[1:-1]}
    if term[0] == "_":
        return {"type": "blank node", "value": term}
    lexical, datatype = parse_literal(term)
    return {"type": "literal", "value": lexical, "datatype": datatype}


_UNESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_SEQUENCE = re.compile(r'\\(u[0-9A-F]{4}|[btnfr"\\])')


def parse_literal(term: str) -> tuple[str, str]:
    """(lexical form, datatype) of a literal term as fast_expand writes it."""
    end = term.rindex('"')  # datatype IRIs never contain a quote (safe mode refuses it)
    datatype = term[end + 4 : -1] if term.startswith("^^<", end + 1) else XSD_STRING
    lexical = _ESCAPE_SEQUENCE.sub(_unescape, term[1:end])
    return lexical, datatype


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if code[0] == "u" else _UNESCAPES[code]
