"""Canonical N-Quads string escaping for PyLD's RDFC-1.0 output.

RDFC-1.0 emits canonical N-Quads (RDF 1.2): in a literal, ``\\b \\t \\n \\f \\r \\" \\\\`` are
written as ECHAR and every other control character (U+0000–U+001F, U+007F) as ``\\uXXXX``.
PyLD 3.x escapes only tab, newline, carriage return, quote and backslash, so a credential
containing, say, a form feed would hash differently in PyLD than in rdf-canonize (jsonld.js)
and oxigraph, and a signature by one would not verify in the other. PyLD's N-Quads writer and
its URDNA2015 hashing both call ``pyld.nquads.escape``; :func:`install` points that at the
canonical escaping (identical output for every string without such characters).
"""

from __future__ import annotations

from pyld import nquads  # type: ignore[import-untyped,unused-ignore]

_ECHAR = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
_TABLE: dict[int, str] = {code: _ECHAR.get(code, f"\\u{code:04X}") for code in [*range(0x20), 0x7F]}
_TABLE[ord('"')] = '\\"'
_TABLE[ord("\\")] = "\\\\"


def canonical_escape(value: str) -> str:
    """Escape a literal's lexical form as canonical N-Quads does."""
    return value.translate(_TABLE)


def install() -> None:
    """Make PyLD write canonical N-Quads (idempotent)."""
    if nquads.escape is not canonical_escape:
        nquads.escape = canonical_escape
