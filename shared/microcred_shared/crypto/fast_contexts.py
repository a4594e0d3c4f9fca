"""Active JSON-LD contexts computed once per process and reused for every document.

PyLD re-processes every scoped context (type-scoped, property-scoped) each time it enters a
node, which is most of its expansion time. Here PyLD's own context processing still builds each
active context, so term definitions, protected terms and scoped-context rules mean exactly what
they mean on the reference path; the result is kept in a tree keyed by (parent context, local
context) and each node memoises the IRI expansions and term lookups made against it.
"""

from __future__ import annotations

import copy
import re
import weakref
from typing import Any

from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

from microcred_shared.crypto.jsonld_safe import RELATIVE_IRI_MARKER, processing_options
from microcred_shared.crypto.loader import OfflineDocumentLoader

# A bound on what one context remembers, so documents with ever-new inline contexts cannot
# grow the process without limit (past it, contexts are still computed, just not kept).
MAX_CHILDREN = 256
MAX_MEMO = 4096

_MISSING = object()

# PyLD's absolute-IRI test (jsonld._is_absolute_iri), compiled once.
ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")


class Unsupported(Exception):
    """The fast path does not cover this document; the PyLD reference path must handle it."""


class ActiveContext:
    """One PyLD active context plus what has been derived from it."""

    __slots__ = (
        "_children",
        "_owner",
        "_terms",
        "_vocab",
        "_vocab_base",
        "kept",
        "layouts",
        "plans",
        "previous",
        "raw",
        "type_keys",
        "typed",
        "vocab_terms",
    )

    def __init__(
        self,
        raw: dict[str, Any],
        owner: ContextTree,
        previous: ActiveContext | None,
        *,
        kept: bool,
    ) -> None:
        self.raw = raw
        self.kept = kept
        self.previous = previous
        self._owner = owner
        self._children: dict[Any, tuple[Any, ActiveContext]] = {}
        self._vocab: dict[str, Any] = {}
        self._vocab_base: dict[str, Any] = {}
        self._terms: dict[tuple[str | None, str], Any] = {}
        # How each key expands here, filled in by fast_expand (a per-context compiled table).
        self.plans: dict[str, Any] = {}
        # Per node shape (its keys): which keys are types, the context after the type-scoped
        # contexts of given type values, and the compiled plan of every key.
        self.type_keys: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.typed: dict[tuple[Any, ...], ActiveContext] = {}
        self.layouts: dict[tuple[str, ...], Any] = {}
        self.vocab_terms: dict[str, str] = {}

    # -- derived contexts -------------------------------------------------------------------

    def with_document_context(self, local: Any) -> ActiveContext:
        """This context with a document's own ``@context`` applied.

        Only context URLs (served by the loader, so a bounded set) are remembered; an inline
        context is processed for this document alone, so documents cannot grow the cache.
        """
        if isinstance(local, str):
            return self._child(("doc", local), None, lambda: local, {}, keep=True)
        if isinstance(local, list) and all(isinstance(item, str) for item in local):
            return self._child(("doc", tuple(local)), None, lambda: list(local), {}, keep=True)
        return self._child(None, None, lambda: copy.deepcopy(local), {}, keep=False)

    def with_scoped_context(self, local: Any, *, propagate: bool, override: bool) -> ActiveContext:
        """This context with a scoped context taken from a term definition applied."""
        # Term definitions live as long as the context that holds them, so their identity is
        # a stable key; the local object is kept beside the child and checked on every hit.
        key = ("scoped", id(local), propagate, override)
        flags = {"propagate": propagate, "override_protected": override}
        return self._child(key, local, lambda: local, flags, keep=True)

    def _child(
        self, key: Any, anchor: Any, local: Any, flags: dict[str, bool], *, keep: bool
    ) -> ActiveContext:
        keep = keep and self.kept
        hit = self._children.get(key) if keep else None
        if hit is not None and hit[0] is anchor:
            return hit[1]
        raw = self._owner.processor._process_context(
            self.raw, local(), self._owner.options, **flags
        )
        child = self._owner.wrap(raw, self, keep=keep)
        if keep and len(self._children) < MAX_CHILDREN:
            self._children[key] = (anchor, child)
        return child

    def reverted(self) -> ActiveContext:
        """The context a type-scoped context was applied to (itself when there is none)."""
        return self.previous if self.previous is not None else self

    # -- lookups (memoised: they depend on the context and the vocabulary, not on a document) --

    def vocab(self, value: str) -> Any:
        """``value`` expanded as a property or type (vocabulary-relative)."""
        hit = self._vocab.get(value, _MISSING)
        if hit is _MISSING:
            hit = self._owner.processor._expand_iri(self.raw, value, vocab=True)
            remember(self._vocab, value, hit)
        return hit

    def vocab_with_base(self, value: str) -> Any:
        """A type or ``@vocab``-coerced value: vocabulary-relative, then document-relative."""
        hit = self._vocab_base.get(value, _MISSING)
        if hit is _MISSING:
            hit = self._owner.processor._expand_iri(
                self.raw, value, vocab=True, base=RELATIVE_IRI_MARKER
            )
            remember(self._vocab_base, value, hit)
        return hit

    def document_relative(self, value: str) -> Any:
        """An ``@id`` value or ``@id``-coerced string: document-relative (not memoised: these
        are the document's own identifiers)."""
        colon = value.find(":")
        if colon > 0:
            mapping = self.raw["mappings"].get(value[:colon])
            if (
                mapping is None or not mapping.get("_prefix") or value.startswith("//", colon + 1)
            ) and ABSOLUTE_IRI.match(value):
                return value  # what PyLD's _expand_iri returns for an absolute IRI
        return self._owner.processor._expand_iri(self.raw, value, base=RELATIVE_IRI_MARKER)

    def term(self, key: str | None, entry: str) -> Any:
        """PyLD's ``get_context_value`` (the term definition's ``entry``, or the default)."""
        memo_key = (key, entry)
        hit = self._terms.get(memo_key, _MISSING)
        if hit is _MISSING:
            hit = jsonld.JsonLdProcessor.get_context_value(self.raw, key, entry)
            remember(self._terms, memo_key, hit)
        return hit

    def is_reverse(self, key: str) -> bool:
        mapping = self.raw["mappings"].get(key)
        return bool(mapping and mapping.get("reverse"))


def remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) < MAX_MEMO:
        memo[key] = value


class ContextTree:
    """Every active context derived from one loader's documents, rooted at the initial one."""

    def __init__(self, loader: OfflineDocumentLoader) -> None:
        self.processor = jsonld.JsonLdProcessor()
        options = processing_options(loader)
        options.update(isFrame=False, keepFreeFloatingNodes=False, extractAllScripts=False)
        self.options = options
        self._by_identity: dict[int, tuple[dict[str, Any], ActiveContext]] = {}
        self.root = self.wrap(self.processor._get_initial_context(options), None, keep=True)

    def wrap(
        self, raw: dict[str, Any], parent: ActiveContext | None, *, keep: bool
    ) -> ActiveContext:
        """The node for ``raw``; its previous context is found among the ones already known.
        ``keep``: remembered for the process (derived from bundled contexts only)."""
        known = self._by_identity.get(id(raw))
        if known is not None and known[0] is raw:
            return known[1]
        previous_raw = raw.get("previousContext")
        previous: ActiveContext | None = None
        if previous_raw is not None:
            if parent is not None and previous_raw is parent.raw:
                previous = parent
            elif parent is not None and parent.previous and previous_raw is parent.previous.raw:
                previous = parent.previous
            else:
                previous = self.wrap(previous_raw, None, keep=False)
        node = ActiveContext(raw, self, previous, kept=keep)
        if keep and len(self._by_identity) < MAX_MEMO:
            self._by_identity[id(raw)] = (raw, node)
        return node


_trees: weakref.WeakKeyDictionary[OfflineDocumentLoader, ContextTree] = weakref.WeakKeyDictionary()


def context_tree(loader: OfflineDocumentLoader) -> ContextTree:
    """The loader's context tree: two loaders never share contexts (they may serve different
    documents for one URL)."""
    tree = _trees.get(loader)
    if tree is None:
        tree = _trees[loader] = ContextTree(loader)
    return tree
