"""An achievement's texts in several languages, as our EU context's JSON-LD language maps.

OB 3.0's ``name``, ``description``, ``criteria.narrative`` and ``learningOutcomes`` stay single
strings in the primary language (the official schema wants strings); the same texts in every
language travel beside them as ``@language`` maps (``docs/eu-elements.md``), so each becomes a
language-tagged RDF literal, signed like every other statement of the credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TranslatedTexts:
    """An achievement's texts in one language other than its primary one (None: not given)."""

    language: str  # BCP 47, as the catalogue canonicalised it
    name: str | None = None
    description: str | None = None
    criteria: str | None = None
    learning_outcomes: tuple[str, ...] = ()


def language_maps(
    primary_language: str | None,
    primary: TranslatedTexts,
    translations: tuple[TranslatedTexts, ...],
) -> dict[str, Any]:
    """``textLanguage`` and, with translations, one language map per text (primary included)."""
    if primary_language is None:
        return {}
    terms: dict[str, Any] = {"textLanguage": primary_language}
    if not translations:
        return terms
    every = (primary, *translations)
    for term, texts in (
        ("nameTranslations", {t.language: t.name for t in every}),
        ("descriptionTranslations", {t.language: t.description for t in every}),
        ("criteriaTranslations", {t.language: t.criteria for t in every}),
        ("learningOutcomesTranslations", {t.language: list(t.learning_outcomes) for t in every}),
    ):
        given = _given(texts)
        if given:
            terms[term] = given
    return terms


def _given(texts: Mapping[str, Any]) -> dict[str, Any]:
    return {language: text for language, text in texts.items() if text}
