"""JSON-LD → RDF quads in one pass, for the subset of JSON-LD that credentials use.

It follows PyLD's expansion step by step (``_expand``, ``_prepare_nested_context``,
``_expand_object``, ``_expand_value``, ``_object_to_rdf``) for node objects, ``@id``, ``@type``,
plain, typed and coerced values, arrays, and type- and property-scoped contexts. Anything else
(``@list``, ``@graph``, ``@reverse``, ``@nest``, ``@json``, value objects, language tagging,
index and language maps, blank node identifiers in the document, relative or malformed IRIs,
undefined terms) raises :class:`Unsupported` and the reference path takes the document, so the
answer — or the safe-mode error — is always the reference's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
_ALLOWED_CONTAINERS = frozenset({"@set"})
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


@dataclass(slots=True)
class Dataset:
    """Default-graph quads as N-Quads terms (``<iri>``, ``_:bN`` or a serialised literal)."""

    quads: set[tuple[str, str, str]] = field(default_factory=set)
    _next_blank: int = 0

    def blank_node(self) -> str:
        label = f"_:b{self._next_blank}"
        self._next_blank += 1
        return label


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


def to_dataset(document: Mapping[str, Any], root: ActiveContext) -> Dataset:
    """Expand ``document`` (a JSON object) straight into RDF quads."""
    if not isinstance(document, Mapping):
        raise Unsupported("top-level value is not a JSON object")
    dataset = Dataset()
    _Expander(dataset).node(root, None, dict(document))
    return dataset


# What a key of a node object is, in one active context (KeyPlan.kind).
ID, TYPE, CONTEXT, PROPERTY = range(4)
# How a scalar value of a property becomes an RDF term (KeyPlan.scalar).
AS_IRI, AS_VOCAB_IRI, AS_LITERAL, AS_LITERAL_NO_STRINGS, AS_NOTHING = range(5)


@dataclass(frozen=True, slots=True)
class KeyPlan:
    """A key's expansion in one active context, worked out once (the compiled term table)."""

    kind: int
    term_ctx: ActiveContext
    key: str = ""
    predicate: str = ""
    is_list: bool = False
    arrays_ok: bool = True
    scalar: int = AS_LITERAL
    datatype: str | None = None
    plain_strings: bool = False  # strings become plain literals (the common case, inlined)
    node_scoped: Any = None  # the property-scoped context a node value of this key applies


def key_plan(ctx: ActiveContext, key: str) -> KeyPlan:
    plan = ctx.plans.get(key)
    if plan is None:
        plan = ctx.plans[key] = _compile_key(ctx, key)
    return plan


def _compile_key(ctx: ActiveContext, key: str) -> KeyPlan:
    """PyLD ``_expand_object``'s decisions for one key, minus the value."""
    if key == "@context":
        return KeyPlan(CONTEXT, ctx)
    expanded = ctx.vocab(key)
    if expanded == "@id":
        return KeyPlan(ID, ctx)
    if expanded == "@type":
        return KeyPlan(TYPE, ctx)
    if not isinstance(expanded, str) or expanded.startswith("@"):
        raise Unsupported(f"keyword or dropped term {key!r}")
    predicate = safe_iri(expanded)
    container = _as_list(ctx.term(key, "@container") or [])
    if ctx.term(key, "@type") == "@json":
        raise Unsupported("@json")
    term_ctx = ctx
    scoped = ctx.term(key, "@context")
    if scoped is not None:
        term_ctx = ctx.with_scoped_context(scoped, propagate=True, override=True)
    if term_ctx.is_reverse(key):
        raise Unsupported("@reverse")
    term_container = _as_list(term_ctx.term(key, "@container") or [])
    is_list = "@list" in container
    if is_list and (container != ["@list"] or term_container != ["@list"]):
        raise Unsupported("list container with others, or changed by a scoped context")
    if not is_list and not _ALLOWED_CONTAINERS.issuperset(container):
        raise Unsupported(f"container {container!r}")
    scalar, datatype = _scalar_plan(term_ctx, key)
    return KeyPlan(
        PROPERTY,
        term_ctx,
        key,
        predicate,
        is_list,
        _ALLOWED_CONTAINERS.issuperset(term_container),
        scalar,
        datatype,
        scalar == AS_LITERAL and datatype is None,
        term_ctx.term(key, "@context"),
    )


