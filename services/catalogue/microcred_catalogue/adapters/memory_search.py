"""The search projection: an in-memory inverted index of the catalogue, one per process.

Why not MongoDB indexes: FerretDB 1.24 (SQLite) pushes no filter but ``_id`` equality down to
SQLite (``explain`` reports ``filterPushdown: false`` and a table SCAN for every other query,
whatever indexes exist), so each search would decode every stored achievement. This projection
answers a search from posting sets, touching only the candidates, and the page is then read by
``_id``. It is fed by the compacted ``catalogue.achievements`` topic (every replica rebuilds it
at start) and written through by the handler that stored a change, so a replica sees its own
writes at once. Each entry keeps its published form, zlib-compressed (about 0.5 KB), so a
search answers without reading the database at all: a stock FerretDB 1.24 answers even an
``_id`` lookup with a table scan (explain: SCAN), which would make every hit cost O(catalogue).
The local stack builds it with that fixed (``stack/fetch.py``), but an operator's may not be.
"""

from __future__ import annotations

import heapq
import zlib
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from microcred_shared.events.contracts.catalogue import AchievementV1

from ..domain.achievements import Achievement, Definition, Skill
from ..domain.search import SearchQuery, SortOrder, search_terms
from ..domain.translations import Texts, language_facets
from ..domain.vocabularies import isced_f_path
from ..service_layer.events import achievement_contract
from ..service_layer.ports import SearchHits
from .sorted_orders import Key, SortedOrders, sort_keys

Facet = tuple[str, object]
# Every distinct facet once: 100,000 achievements share a few thousand facet tuples.
_FACETS: dict[Facet, Facet] = {}


@dataclass(frozen=True, slots=True)
class IndexedAchievement:
    achievement_id: str
    version: int
    facets: tuple[Facet, ...]  # interned: one tuple object per distinct facet, shared
    name_key: str
    updated_at: str  # ISO 8601 UTC: sorts like the instant
    ects: float | None
    completeness: float
    published: bytes  # the AchievementV1 JSON, zlib-compressed

    def contract(self) -> AchievementV1:
        return AchievementV1.model_validate_json(zlib.decompress(self.published))

    def sort_value(self, order: SortOrder) -> object:
        if order is SortOrder.NAME:
            return self.name_key
        if order is SortOrder.NEWEST:
            return self.updated_at
        if order in (SortOrder.ECTS, SortOrder.ECTS_DESC):
            return -1.0 if self.ects is None else self.ects
        return self.completeness


DESCENDING = {SortOrder.NEWEST, SortOrder.ECTS_DESC, SortOrder.COMPLETENESS}


def indexed(achievement: Achievement) -> IndexedAchievement:
    d, p = achievement.definition, achievement.provider
    return _entry(
        achievement.achievement_id, achievement.version, achievement.status.value, d,
        p.provider_id, p.provider_type, p.country,
        achievement.completeness.score, achievement.updated_at,
        achievement_contract(achievement),
    )  # fmt: skip


def indexed_contract(event: AchievementV1) -> IndexedAchievement:
    definition = Definition(
        name=event.name,
        description=event.description,
        learning_outcomes=tuple(event.learning_outcomes),
        ects=event.ects,
        eqf_level=event.eqf_level,
        isced_f_code=event.isced_f_code,
        languages=tuple(event.languages),
        participation_forms=tuple(event.participation_forms),
        skills=tuple(Skill(s.target_name, s.target_url) for s in event.skills),
        tags=tuple(event.tags),
        primary_language=event.primary_language,
        translations={
            language: Texts(
                texts.name, texts.description, texts.criteria, tuple(texts.learning_outcomes)
            )
            for language, texts in event.translations.items()
        },
    )
    return _entry(
        event.achievement_id, event.version, event.status, definition, event.provider_id,
        event.provider_type.value if event.provider_type else None, event.country,
        event.completeness.score, event.updated_at, event,
    )  # fmt: skip


def _entry(
    achievement_id: str,
    version: int,
    status: str,
    d: Definition,
    provider_id: str,
    provider_type: str | None,
    country: str | None,
    completeness: float,
    updated_at: datetime,
    published: AchievementV1,
) -> IndexedAchievement:
    facets: set[Facet] = {("status", status), ("provider_id", provider_id)}
    facets |= {("term", term) for term in search_terms(d)}
    facets |= {("language", code) for code in d.languages}
    facets |= {("text_language", tag) for code in d.text_languages for tag in language_facets(code)}
    facets |= {("form", form) for form in d.participation_forms}
    if d.isced_f_code:
        facets |= {("isced_f", code) for code in isced_f_path(d.isced_f_code)}
    # Completeness in tenths: a minimum-completeness filter is then a union of at most eleven
    # posting sets instead of a range check over the whole catalogue.
    facets.add(("completeness_tenths", int(completeness * 10 + 1e-9)))
    for name, value in (
        ("eqf", d.eqf_level),
        ("provider_type", provider_type),
        ("country", country),
    ):
        if value is not None:
            facets.add((name, value))
    return IndexedAchievement(
        achievement_id=achievement_id,
        version=version,
        facets=tuple(_FACETS.setdefault(facet, facet) for facet in facets),
        name_key=d.name.casefold(),
        updated_at=updated_at.isoformat(),
        ects=d.ects,
        completeness=completeness,
        published=zlib.compress(published.model_dump_json().encode()),
    )


