"""An offline JSON-LD document loader: it serves the contexts bundled with this package, or an
explicit extra set, and refuses everything else. Production code never fetches a context: a
context fetched at verification time could be swapped by whoever serves it, changing what a
signed credential means."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from microcred_shared.crypto.errors import ContextNotBundledError

CONTEXTS_PACKAGE = "microcred_shared.crypto"
CONTEXTS_DIR = "contexts"
INDEX_FILE = "index.json"
RESOLVED_CACHE_SIZE = 256


@cache
def _bundled_contexts() -> dict[str, Any]:
    """URL → parsed context, read once per process from the package data."""
    folder = resources.files(CONTEXTS_PACKAGE).joinpath(CONTEXTS_DIR)
    index: dict[str, str] = json.loads(folder.joinpath(INDEX_FILE).read_text("utf-8"))
    return {
        url: json.loads(folder.joinpath(name).read_text("utf-8")) for url, name in index.items()
    }


def bundled_context_urls() -> frozenset[str]:
    return frozenset(_bundled_contexts())


def load_context_dir(folder: Path) -> dict[str, Any]:
    """Read a folder laid out like ours (``index.json`` mapping URL → file) into URL → context."""
    index = json.loads((folder / INDEX_FILE).read_text("utf-8"))
    if not isinstance(index, dict):
        raise ValueError(f"{folder / INDEX_FILE} must map context URLs to file names")
    return {url: json.loads((folder / name).read_text("utf-8")) for url, name in index.items()}


class OfflineDocumentLoader:
    """A PyLD-compatible document loader (``loader(url, options) -> RemoteDocument``).

    Serves only the bundled contexts plus ``extra`` (URL → parsed document). Any other URL raises
    :class:`ContextNotBundledError`: no network, ever. ``include_bundled=False`` makes a loader
    that serves ``extra`` alone (tests, or a verifier pinned to an exact set).
    """

    def __init__(
        self, extra: Mapping[str, Any] | None = None, *, include_bundled: bool = True
    ) -> None:
        docs: dict[str, Any] = dict(_bundled_contexts()) if include_bundled else {}
        if extra:
            docs.update(extra)
        self._documents = docs
        # PyLD keeps resolved contexts in a cache handed to its ContextResolver. This one belongs
        # to the loader, not to PyLD's process-wide cache: two loaders serving different
        # documents for one URL must never see each other's.
        self.resolved_context_cache: LRUCache[str, Any] = LRUCache(maxsize=RESOLVED_CACHE_SIZE)

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(self._documents)

    def get(self, url: str) -> Any:
        """The parsed document for ``url`` (a private copy the caller may mutate)."""
        try:
            return copy.deepcopy(self._documents[url])
        except KeyError:
            raise ContextNotBundledError(url) from None

    def __contains__(self, url: object) -> bool:
        return url in self._documents

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        # A private copy: PyLD rewrites relative @context URLs in place. The "static" tag lets
        # PyLD keep the resolved context in resolved_context_cache, so this runs once per URL.
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": self.get(url),
            "tag": "static",
        }


@cache
def default_loader() -> OfflineDocumentLoader:
    """The process-wide loader over the bundled contexts (shared so its caches stay warm)."""
    return OfflineDocumentLoader()
