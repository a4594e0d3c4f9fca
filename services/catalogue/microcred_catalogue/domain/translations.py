"""An achievement's texts in several languages: BCP 47 tags, and what each language lacks.

Tags are validated with ``langcodes`` (maintained, and checks every subtag against the IANA
language subtag registry that BCP 47 names), not with Babel's locale parsing: a valid tag such
as ``gsw`` or ``de-AT-1996`` need not have CLDR locale data, which is what Babel checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import langcodes

from .vocabularies import Unrecognised

TRANSLATABLE_FIELDS = ("name", "description", "criteria", "learning_outcomes")


@dataclass(frozen=True)
class Texts:
    """The translatable texts of an achievement in one language (None or empty: not given)."""

    name: str | None = None
    description: str | None = None
    criteria: str | None = None
    learning_outcomes: tuple[str, ...] = ()

    def words_of(self) -> Iterable[str]:
        yield from (text for text in (self.name, self.description) if text)
        yield from self.learning_outcomes

    def empty_fields(self) -> tuple[str, ...]:
        return tuple(name for name in TRANSLATABLE_FIELDS if not getattr(self, name))

    def missing(self, primary: Texts) -> tuple[str, ...]:
        """The fields the primary language has and this one lacks (fewer outcomes: lacking)."""
        lacks = [
            name
            for name in ("name", "description", "criteria")
            if getattr(primary, name) and not getattr(self, name)
        ]
        if len(self.learning_outcomes) < len(primary.learning_outcomes):
            lacks.append("learning_outcomes")
        return tuple(lacks)


def parse_language_tag(value: str) -> str:
    """ "de", "DE", "de_ch" -> "de", "de-CH" (BCP 47, canonical case); Unrecognised otherwise."""
    candidate = value.strip().replace("_", "-")
    if not candidate or not langcodes.tag_is_valid(candidate):
        raise Unrecognised(f"{value!r} is not a valid BCP 47 language tag")
    return str(langcodes.standardize_tag(candidate))


def language_facets(tag: str) -> set[str]:
    """What a language filter matches a tag by: the tag, and its language alone ("de-CH": "de")."""
    lowered = tag.lower()
    return {lowered, lowered.split("-", 1)[0]}


def missing_by_language(
    primary_language: str | None, primary: Texts, translations: Mapping[str, Texts]
) -> dict[str, tuple[str, ...]]:
    """For the primary language, the fields it leaves empty; for each other, what it lacks."""
    report: dict[str, tuple[str, ...]] = {}
    if primary_language is not None:
        report[primary_language] = primary.empty_fields()
    for language, texts in translations.items():
        report[language] = texts.missing(primary)
    return report
