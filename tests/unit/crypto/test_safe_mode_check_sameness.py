"""The "every term is defined" check (``check_safe_mode``) answers from the fast path's compiled
contexts and still gives PyLD safe mode's verdict and message, on the W3C vectors, the 1EdTech
fixtures, the rich credential and its variations, every shape our issuer signs, those shapes
forged the ways the forgery corpus forges them (leaves altered, members removed, keys renamed to
undefined terms, @context reordered, cut or extended) and hypothesis-generated documents."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from typing import Any

import pytest
from crypto_data import RICH, load
from hypothesis import HealthCheck, given, settings
from microcred_shared.crypto import canonicalize, check_safe_mode, expand_safe
from test_fast_path_generated import credentials
from test_fast_path_issuer_shapes import issued_documents
from test_fast_path_sameness import FIXTURES, INLINE_CASES, documents_in, rich_variations

from tests.reliability import mutations as m

UNDEFINED_KEY = "termNoContextDefines"


def verdict(check: Any, document: dict[str, Any]) -> tuple[str, str]:
    """("ok", "") or (error type, message): what a safe-mode check answers."""
    try:
        check(document)
    except Exception as exc:
        return type(exc).__name__, str(exc)
    return "ok", ""


def assert_same_verdict(document: dict[str, Any]) -> None:
    assert verdict(check_safe_mode, document) == verdict(expand_safe, document)


def forgeries(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The forgery corpus's single-change mutations of ``document`` (proof left out: the
    verifier checks the document without it)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    for path in m.leaves(unsecured):
        yield m.set_at(unsecured, path, m.altered(m.get(unsecured, path)))
    for path in m.members(unsecured):
        yield m.removed_at(unsecured, path)
        if isinstance(path[-1], str) and path[-1] != "@context":
            yield renamed(unsecured, path, UNDEFINED_KEY)
    for _, _, changed in m.context_changes(unsecured):
        yield changed


def renamed(document: dict[str, Any], path: m.Path, key: str) -> dict[str, Any]:
    mutated = copy.deepcopy(document)
    parent = m.get(mutated, path[:-1])
    parent[key] = parent.pop(path[-1])
    return mutated


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_vector_and_fixture_gets_the_safe_mode_verdict(path: Any) -> None:
    for document in documents_in(path):
        assert_same_verdict(document)


@pytest.mark.parametrize("variation", range(7))
def test_variations_of_the_rich_credential_get_the_safe_mode_verdict(variation: int) -> None:
    assert_same_verdict(list(rich_variations())[variation])


@pytest.mark.parametrize("document", INLINE_CASES)
def test_inline_contexts_and_errors_get_the_safe_mode_verdict(document: dict[str, Any]) -> None:
    assert_same_verdict(document)


def test_forgeries_of_the_rich_credential_get_the_safe_mode_verdict() -> None:
    verdicts = set()
    for forged in forgeries(load(RICH)):
        assert_same_verdict(forged)
        verdicts.add(verdict(expand_safe, forged)[0])
    assert {"ok", "SafeModeError"} <= verdicts  # the corpus has both kinds


def test_forgeries_of_every_issued_shape_get_the_safe_mode_verdict() -> None:
    undefined_terms = 0
    for signed in asyncio.run(issued_documents()):
        for forged in forgeries(signed):
            assert_same_verdict(forged)
            message = verdict(expand_safe, forged)[1]
            undefined_terms += f"term {UNDEFINED_KEY!r} is not defined" in message
    assert undefined_terms > 0


def test_a_credential_the_fast_path_covers_never_reaches_pyld(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("fell back to PyLD")

    monkeypatch.setattr(canonicalize, "expand_safe", refuse)
    document = load(RICH)
    check_safe_mode({k: v for k, v in document.items() if k != "proof"})


def test_an_undefined_term_is_refused_with_pyld_s_message() -> None:
    document = {k: v for k, v in load(RICH).items() if k != "proof"}
    document["credentialSubject"][UNDEFINED_KEY] = "x"
    with pytest.raises(Exception, match=f"term '{UNDEFINED_KEY}' is not defined"):
        check_safe_mode(document)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(credentials)
def test_generated_documents_get_the_safe_mode_verdict(document: dict[str, Any]) -> None:
    assert_same_verdict(document)
