"""Canonicalisation details: the offline loader, safe mode, canonical N-Quads escaping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crypto_data import W3C, load
from microcred_shared.crypto import (
    CanonicalizationError,
    ContextNotBundledError,
    OfflineDocumentLoader,
    SafeModeError,
    canonicalize_jcs,
    canonicalize_rdfc,
    expand_safe,
    load_context_dir,
    reference_rdfc,
    set_rdfc_implementation,
)
from microcred_shared.crypto.loader import bundled_context_urls
from microcred_shared.crypto.nquads_escape import canonical_escape

CONTEXTS = Path(__file__).resolve().parents[3] / "shared/microcred_shared/crypto/contexts"


def test_every_indexed_context_is_bundled_and_served() -> None:
    index = json.loads((CONTEXTS / "index.json").read_text())
    assert set(index) == bundled_context_urls()
    loader = OfflineDocumentLoader()
    for url in index:
        remote = loader(url, {})
        assert remote["documentUrl"] == url
        assert "@context" in remote["document"]
    assert "https://www.w3.org/ns/credentials/v2" in loader


def test_the_loader_refuses_anything_not_bundled() -> None:
    loader = OfflineDocumentLoader()
    for url in ["https://schema.org/", "http://www.w3.org/ns/credentials/v2", "file:///etc/passwd"]:
        with pytest.raises(ContextNotBundledError, match="never fetched"):
            loader(url, {})


def test_served_documents_are_private_copies() -> None:
    loader = OfflineDocumentLoader()
    url = "https://w3id.org/security/multikey/v1"
    loader(url, {})["document"]["@context"]["evil"] = "https://evil.example/"
    assert "evil" not in loader(url, {})["document"]["@context"]


def test_a_loader_with_only_extra_contexts(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text(json.dumps({"https://ctx.example/v1": "v1.jsonld"}))
    (tmp_path / "v1.jsonld").write_text(json.dumps({"@context": {"n": "https://schema.org/name"}}))
    loader = OfflineDocumentLoader(load_context_dir(tmp_path), include_bundled=False)
    assert loader.urls == {"https://ctx.example/v1"}
    nquads = canonicalize_rdfc(
        {"@context": "https://ctx.example/v1", "@id": "urn:x:1", "n": "A"}, loader=loader
    )
    assert nquads == '<urn:x:1> <https://schema.org/name> "A" .\n'
    with pytest.raises(CanonicalizationError, match="not bundled"):
        canonicalize_rdfc(load(W3C / "unsigned.json"), loader=loader)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"@context": {"n": "https://schema.org/name"}, "n": "x", "other": 1}, "term 'other'"),
        (
            {"@context": {"n": "https://schema.org/name"}, "n": "x", "@type": "T"},
            "type reference 'T'",
        ),
        (
            {"@context": {"n": "https://schema.org/name"}, "n": "x", "@id": "a/b"},
            "@id reference 'a/b'",
        ),
        (
            {"@context": {"n": {"@id": "https://schema.org/name", "@type": "@id"}}, "n": "rel"},
            "@id reference 'rel'",
        ),
        (
            {"@context": {"n": "https://schema.org/name"}, "n": {"@value": "x", "@type": "dt"}},
            "datatype",
        ),
        (
            {"@context": {"@vocab": "", "n": "https://schema.org/name"}, "n": "x", "p": 1},
            "property 'p'",
        ),
        (
            {
                "@context": {"n": "https://schema.org/name"},
                "@id": "https://a.example/x y",
                "n": "x",
            },
            "@id",
        ),
        (
            {
                "@context": {"n": "https://schema.org/name"},
                "@id": "https://a.example/{x}",
                "n": "x",
            },
            "invalid",
        ),
    ],
)
def test_safe_mode_refuses_lossy_expansion(document: dict[str, Any], problem: str) -> None:
    with pytest.raises(SafeModeError, match="safe mode") as info:
        canonicalize_rdfc(document)
    assert problem in str(info.value)
    with pytest.raises(SafeModeError):
        expand_safe(document)


def test_a_document_base_makes_relative_ids_legitimate() -> None:
    document = {
        "@context": {"@base": "https://b.example/", "n": "https://schema.org/name"},
        "@id": "x",
        "n": "y",
    }
    assert canonicalize_rdfc(document) == '<https://b.example/x> <https://schema.org/name> "y" .\n'


def test_invalid_json_ld_is_a_canonicalization_error() -> None:
    with pytest.raises(CanonicalizationError, match="invalid JSON-LD"):
        canonicalize_rdfc({"@context": 42, "x": 1})


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain é 😀", "plain é 😀"),
        ('q" b\\', 'q\\" b\\\\'),
        ("\t\n\r", "\\t\\n\\r"),
        ("\b\f", "\\b\\f"),
        ("\x00\x01\x1f\x7f", "\\u0000\\u0001\\u001F\\u007F"),
        ("\u2028\u0085", "\u2028\u0085"),  # not control characters in N-Quads: written as is
    ],
)
def test_literals_use_canonical_n_quads_escaping(raw: str, escaped: str) -> None:
    assert canonical_escape(raw) == escaped
    document = {"@context": {"n": "https://schema.org/name"}, "@id": "urn:x:1", "n": raw}
    assert canonicalize_rdfc(document) == f'<urn:x:1> <https://schema.org/name> "{escaped}" .\n'


def test_the_rdfc_implementation_can_be_swapped_and_restored() -> None:
    document = load(W3C / "unsigned.json")
    calls: list[Any] = []

    def fake(doc: Any, loader: Any) -> str:
        calls.append(doc)
        return "fake\n"

    set_rdfc_implementation(fake)
    try:
        assert canonicalize_rdfc(document) == "fake\n"
        assert reference_rdfc(document) != "fake\n"
    finally:
        set_rdfc_implementation(None)
    assert canonicalize_rdfc(document) == reference_rdfc(document)
    assert len(calls) == 1


def test_jcs_orders_keys_and_numbers_per_rfc8785() -> None:
    assert canonicalize_jcs({"b": 1, "a": [4.0, 1e21, "é"]}) == '{"a":[4,1e+21,"é"],"b":1}'.encode()
    with pytest.raises(CanonicalizationError):
        canonicalize_jcs({"x": float("nan")})
