"""JSON-LD "safe mode" for PyLD: expansion that refuses to drop or mangle data.

jsonld.js has a ``safe`` option (used by Digital Bazaar's Data Integrity suites) that turns
lossy expansion into an error. PyLD has none; it offers an ``on_property_dropped`` hook (for
undefined terms) and keeps relative IRIs in its expanded output, silently dropping the triples
that use them later. This module checks both, so a signature never covers less than the
document says.
"""

from __future__ import annotations

import re
from typing import Any

from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]
from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped,unused-ignore]

from microcred_shared.crypto.errors import SafeModeError
from microcred_shared.crypto.loader import OfflineDocumentLoader

# PyLD resolves relative IRIs against a made-up base (http://example.org/base/) when a document
# has none, which would sign data the author never wrote. We hand it this marker base instead
# (".invalid" is reserved, RFC 2606) and refuse every IRI that ends up under it.
RELATIVE_IRI_MARKER = "https://relative-iri.invalid/"

# Characters RDF forbids in an IRI. rdf-canonize (jsonld.js) escapes them, PyLD writes them raw:
# refusing them keeps both stacks from signing different bytes for one document.
_FORBIDDEN_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')

_IRI_VALUED_KEYWORDS = ("@id", "@type")


def _iri_problem(iri: str, what: str) -> str | None:
    if iri.startswith("_:"):
        return None
    if iri.startswith(RELATIVE_IRI_MARKER) or not jsonld._is_absolute_iri(iri):
        return f"relative {what} {iri.removeprefix(RELATIVE_IRI_MARKER)!r}"
    if _FORBIDDEN_IRI_CHARS.search(iri):
        return f"invalid characters in {what} {iri!r}"
    return None


def unsignable_iri(iri: str) -> str | None:
    """Why ``iri`` would make signing fail if a document used it as an ``@id`` (relative, or
    characters RDF forbids), or None: for checking input before anything is built from it."""
    if iri.startswith("_:"):
        return "a blank node identifier, not an IRI"
    return _iri_problem(iri, "IRI")


def find_unsafe_iris(node: Any, path: str, problems: list[str]) -> None:
    """Record every IRI of an expanded document that is relative or malformed."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            find_unsafe_iris(item, f"{path}[{i}]", problems)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        value_type = node.get("@type")
        if isinstance(value_type, str) and (p := _iri_problem(value_type, "datatype IRI")):
            problems.append(f"{p} at {path or '/'}")
        return
    for key, value in node.items():
        if key in _IRI_VALUED_KEYWORDS:
            what = "type reference" if key == "@type" else "@id reference"
            for iri in value if isinstance(value, list) else [value]:
                if isinstance(iri, str) and (p := _iri_problem(iri, what)):
                    problems.append(f"{p} at {path or '/'}")
        elif key.startswith("@"):
            find_unsafe_iris(value, f"{path}/{key}", problems)
        elif key.startswith("_:"):
            problems.append(f"blank node predicate {key!r} at {path or '/'}")
        elif p := _iri_problem(key, "property"):
            problems.append(f"{p} at {path or '/'}")
        else:
            find_unsafe_iris(value, f"{path}/<{key}>", problems)


class SafeModeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """PyLD's processor with safe-mode checks on every expansion.

    ``to_rdf`` and ``normalize`` call ``self.expand``, so overriding it guards
    canonicalisation without a second expansion.
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
        find_unsafe_iris(expanded, "", problems)
        if problems:
            raise SafeModeError(problems)
        return expanded


def processing_options(loader: OfflineDocumentLoader) -> dict[str, Any]:
    """PyLD options for offline, safe RDFC-1.0 canonicalisation with ``loader``."""
    return {
        "algorithm": "URDNA2015",  # PyLD's name for RDFC-1.0 (same algorithm, SHA-256)
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": ContextResolver(loader.resolved_context_cache, loader),
        "base": RELATIVE_IRI_MARKER,
        "processingMode": "json-ld-1.1",
    }
