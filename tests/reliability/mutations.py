"""The forgery corpus's mutations: pure functions from a genuine signed credential to forged
variants of it, each one change (see test_forgery_corpus.py, which posts them to the verifier).

A path is the tuple of keys and indexes from the document's root to a value, e.g.
``("credentialSubject", "achievement", "alignment", 0, "targetName")``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from microcred_shared.crypto import (
    EDDSA_JCS_2022,
    Ed25519Multikey,
    ProofError,
    create_proof,
    decode_base58btc,
    encode_base58btc,
)

Path = tuple[str | int, ...]
VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXTS = (
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)
# A unique stand-in key, replaced in the serialised text by the duplicated member's name.
_DUPLICATE_MARKER = "__forgery-corpus-duplicate-member__"


@dataclass(frozen=True)
class Mutation:
    """One forged variant of a genuine credential.

    ``document`` is what is posted; ``raw`` (when set) is the exact request body instead, for
    forgeries JSON cannot express as a parsed value (a member named twice).
    ``may_be_null`` marks the few kinds of change that can leave the credential's meaning
    untouched (see :func:`test_forgery_corpus.semantically_null`); every other mutation must be
    rejected whatever it does.
    """

    shape: str
    kind: str
    where: str
    document: Any
    raw: bytes | None = None
    may_be_null: bool = False

    @property
    def label(self) -> str:
        return f"{self.shape}: {self.kind} at {self.where}"

    def body(self) -> bytes:
        return (
            self.raw if self.raw is not None else json.dumps({"credential": self.document}).encode()
        )


def render(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "/"


def get(document: Any, path: Path) -> Any:
    node = document
    for part in path:
        node = node[part]
    return node


def leaves(node: Any, path: Path = ()) -> Iterator[Path]:
    """Every scalar (string, number, boolean, null) of the document, proofs included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path


def array_elements(node: Any, path: Path = ()) -> Iterator[Path]:
    """Every element of every array, objects included (a whole result, a whole proof...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from array_elements(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from array_elements(value, (*path, index))


def altered(value: Any) -> Any:
    """A different value of the same type: strings altered (a date-time moved a day, so it stays
    a valid date-time), numbers +1, booleans flipped, null made a string."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        moved = _moved_datetime(value)
        if moved is not None:
            return moved
        return _last_character_changed(value) if value else "x"
    return "x"


def _moved_datetime(value: str) -> str | None:
    if len(value) < 20 or value[4] != "-" or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    moved = (parsed + timedelta(days=1)).isoformat()
    return moved.replace("+00:00", "Z") if value.endswith("Z") else moved


def _last_character_changed(value: str) -> str:
    """The last letter or digit changed within its class (z→a, 9→1), keeping URLs, DIDs and
    base58 text well-formed; text without one gets a character appended."""
    for index in range(len(value) - 1, -1, -1):
        char = value[index]
        if char.isascii() and char.isalnum():
            if char.isdigit():
                new = "1" if char == "9" else chr(ord(char) + 1)
            elif char in "zZ":
                new = chr(ord(char) - 25)
            else:
                new = chr(ord(char) + 1)
            if new in "0OIl":  # not base58: skip over it
                new = chr(ord(new) + 1)
            return value[:index] + new + value[index + 1 :]
    return value + "x"


