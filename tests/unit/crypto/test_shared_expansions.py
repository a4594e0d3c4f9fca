"""Within one verification a document's copies are expanded once; outside it, never shared."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from microcred_shared.crypto import default_loader
from microcred_shared.crypto.canonicalize import canonicalize_rdfc
from microcred_shared.crypto.fast_contexts import context_tree
from microcred_shared.crypto.fast_expand import shared_expansions, to_dataset

RICH = Path(__file__).resolve().parents[2] / "data" / "credentials" / "rich-openbadge.json"


def _unsigned() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(RICH.read_text())
    document.pop("proof", None)
    return document


def test_a_copy_with_the_same_members_is_expanded_once_within_the_block() -> None:
    root = context_tree(default_loader()).root
    document = _unsigned()
    with shared_expansions():
        first = to_dataset(document, root)
        again = to_dataset(dict(document), root)
    assert again is first


def test_a_copy_with_a_member_changed_is_expanded_anew() -> None:
    root = context_tree(default_loader()).root
    document = _unsigned()
    altered = {**document, "credentialSubject": copy.deepcopy(document["credentialSubject"])}
    altered["credentialSubject"]["achievement"]["name"] = "Something else"
    with shared_expansions():
        first = to_dataset(document, root)
        second = to_dataset(altered, root)
    assert second is not first
    assert second.quads != first.quads


def test_nothing_is_shared_outside_the_block() -> None:
    root = context_tree(default_loader()).root
    document = _unsigned()
    with shared_expansions():
        inside = to_dataset(document, root)
    assert to_dataset(document, root) is not inside
    assert to_dataset(document, root) is not to_dataset(document, root)


def test_a_shared_expansion_canonicalises_as_a_fresh_one() -> None:
    document = _unsigned()
    fresh = canonicalize_rdfc(document)
    with shared_expansions():
        canonicalize_rdfc(document)
        shared = canonicalize_rdfc(dict(document))
    assert shared == fresh
