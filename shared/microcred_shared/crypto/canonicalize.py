"""Canonicalisation: RDFC-1.0 over JSON-LD (in safe mode) and JCS (RFC 8785).

Everything that turns a JSON-LD document into canonical N-Quads goes through
:func:`canonicalize_rdfc`, so a faster implementation (issue 7) can replace the PyLD reference
path in one place and be tested against it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import rfc8785
from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]
from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped,unused-ignore]

from microcred_shared.crypto.errors import (
    CanonicalizationError,
    ContextNotBundledError,
    SafeModeError,
)
from microcred_shared.crypto.loader import OfflineDocumentLoader, default_loader

# Keys that are JSON-LD keywords (expanded form); anything else must be an absolute IRI.
_IRI_VALUED_KEYWORDS = ("@id", "@type")

# PyLD resolves relative IRIs against a made-up base (http://example.org/base/) when a document
# has none, which would sign data the author never wrote. We hand it this marker base instead
# (".invalid" is reserved, RFC 2606) and refuse every IRI that ends up under it.
RELATIVE_IRI_MARKER = "https://relative-iri.invalid/"


def _is_absolute_iri(value: str) -> bool:
    # PyLD's own syntax test (scheme ":" non-space) plus the marker base above.
    return bool(jsonld._is_absolute_iri(value)) and not value.startswith(RELATIVE_IRI_MARKER)


def _shown(iri: str) -> str:
    return iri[len(RELATIVE_IRI_MARKER) :] if iri.startswith(RELATIVE_IRI_MARKER) else iri


def _find_relative_iris(node: Any, path: str, problems: list[str]) -> None:
    """Walk an expanded document; record every IRI that is neither absolute nor a blank node.

    PyLD keeps relative IRIs in the expanded form and silently drops the triples that use them
    when it builds the RDF dataset, so they are caught here, before that happens.
    """
    if isinstance(node, list):
        for i, item in enumerate(node):
            _find_relative_iris(item, f"{path}[{i}]", problems)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        value_type = node.get("@type")
        if isinstance(value_type, str) and not _is_absolute_iri(value_type):
            problems.append(f"relative datatype IRI {_shown(value_type)!r} at {path}")
        return
    for key, value in node.items():
        if key in _IRI_VALUED_KEYWORDS:
            for iri in value if isinstance(value, list) else [value]:
                if isinstance(iri, str) and not iri.startswith("_:") and not _is_absolute_iri(iri):
                    kind = "type" if key == "@type" else "@id"
                    problems.append(f"relative {kind} reference {_shown(iri)!r} at {path}")
        elif key.startswith("@"):
            _find_relative_iris(value, f"{path}/{key}", problems)
        elif key.startswith("_:"):
            problems.append(f"blank node predicate {key!r} at {path}")
        elif not _is_absolute_iri(key):
            problems.append(f"relative property {_shown(key)!r} at {path}")
        else:
            _find_relative_iris(value, f"{path}/<{key}>", problems)


class _SafeModeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """PyLD's processor with jsonld.js-style safe mode on expansion.

    PyLD has no ``safe`` option; it offers an ``on_property_dropped`` hook (undefined terms) and
    keeps relative IRIs in its expanded output. ``to_rdf``/``normalize`` call ``self.expand``,
    so checking here guards canonicalisation without a second expansion.
    """

    def __init__(self) -> None:
        self.dropped: list[str | None] = []
        super().__init__(on_property_dropped=self.dropped.append)

    def expand(self, input_: Any, options: Any) -> Any:
        self.dropped.clear()
        expanded = super().expand(input_, options)
        problems = [
            f"term {term!r} is not defined by the @context and would be dropped"
            if term
            else "a property is not defined by the @context and would be dropped"
            for term in dict.fromkeys(self.dropped)
        ]
        _find_relative_iris(expanded, "", problems)
        if problems:
            raise SafeModeError(problems)
        return expanded


def _options(loader: OfflineDocumentLoader) -> dict[str, Any]:
    return {
        "algorithm": "URDNA2015",  # PyLD's name for RDFC-1.0 (same algorithm, SHA-256)
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": ContextResolver(loader.resolved_context_cache, loader),
        "base": RELATIVE_IRI_MARKER,  # see RELATIVE_IRI_MARKER
        "processingMode": "json-ld-1.1",
        "safe": True,
    }


def _unwrap(exc: BaseException) -> BaseException | None:
    """Find our own error behind PyLD's JsonLdError chain (loader / safe-mode failures)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ContextNotBundledError | SafeModeError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def expand_safe(
    document: Mapping[str, Any], *, loader: OfflineDocumentLoader | None = None
) -> list[Any]:
    """JSON-LD expansion in safe mode (for callers that need the expanded form itself)."""
    loader = loader or default_loader()
    try:
        result: list[Any] = _SafeModeProcessor().expand(dict(document), _options(loader))
    except Exception as exc:
        raise _as_canonicalization_error(exc) from exc
    return result


def _reference_rdfc(document: Mapping[str, Any], loader: OfflineDocumentLoader) -> str:
    result: str = _SafeModeProcessor().normalize(dict(document), _options(loader))
    return result


# The implementation behind canonicalize_rdfc: PyLD today; issue 7 swaps in a fast path
# (with this reference kept for fallback and differential tests).
RdfcImplementation = Callable[[Mapping[str, Any], OfflineDocumentLoader], str]
_rdfc_impl: RdfcImplementation = _reference_rdfc


def set_rdfc_implementation(impl: RdfcImplementation | None) -> None:
    """Swap the RDFC-1.0 implementation (None restores the PyLD reference)."""
    global _rdfc_impl
    _rdfc_impl = impl or _reference_rdfc


def reference_rdfc(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> str:
    """The PyLD reference path, whatever implementation is installed (for differential tests)."""
    try:
        return _reference_rdfc(document, loader or default_loader())
    except Exception as exc:
        raise _as_canonicalization_error(exc) from exc


def canonicalize_rdfc(
    document: Mapping[str, Any], *, loader: OfflineDocumentLoader | None = None
) -> str:
    """JSON-LD → canonical N-Quads (RDFC-1.0), in JSON-LD safe mode, with offline contexts.

    Raises :class:`SafeModeError` when expansion would drop or mangle data,
    :class:`ContextNotBundledError` for a context we do not ship, and
    :class:`CanonicalizationError` for any other invalid JSON-LD.
    """
    try:
        return _rdfc_impl(document, loader or default_loader())
    except Exception as exc:
        raise _as_canonicalization_error(exc) from exc


def _as_canonicalization_error(exc: Exception) -> Exception:
    ours = _unwrap(exc)
    if isinstance(ours, SafeModeError):
        return ours
    if isinstance(ours, ContextNotBundledError):
        err = CanonicalizationError(str(ours))
        err.__cause__ = ours
        return err
    if isinstance(exc, CanonicalizationError):
        return exc
    return CanonicalizationError(f"invalid JSON-LD: {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(parts) < 4:
        parts.append(str(seen).split("\n", 1)[0])
        seen = seen.__cause__
    return " ← ".join(p for p in parts if p)


def canonicalize_jcs(value: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme (UTF-8 bytes)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(f"cannot canonicalise as JCS: {exc}") from exc