def set_at(document: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    mutated = copy.deepcopy(document)
    parent = get(mutated, path[:-1])
    parent[path[-1]] = value
    return mutated


def removed_at(document: dict[str, Any], path: Path) -> dict[str, Any]:
    mutated = copy.deepcopy(document)
    parent = get(mutated, path[:-1])
    del parent[path[-1]]
    return mutated


def duplicated_at(document: dict[str, Any], path: Path) -> dict[str, Any]:
    mutated = copy.deepcopy(document)
    parent = get(mutated, path[:-1])
    index = path[-1]
    assert isinstance(parent, list)
    assert isinstance(index, int)
    parent.insert(index + 1, copy.deepcopy(parent[index]))
    return mutated


def duplicate_member_body(document: dict[str, Any], path: Path) -> bytes:
    """The request body with the member at ``path`` named twice: a forged value first, the
    genuine value last. A last-wins JSON parser reads the genuine credential; a first-wins one
    reads the forgery. I-JSON (RFC 7493), which JCS (RFC 8785) requires, forbids this."""
    mutated = copy.deepcopy(document)
    parent = get(mutated, path[:-1])
    name = path[-1]
    assert isinstance(parent, dict)
    assert isinstance(name, str)
    members = list(parent.items())
    parent.clear()
    for key, value in members:
        if key == name:
            parent[_DUPLICATE_MARKER] = altered(value)
        parent[key] = value
    text = json.dumps({"credential": mutated})
    return text.replace(json.dumps(_DUPLICATE_MARKER), json.dumps(name), 1).encode()


def with_proofs(document: Mapping[str, Any], proofs: list[dict[str, Any]]) -> dict[str, Any]:
    return {**copy.deepcopy(dict(document)), "proof": copy.deepcopy(proofs)}


def unsigned(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}


def signed_by(
    document: Mapping[str, Any],
    key: Ed25519Multikey,
    suite: str,
    *,
    verification_method: str | None = None,
) -> dict[str, Any]:
    """``document`` with its proofs replaced by one from ``key`` (as the issuer signs: a proof
    array). ``verification_method`` lets the proof claim someone else's key."""
    bare = unsigned(document)
    try:
        proof = create_proof(bare, key, suite=suite, verification_method=verification_method)
    except ProofError:
        # Not JSON-LD RDFC can read (an unknown context, an undefined term): an attacker signs
        # it with eddsa-jcs-2022, which signs any JSON.
        proof = create_proof(
            bare, key, suite=EDDSA_JCS_2022, verification_method=verification_method
        )
    return {**bare, "proof": [proof]}


def signature_bit_flipped(proof_value: str, byte: int) -> str:
    """The same 64-byte signature with one bit flipped: well-formed, and wrong."""
    signature = bytearray(decode_base58btc(proof_value))
    signature[byte] ^= 0x01
    return encode_base58btc(bytes(signature))


def members(node: Any, path: Path = ()) -> Iterator[Path]:
    """Every member of every object and every array element, whole subtrees included: what
    "removed" takes away (a leaf, or e.g. the whole credentialStatus)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from members(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from members(value, (*path, index))


def context_changes(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The @context reordered, extended, reduced, or of another version (entries removed,
    altered and duplicated one by one are leaf and element mutations)."""
    contexts: list[Any] = list(document["@context"])

    def with_contexts(new: Any) -> dict[str, Any]:
        return {**copy.deepcopy(document), "@context": new}

    for index in range(len(contexts) - 1):
        swapped = list(contexts)
        swapped[index], swapped[index + 1] = swapped[index + 1], swapped[index]
        yield "@context reordered", f"@context[{index}] <-> [{index + 1}]", with_contexts(swapped)
    yield "@context reordered", "@context reversed", with_contexts(contexts[::-1])
    extras: list[tuple[str, Any]] = [
        ("a bundled context", "https://www.w3.org/ns/credentials/examples/v2"),
        ("an unknown context", "https://attacker.example/contexts/v1"),
        ("an inline @vocab", {"@vocab": "https://attacker.example/vocab#"}),
        ("an inline redefinition of name", {"name": "https://attacker.example/vocab#name"}),
        (
            "an inline redefinition of eqfLevel",
            {"eqfLevel": "https://attacker.example/vocab#level"},
        ),
    ]
    for what, extra in extras:
        yield "@context extended", f"{what} appended", with_contexts([*contexts, extra])
        yield (
            "@context extended",
            f"{what} after the first",
            with_contexts([contexts[0], extra, *contexts[1:]]),
        )
    yield "@context cut", "only the first entry", with_contexts(contexts[0])
    for index, entry in enumerate(contexts):
        others: tuple[str, ...] = ()
        if entry == VC_V2:
            others = (VC_V1,)
        elif entry in OB_CONTEXTS:
            others = tuple(c for c in OB_CONTEXTS if c != entry)
        for other in others:
            replaced = list(contexts)
            replaced[index] = other
            yield "@context version", f"@context[{index}] = {other}", with_contexts(replaced)
