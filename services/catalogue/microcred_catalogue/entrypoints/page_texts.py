"""An achievement's texts in the page's language, each falling back to the primary language."""

from __future__ import annotations

from dataclasses import dataclass

from microcred_shared.events.contracts.catalogue import AchievementV1


@dataclass(frozen=True)
class PageTexts:
    language: str | None  # the language of the title shown (None: not declared)
    name: str
    description: str
    criteria: str
    learning_outcomes: list[str]


def texts_in(achievement: AchievementV1, locale: str) -> PageTexts:
    """The translation for ``locale`` (exact tag first, then one of its language: "de-CH" for
    "de"), field by field; the primary language's text where it has none."""
    primary = PageTexts(
        achievement.primary_language,
        achievement.name,
        achievement.description,
        achievement.criteria,
        achievement.learning_outcomes,
    )
    wanted = locale.lower()
    tags = sorted(achievement.translations, key=lambda tag: tag.lower() != wanted)
    tag = next((t for t in tags if t.lower().split("-", 1)[0] == wanted.split("-", 1)[0]), None)
    if tag is None:
        return primary
    texts = achievement.translations[tag]
    return PageTexts(
        tag if texts.name else primary.language,
        texts.name or primary.name,
        texts.description or primary.description,
        texts.criteria or primary.criteria,
        texts.learning_outcomes or primary.learning_outcomes,
    )
