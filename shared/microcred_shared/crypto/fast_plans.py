"""The compiled term tables: what each key of a node means in an active context, and what a
node shape (its keys and type values) resolves to, worked out once per context and reused.

Each decision is PyLD's (``_expand_object``, ``_expand_value``, ``_prepare_nested_context``);
keys and containers the fast path does not model raise :class:`Unsupported`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microcred_shared.crypto.fast_contexts import ActiveContext, Unsupported, remember
from microcred_shared.crypto.fast_terms import RDF_LANGSTRING, safe_iri

_ALLOWED_CONTAINERS = frozenset({"@set"})

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
    is_language_map: bool = False  # an ``@language`` container: {tag: string or strings}


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
    is_language_map = container == ["@language"]
    if is_language_map and (
        term_container != ["@language"] or ctx.term(key, "@direction") is not None
    ):
        raise Unsupported("language map changed by a scoped context, or with a direction")
    if not is_list and not is_language_map and not _ALLOWED_CONTAINERS.issuperset(container):
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
        is_language_map,
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


def compile_layout(ctx: ActiveContext, keys: tuple[str, ...]) -> Layout:
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
    compiled = (id_key, tuple(type_keys), tuple(properties), ctx)
    remember(ctx.layouts, keys, compiled)
    return compiled


def typed_context(
    ctx: ActiveContext,
    element: dict[str, Any],
    type_keys: tuple[str, ...],
    signature: tuple[Any, ...],
) -> ActiveContext:
    """The context after the node's type-scoped contexts, remembered by the node's keys and
    type values when nothing else was read."""
    typed, read_only_type_keys = _apply_type_contexts(ctx, element, type_keys)
    if read_only_type_keys and None not in signature:
        remember(ctx.typed, signature, typed)
    return typed


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


def hashable(value: Any) -> Any:
    """A cache key for a type value: a string, a tuple of strings, or None (do not cache)."""
    if type(value) is str:
        return value
    if type(value) is list and all(type(item) is str for item in value):
        return tuple(value)
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
