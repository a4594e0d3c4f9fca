"""Turning what a client sent (JSON, a JWT, a fetched body) into a presented credential,
refusing malformed or hostile input with a reason instead of an error."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..domain.jwt import JwtFormatError, looks_like_jwt, parse_vc_jwt
from ..domain.verification import Presented


class InputError(ValueError):
    """The input cannot be verified at all (not JSON, too deep, not a credential...)."""

    code = "unverifiable_input"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether any value sits deeper than ``limit`` (the top level is depth 1). Level by level
    over the containers only (a leaf only tells that its level exists), so a hostile document
    cannot exhaust the stack here, and a large flat one costs no stack entry per leaf."""
    level, depth = [value], 1
    while depth <= limit:
        deeper = False
        containers: list[Any] = []
        for node in level:
            if isinstance(node, dict):
                children: Iterable[Any] = node.values()
            elif isinstance(node, list):
                children = node
            else:
                continue
            if not children:
                continue
            deeper = True
            containers.extend([c for c in children if isinstance(c, dict | list)])
        if not deeper:
            return False
        level, depth = containers, depth + 1
    return True


class _MemberNamedTwice(ValueError):
    pass


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose members all have different names. Parsers disagree on a name given twice
    (the first value wins, the last, or an error): the credential verified here would not be the
    one another reader of the same text sees. I-JSON (RFC 7493 §2.3) forbids it, and JCS
    (RFC 8785), which eddsa-jcs-2022 signs, is defined on I-JSON only."""
    members = dict(pairs)  # built in C; a name given twice leaves fewer members than pairs
    if len(members) != len(pairs):
        raise _MemberNamedTwice(_first_repeated(name for name, _ in pairs))
    return members


def _first_repeated(names: Iterable[str]) -> str:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    raise AssertionError("no name repeats")


def parse_json(text: str | bytes, max_depth: int) -> Any:
    try:
        value = json.loads(text, object_pairs_hook=_unique_members)
    except RecursionError as exc:
        raise InputError(f"JSON nested deeper than {max_depth} levels") from exc
    except _MemberNamedTwice as exc:
        raise InputError(
            f"ambiguous JSON: an object names the member {str(exc)[:80]!r} twice"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}") from exc
    if json_depth_exceeds(value, max_depth):
        raise InputError(f"JSON nested deeper than {max_depth} levels")
    return value


def present(value: Any, max_depth: int) -> Presented:
    """A credential given as a JSON object, or as a VC-JWT string."""
    if isinstance(value, str):
        if not looks_like_jwt(value):
            raise InputError("a credential string must be a VC-JWT (compact JWS)")
        try:
            jwt = parse_vc_jwt(value)
        except JwtFormatError as exc:
            raise InputError(str(exc)) from exc
        if json_depth_exceeds(jwt.document, max_depth):
            raise InputError(f"JSON nested deeper than {max_depth} levels")
        return Presented(jwt.document, jwt)
    if not isinstance(value, dict):
        raise InputError("a credential must be a JSON object or a VC-JWT string")
    return Presented(value)


def present_body(body: bytes, max_depth: int) -> Presented:
    """A fetched body or an uploaded file: JSON, or a bare JWT."""
    text = body.decode("utf-8", errors="replace").strip()
    if looks_like_jwt(text):
        return present(text, max_depth)
    return present(parse_json(text, max_depth), max_depth)
