"""What a search asks for, and the words an achievement is found by.

An achievement is found by the folded words of its name, description, outcomes, skills and
tags, in every language it has them (its ``search_terms``); a text query matches the
achievements holding *all* its words.
The search projection (adapters/memory_search.py) keeps one posting set per word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .achievements import Definition
from .vocabularies import fold

_WORD = re.compile(r"[a-z0-9]+(?:[+#][a-z0-9+#]*)?")
# Words too common to narrow a search; dropping them keeps the term arrays and index small.
STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with via".split()  # noqa: SIM905
)
MAX_TERMS = 400


class SortOrder(StrEnum):
    NAME = "name"
    NEWEST = "-updated_at"
    ECTS = "ects"
    ECTS_DESC = "-ects"
    COMPLETENESS = "-completeness"


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in STOP_WORDS]


def search_terms(definition: Definition) -> list[str]:
    texts: Iterable[str] = (
        definition.name,
        definition.description,
        *definition.learning_outcomes,
        *(skill.name for skill in definition.skills),
        *definition.tags,
        *(text for texts in definition.translations.values() for text in texts.words_of()),
    )
    terms = dict.fromkeys(word for text in texts for word in words(text))
    return list(terms)[:MAX_TERMS]


@dataclass(frozen=True)
class SearchQuery:
    text: str | None = None
    provider_ids: tuple[str, ...] = ()
    provider_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    eqf_levels: tuple[int, ...] = ()
    isced_f: str | None = None  # a broad, narrow or detailed code: matches the whole subtree
    ects_min: float | None = None
    ects_max: float | None = None
    participation_forms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # of instruction
    text_languages: tuple[str, ...] = ()  # the texts are available in one of these (lower case)
    min_completeness: float | None = None
    include_retired: bool = False
    # Only these achievements (e.g. those a partner endorses); None: no such restriction.
    achievement_ids: frozenset[str] | None = None
    sort: SortOrder = SortOrder.NAME
    limit: int = 20
    after: tuple[object, str] | None = field(default=None)  # (sort value, id) of the last hit

    @property
    def text_terms(self) -> list[str]:
        return words(self.text) if self.text else []