def _scalar_plan(ctx: ActiveContext, key: str) -> tuple[int, str | None]:
    """PyLD ``_expand_value``'s decisions for scalars of ``key`` in the property's context."""
    expanded = ctx.vocab(key)
    if not isinstance(expanded, str) or expanded.startswith("@"):
        return AS_NOTHING, None  # a keyword here: let the reference decide
    type_ = ctx.term(key, "@type")
    if type_ == "@id":
        return AS_IRI, None
    if type_ == "@vocab":
        return AS_VOCAB_IRI, None
    if type_ is not None and type_ != "@none":
        if type_ == RDF_LANGSTRING:
            return AS_NOTHING, None
        safe_iri(type_)
        return AS_LITERAL, type_
    if ctx.term(key, "@language") is not None or ctx.term(key, "@direction") is not None:
        return AS_LITERAL_NO_STRINGS, None  # strings would be language-tagged
    return AS_LITERAL, None


# (the key holding @id or None, the keys holding types, the plans of the other keys, context)
Layout = tuple[str | None, tuple[str, ...], tuple[KeyPlan, ...], ActiveContext]


def _layout(ctx: ActiveContext, keys: tuple[str, ...]) -> Layout:
    """Compile a node shape (its keys) in its final context: PyLD ``_expand_object``'s per-key
    decisions, made once per shape instead of once per node."""
    id_key: str | None = None
    type_keys: list[str] = []
    properties: list[KeyPlan] = []
    for key in keys:
        plan = key_plan(ctx, key)
        if plan.kind == ID:
            if id_key is not None:
                raise Unsupported("colliding @id keys")
            id_key = key
        elif plan.kind == TYPE:
            type_keys.append(key)
        elif plan.kind == PROPERTY:
            properties.append(plan)
    layout = (id_key, tuple(type_keys), tuple(properties), ctx)
    remember(ctx.layouts, keys, layout)
    return layout


def _apply_type_contexts(
    ctx: ActiveContext, element: dict[str, Any], type_keys: tuple[str, ...]
) -> tuple[ActiveContext, bool]:
    """PyLD ``_prepare_nested_context``: every key, in sorted order, that expands to ``@type``
    in the context so far has each of its types' scoped contexts applied, in sorted order.
    Also says whether only ``type_keys`` were read (then the result may be cached)."""
    type_scoped = ctx
    only_type_keys = True
    for key in sorted(element):
        if ctx.vocab(key) != "@type":
            continue
        only_type_keys = only_type_keys and key in type_keys
        value = element[key]
        types = [t for t in (value if type(value) is list else [value]) if type(t) is str]
        for type_ in sorted(types):
            scoped = type_scoped.term(type_, "@context")
            if scoped is not None and scoped is not False:
                ctx = ctx.with_scoped_context(scoped, propagate=False, override=False)
    return ctx, only_type_keys


def _hashable(value: Any) -> Any:
    """A cache key for a type value: a string, a tuple of strings, or None (do not cache)."""
    if type(value) is str:
        return value
    if type(value) is list and all(type(item) is str for item in value):
        return tuple(value)
    return None


