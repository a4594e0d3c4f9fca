"""Canonicalisation: RDFC-1.0 over JSON-LD (in safe mode) and JCS (RFC 8785).

Everything that turns a JSON-LD document into canonical N-Quads goes through
:func:`canonicalize_rdfc`: the fast path (``fast_rdfc``) where it covers the document, PyLD
(the reference, kept for fallback and differential tests) everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import rfc8785

from microcred_shared.crypto import nquads_escape
from microcred_shared.crypto.errors import (
    CanonicalizationError,
    ContextNotBundledError,
    SafeModeError,
)
from microcred_shared.crypto.fast_contexts import context_tree
from microcred_shared.crypto.fast_expand import to_dataset
from microcred_shared.crypto.fast_rdfc import fast_canonicalize
from microcred_shared.crypto.jsonld_safe import SafeModeProcessor, processing_options
from microcred_shared.crypto.loader import OfflineDocumentLoader, default_loader

# PyLD's N-Quads writer is made canonical once, before any canonicalisation runs.
nquads_escape.install()


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
        result: list[Any] = SafeModeProcessor().expand(dict(document), processing_options(loader))
    except Exception as exc:
        raise _as_canonicalization_error(exc) from exc
    return result


def check_safe_mode(
    document: Mapping[str, Any], *, loader: OfflineDocumentLoader | None = None
) -> None:
    """Raise what :func:`expand_safe` raises for ``document`` (every term defined, no relative
    or malformed IRI), without keeping the expanded form.

    The fast expansion answers first: it models only what safe mode accepts and raises
    ``Unsupported`` for everything else (undefined terms included), so a document it expands is
    one PyLD's safe mode accepts (the differential tests hold it to that); anything it does not
    model goes to PyLD, which gives the verdict and the error message.
    """
    loader = loader or default_loader()
    try:
        to_dataset(document, context_tree(loader).root)
    except Exception:  # Unsupported, or an error the reference must word: PyLD decides
        expand_safe(document, loader=loader)


def _reference_rdfc(document: Mapping[str, Any], loader: OfflineDocumentLoader) -> str:
    result: str = SafeModeProcessor().normalize(dict(document), processing_options(loader))
    return result


def _fast_or_reference(document: Mapping[str, Any], loader: OfflineDocumentLoader) -> str:
    """The fast path (issue 7) where it covers the document, the PyLD reference elsewhere
    (which also raises every safe-mode and JSON-LD error: the fast path never does)."""
    fast = fast_canonicalize(document, loader)
    return fast if fast is not None else _reference_rdfc(document, loader)


# The implementation behind canonicalize_rdfc: the fast path with the PyLD reference as its
# fallback; the reference alone stays available for differential tests (reference_rdfc).
RdfcImplementation = Callable[[Mapping[str, Any], OfflineDocumentLoader], str]
DEFAULT_RDFC_IMPLEMENTATION: RdfcImplementation = _fast_or_reference
_rdfc_impl: RdfcImplementation = DEFAULT_RDFC_IMPLEMENTATION


def set_rdfc_implementation(impl: RdfcImplementation | None) -> None:
    """Swap the RDFC-1.0 implementation (None restores the default: fast, else reference)."""
    global _rdfc_impl
    _rdfc_impl = impl or DEFAULT_RDFC_IMPLEMENTATION


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