# Below this many candidates, pick the page from them (a heap); above it, walk the sort order
# from the cursor and keep candidates: either way a page costs far less than the catalogue.
HEAP_LIMIT = 2_000


class MemorySearchIndex:
    def __init__(self) -> None:
        self._entries: dict[str, IndexedAchievement] = {}
        self._postings: defaultdict[Facet, set[str]] = defaultdict(set)
        self._orders = SortedOrders()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, achievement: Achievement) -> bool:
        return self.put(indexed(achievement))

    def add_event(self, event: AchievementV1) -> bool:
        return self.put(indexed_contract(event))

    def put(self, entry: IndexedAchievement) -> bool:
        """Index ``entry`` unless the same or a newer version is indexed; True if indexed."""
        current = self._entries.get(entry.achievement_id)
        if current is not None:
            if current.version >= entry.version:
                return False
            for facet in set(current.facets).difference(entry.facets):
                self._postings[facet].discard(entry.achievement_id)
        for facet in entry.facets:
            self._postings[facet].add(entry.achievement_id)
        self._orders.replace(_keys(current) if current else None, _keys(entry))
        self._entries[entry.achievement_id] = entry
        return True

    def search(self, query: SearchQuery) -> SearchHits:
        order, descending = query.sort, query.sort in DESCENDING
        after = (query.after[0], query.after[1]) if query.after is not None else None
        candidates = self._candidates(query)
        if len(candidates) > HEAP_LIMIT:
            walked = (self._entries[i] for i in self._orders.walk(order, descending, after))
            matching = (
                e for e in walked if e.achievement_id in candidates and _in_ranges(e, query)
            )
            page = list(islice(matching, query.limit + 1))
        else:
            page = self._heap_page(candidates, query, after)
        more = len(page) > query.limit
        page = page[: query.limit]
        last = page[-1] if page else None
        next_after = (last.sort_value(order), last.achievement_id) if more and last else None
        return SearchHits([e.contract() for e in page], next_after)

    def _heap_page(
        self, candidates: Collection[str], query: SearchQuery, after: tuple[object, str] | None
    ) -> list[IndexedAchievement]:
        order, descending = query.sort, query.sort in DESCENDING
        entries = (self._entries[i] for i in candidates)
        entries = (e for e in entries if _in_ranges(e, query))
        if after is not None:
            entries = (
                e
                for e in entries
                if _beyond((e.sort_value(order), e.achievement_id), after, descending)
            )
        pick = heapq.nlargest if descending else heapq.nsmallest
        return pick(query.limit + 1, entries, key=lambda e: (e.sort_value(order), e.achievement_id))

    def _candidates(self, query: SearchQuery) -> set[str] | dict[str, IndexedAchievement]:
        """The intersection of every filter's postings, smallest first (so cheap)."""
        groups: list[set[str]] = [self._postings.get(("term", t), set()) for t in query.text_terms]
        for name, values in (
            ("provider_id", query.provider_ids),
            ("provider_type", query.provider_types),
            ("country", query.countries),
            ("eqf", query.eqf_levels),
            ("form", query.participation_forms),
            ("language", query.languages),
            ("text_language", query.text_languages),
            ("isced_f", (query.isced_f,) if query.isced_f else ()),
        ):
            if values:
                groups.append(self._union(name, values))
        if query.min_completeness is not None:
            lowest = int(query.min_completeness * 10 + 1e-9)
            groups.append(self._union("completeness_tenths", range(lowest, 11)))
        if not query.include_retired:
            groups.append(self._postings.get(("status", "active"), set()))
        if query.achievement_ids is not None:
            groups.append(set(query.achievement_ids))
        if not groups:
            return self._entries
        groups.sort(key=len)
        result = set(groups[0])
        for group in groups[1:]:
            result &= group
            if not result:
                break
        return result

    def _union(self, name: str, values: Iterable[object]) -> set[str]:
        postings = [self._postings.get((name, value), set()) for value in values]
        return set().union(*postings) if len(postings) > 1 else postings[0]


def _keys(entry: IndexedAchievement) -> dict[str, Key]:
    return sort_keys(entry.achievement_id, entry.sort_value)


def _in_ranges(entry: IndexedAchievement, query: SearchQuery) -> bool:
    if query.ects_min is not None or query.ects_max is not None:
        if entry.ects is None:
            return False
        if query.ects_min is not None and entry.ects < query.ects_min:
            return False
        if query.ects_max is not None and entry.ects > query.ects_max:
            return False
    return query.min_completeness is None or entry.completeness >= query.min_completeness


def _beyond(key: tuple[object, str], after: tuple[object, str], descending: bool) -> bool:
    try:
        return key < after if descending else key > after
    except TypeError:  # a cursor from another sort order: start over rather than fail
        return True