class _Expander:
    __slots__ = ("dataset", "quads")

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.quads = dataset.quads

    def node(self, ctx: ActiveContext, property_scoped: Any, element: dict[str, Any]) -> str:
        """Expand a node object (PyLD ``_expand`` for a map); returns its subject term.
        ``property_scoped``: the active property's scoped context in ``ctx`` (KeyPlan)."""
        if ctx.previous is not None:
            must_revert = True
            if len(element) <= 2 and "@context" not in element:
                for key in sorted(element):
                    expanded = ctx.vocab(key)
                    if expanded == "@value":
                        raise Unsupported("value object")
                    if expanded == "@id" and len(element) == 1:
                        must_revert = False
                        break
            if must_revert:
                ctx = ctx.previous
        if property_scoped is not None:
            ctx = ctx.with_scoped_context(property_scoped, propagate=True, override=True)
        if "@context" in element:
            ctx = ctx.with_document_context(element["@context"])
        keys = tuple(element)
        type_keys = ctx.type_keys.get(keys)
        if type_keys is None:
            type_keys = tuple(key for key in keys if ctx.vocab(key) == "@type")
            remember(ctx.type_keys, keys, type_keys)
        type_scoped = ctx
        if type_keys:
            ctx = self._typed_context(ctx, element, keys, type_keys)
        layout = ctx.layouts.get(keys) or _layout(ctx, keys)
        return self._properties(layout, type_scoped, element)

    def _typed_context(
        self,
        ctx: ActiveContext,
        element: dict[str, Any],
        keys: tuple[str, ...],
        type_keys: tuple[str, ...],
    ) -> ActiveContext:
        """The context after the node's type-scoped contexts, cached by shape and type values."""
        signature = (keys, *(_hashable(element[key]) for key in type_keys))
        hit = ctx.typed.get(signature)
        if hit is not None:
            return hit
        typed, read_only_type_keys = _apply_type_contexts(ctx, element, type_keys)
        if read_only_type_keys and None not in signature:
            remember(ctx.typed, signature, typed)
        return typed

    def _properties(
        self, layout: Layout, type_scoped: ActiveContext, element: dict[str, Any]
    ) -> str:
        """PyLD ``_expand_object`` followed by ``_graph_to_rdf`` for one node."""
        id_key, type_keys, properties, ctx = layout
        if id_key is not None:
            value = element[id_key]
            if type(value) is not str:
                raise Unsupported("@id")
            subject = safe_iri(ctx.document_relative(value))
        else:
            subject = self.dataset.blank_node()
        quads = self.quads
        for key in type_keys:
            value = element[key]
            values = value if type(value) is list else [value]
            for type_ in values:
                if type(type_) is not str:
                    raise Unsupported("@type")
                quads.add((subject, RDF_TYPE, vocab_term(type_scoped, type_)))
        for plan in properties:
            value = element[plan.key]
            if plan.is_list:
                self._list(plan, value, subject)
            elif plan.plain_strings and type(value) is str:
                if needs_escape(value):
                    value = value.translate(ESCAPES)
                quads.add((subject, plan.predicate, '"' + value + '"'))
            elif type(value) is dict:
                quads.add(
                    (subject, plan.predicate, self.node(plan.term_ctx, plan.node_scoped, value))
                )
            else:
                self._values(plan, value, subject)
        return subject

    def _values(self, plan: KeyPlan, value: Any, subject: str) -> None:
        kind = type(value)
        if kind is list:
            if not plan.arrays_ok:
                raise Unsupported("container")
            for item in value:
                self._values(plan, item, subject)
        elif kind is dict:
            self.quads.add(
                (subject, plan.predicate, self.node(plan.term_ctx, plan.node_scoped, value))
            )
        elif value is not None:
            quad = (subject, plan.predicate, self._scalar(plan, value))
            if quad in self.quads and not _one_value_per_literal(value, plan.datatype):
                # PyLD merges equal JSON values only: two values written as one literal
                # (0.3 and 0.30000000000000004) stay two quads there, one here.
                raise Unsupported("distinct values with one canonical literal")
            self.quads.add(quad)

    def _list(self, plan: KeyPlan, value: Any, subject: str) -> None:
        """A ``@list`` container: PyLD expands the items in order, then ``_list_to_rdf``."""
        if value is None:
            return
        items: list[str] = []
        for item in value if type(value) is list else [value]:
            kind = type(item)
            if item is None:
                continue
            if kind is list:
                raise Unsupported("list of lists")
            if kind is dict:
                items.append(self.node(plan.term_ctx, plan.node_scoped, item))
            else:
                items.append(self._scalar(plan, item))
        quads = self.quads
        if not items:
            if (subject, plan.predicate, RDF_NIL) in quads:
                raise Unsupported("PyLD keeps both of two empty lists")  # lists never merge
            quads.add((subject, plan.predicate, RDF_NIL))
            return
        cells = [self.dataset.blank_node() for _ in items]
        quads.add((subject, plan.predicate, cells[0]))
        for i, item in enumerate(items):
            quads.add((cells[i], RDF_FIRST, item))
            quads.add((cells[i], RDF_REST, cells[i + 1] if i + 1 < len(cells) else RDF_NIL))

    def _scalar(self, plan: KeyPlan, value: Any) -> str:
        """PyLD ``_expand_value`` then ``_object_to_rdf`` for a JSON scalar."""
        scalar = plan.scalar
        if scalar == AS_NOTHING:
            raise Unsupported("scalar the reference would treat specially")
        if type(value) is str:
            if scalar == AS_LITERAL:
                if plan.datatype is None:
                    return '"' + escape(value) + '"'
            elif scalar == AS_IRI:
                return safe_iri(plan.term_ctx.document_relative(value))
            elif scalar == AS_VOCAB_IRI:
                return vocab_term(plan.term_ctx, value)
            else:
                raise Unsupported("a language-tagged string")
        lexical, datatype = literal_form(value, plan.datatype)
        term = '"' + escape(lexical) + '"'
        if datatype != XSD_STRING:
            term += "^^<" + datatype + ">"
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


def _one_value_per_literal(value: Any, datatype: str | None) -> bool:
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


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
