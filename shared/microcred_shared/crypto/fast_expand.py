"""JSON-LD → RDF quads in one pass, for the subset of JSON-LD that credentials use.

It follows PyLD's expansion step by step (``_expand``, ``_prepare_nested_context``,
``_expand_object``, ``_expand_value``, ``_object_to_rdf``) for node objects, ``@id``, ``@type``,
plain, typed and coerced values, arrays, ``@list`` containers, and type- and property-scoped
contexts. Anything else
(``@graph``, ``@reverse``, ``@nest``, ``@json``, value objects, language tagging,
index and language maps, blank node identifiers in the document, relative or malformed IRIs,
undefined terms) raises :class:`Unsupported` and the reference path takes the document, so the
answer — or the safe-mode error — is always the reference's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from microcred_shared.crypto.fast_contexts import ActiveContext, Unsupported, remember
from microcred_shared.crypto.fast_plans import (
    AS_IRI,
    AS_LITERAL,
    AS_NOTHING,
    AS_VOCAB_IRI,
    KeyPlan,
    Layout,
    compile_layout,
    hashable,
    typed_context,
)
from microcred_shared.crypto.fast_terms import (
    ESCAPES,
    RDF_FIRST,
    RDF_NIL,
    RDF_REST,
    RDF_TYPE,
    XSD_STRING,
    escape,
    literal_form,
    needs_escape,
    one_value_per_literal,
    safe_iri,
    vocab_term,
)

# jsonld.js's well-formed language tag (its safe mode refuses others; the reference decides).
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$").match


@dataclass(slots=True)
class Dataset:
    """Default-graph quads as N-Quads terms (``<iri>``, ``_:bN`` or a serialised literal)."""

    quads: set[tuple[str, str, str]] = field(default_factory=set)
    _next_blank: int = 0

    def blank_node(self) -> str:
        label = f"_:b{self._next_blank}"
        self._next_blank += 1
        return label


# Each document expanded in the block: (the context, its members, their expansion).
_Expansions = list[tuple[ActiveContext, tuple[tuple[str, Any], ...], "Dataset"]]
_shared: ContextVar[_Expansions | None] = ContextVar("shared_expansions", default=None)


@contextmanager
def shared_expansions() -> Iterator[None]:
    """Within the block, a document expanded again is not expanded again. A verification expands
    its credential up to three times, each time as a new copy without the proof (the format
    check's safe mode, then each proof check's canonicalisation, where the proof's ``@context``
    stands for the document's). A copy is the same document when its members are the same
    objects, or equal strings and lists of strings (such as that ``@context``); the members are
    held for the block, so no object id is reused, and nothing in a verification changes a
    document it reads."""
    token = _shared.set([])
    try:
        yield
    finally:
        _shared.reset(token)


def to_dataset(document: Mapping[str, Any], root: ActiveContext) -> Dataset:
    """Expand ``document`` (a JSON object) straight into RDF quads (the quads are not changed
    by their readers: an expansion may be shared, see :func:`shared_expansions`)."""
    if not isinstance(document, Mapping):
        raise Unsupported("top-level value is not a JSON object")
    expansions = _shared.get()
    if expansions is None:
        return _expand(document, root)
    members = tuple(document.items())
    for context, known, dataset in expansions:
        if context is root and _same_members(known, members):
            return dataset
    dataset = _expand(document, root)
    expansions.append((root, members, dataset))
    return dataset


def _same_members(a: tuple[tuple[str, Any], ...], b: tuple[tuple[str, Any], ...]) -> bool:
    return len(a) == len(b) and all(
        name == other_name and _same_value(value, other)
        for (name, value), (other_name, other) in zip(a, b, strict=True)
    )


def _same_value(a: Any, b: Any) -> bool:
    """The same object, or equal text (not ``==`` on anything else: ``1 == True`` in Python,
    while JSON-LD expands them to different literals)."""
    if a is b:
        return True
    if type(a) is str and type(b) is str:
        return a == b
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    return False


def _expand(document: Mapping[str, Any], root: ActiveContext) -> Dataset:
    dataset = Dataset()
    _Expander(dataset).node(root, None, dict(document))
    return dataset


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
            if len(type_keys) == 1:
                value = element[type_keys[0]]
                signature = (keys, value if type(value) is str else hashable(value))
            else:
                signature = (keys, *(hashable(element[key]) for key in type_keys))
            typed = ctx.typed.get(signature)
            ctx = typed if typed is not None else typed_context(ctx, element, type_keys, signature)
        compiled = ctx.layouts.get(keys) or compile_layout(ctx, keys)
        return self._properties(compiled, type_scoped, element)

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
            elif plan.is_language_map:
                self._language_map(plan, value, subject)
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
            quads = self.quads
            for item in value:  # the common item kinds inline, the rest through _values
                if type(item) is dict:
                    quads.add(
                        (subject, plan.predicate, self.node(plan.term_ctx, plan.node_scoped, item))
                    )
                elif plan.plain_strings and type(item) is str:
                    if needs_escape(item):
                        item = item.translate(ESCAPES)
                    quads.add((subject, plan.predicate, '"' + item + '"'))
                else:
                    self._values(plan, item, subject)
        elif kind is dict:
            self.quads.add(
                (subject, plan.predicate, self.node(plan.term_ctx, plan.node_scoped, value))
            )
        elif value is not None:
            quad = (subject, plan.predicate, self._scalar(plan, value))
            if quad in self.quads and not one_value_per_literal(value, plan.datatype):
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

    def _language_map(self, plan: KeyPlan, value: Any, subject: str) -> None:
        """PyLD ``_expand_language_map`` then ``_object_to_rdf``: each string a literal tagged
        with its key in lower case (as PyLD and jsonld.js both write it)."""
        if type(value) is not dict:
            raise Unsupported("a language map that is not an object")
        for language, texts in value.items():
            if plan.term_ctx.vocab(language) == "@none" or not LANGUAGE_TAG(language):
                raise Unsupported(f"language map key {language!r}")
            for text in texts if type(texts) is list else [texts]:
                if text is None:
                    continue
                if type(text) is not str:
                    raise Unsupported("a language map value that is not a string")
                self.quads.add(
                    (subject, plan.predicate, '"' + escape(text) + '"@' + language.lower())
                )

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
