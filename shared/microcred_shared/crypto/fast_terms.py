"""RDF terms as canonical N-Quads writes them, the way PyLD makes them: IRIs that JSON-LD safe
mode accepts, and literals from JSON values (PyLD's ``_object_to_rdf``, same branches)."""

from __future__ import annotations

import math
import re
from numbers import Integral, Real
from typing import Any

from microcred_shared.crypto.fast_contexts import ABSOLUTE_IRI, ActiveContext, Unsupported, remember
from microcred_shared.crypto.jsonld_safe import RELATIVE_IRI_MARKER
from microcred_shared.crypto.nquads_escape import canonical_escape

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE, RDF_NIL = f"<{RDF}type>", f"<{RDF}nil>"
RDF_FIRST, RDF_REST = f"<{RDF}first>", f"<{RDF}rest>"
RDF_LANGSTRING = RDF + "langString"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING, XSD_BOOLEAN = XSD + "string", XSD + "boolean"
XSD_INTEGER, XSD_DOUBLE = XSD + "integer", XSD + "double"

# The characters jsonld_safe refuses in an IRI (RDF forbids them; the stacks disagree on them).
_FORBIDDEN_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
# The reference escaping (nquads_escape.canonical_escape) as a translate table, derived from it.
ESCAPES = {
    code: canonical_escape(chr(code))
    for code in range(0x80)
    if canonical_escape(chr(code)) != chr(code)
}
needs_escape = re.compile("[" + re.escape("".join(map(chr, ESCAPES))) + "]").search


def escape(lexical: str) -> str:
    """A literal's lexical form as canonical N-Quads writes it (nquads_escape, faster)."""
    return lexical.translate(ESCAPES) if needs_escape(lexical) else lexical


def safe_iri(iri: Any) -> str:
    """``<iri>`` when safe mode accepts it as an IRI; Unsupported otherwise (the reference
    path then raises the safe-mode error, or accepts a blank node we do not model)."""
    if (
        type(iri) is not str
        or iri.startswith(("_:", RELATIVE_IRI_MARKER))
        or not ABSOLUTE_IRI.match(iri)
        or _FORBIDDEN_IRI_CHARS.search(iri)
    ):
        raise Unsupported(f"IRI {iri!r}")
    return f"<{iri}>"


def vocab_term(ctx: ActiveContext, value: str) -> str:
    """A type, or a ``@vocab``-coerced value, as an N-Quads IRI term (memoised per context:
    these come from the vocabulary, not from the document's own identifiers)."""
    term = ctx.vocab_terms.get(value)
    if term is None:
        term = safe_iri(ctx.vocab_with_base(value))  # raises Unsupported: nothing remembered
        remember(ctx.vocab_terms, value, term)
    return term


def literal_form(value: Any, datatype: str | None) -> tuple[str, str]:
    """PyLD ``_object_to_rdf`` for a value: (lexical form, datatype), the same branches."""
    if isinstance(value, bool):
        return ("true" if value else "false"), datatype or XSD_BOOLEAN
    if isinstance(value, str):
        if datatype != XSD_DOUBLE:
            return value, datatype or XSD_STRING
        try:  # PyLD turns a numeric-looking string typed xsd:double into a canonical double
            as_float = float(value)
        except (ValueError, TypeError):
            return value, XSD_DOUBLE
        return _canonical_double(as_float), XSD_DOUBLE
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise Unsupported(f"value {value!r}")
    if _is_double(value):
        return _canonical_double(value), datatype or XSD_DOUBLE
    if datatype == XSD_DOUBLE:
        return _canonical_double(float(value)), XSD_DOUBLE
    if abs(value) >= 1e21:  # an integer too large for xsd:integer in JSON-LD 1.1
        return _canonical_double(value), datatype or XSD_DOUBLE
    return str(int(value)), datatype or XSD_INTEGER


def one_value_per_literal(value: Any, datatype: str | None) -> bool:
    """Whether only one JSON value (up to PyLD's equality) has this value's literal: false where
    the canonical double form rounds."""
    if datatype == XSD_DOUBLE:
        return False
    if isinstance(value, bool | str):
        return True
    return isinstance(value, int | float) and float(value).is_integer() and abs(value) < 1e21


def _is_double(value: Any) -> bool:
    return (
        not isinstance(value, Integral)
        and isinstance(value, Real)
        and not float(value).is_integer()
    )


def _canonical_double(value: float) -> str:
    if not math.isfinite(value):
        raise Unsupported(f"non-finite double {value!r}")  # PyLD writes INF / NAN
    return re.sub(r"(\d)0*E\+?(-)?0*(\d)", r"\1E\2\3", f"{value:1.15E}")
