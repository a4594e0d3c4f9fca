"""A credential's achievement texts in the page's language, from the EU context's language maps
(``nameTranslations`` …), each falling back to OB 3.0's single strings (the primary language)."""

from __future__ import annotations

from typing import Any


def texts_in(achievement: dict[str, Any], locale: str) -> dict[str, Any]:
    """name, description, criteria, learning_outcomes and the language of the name shown."""
    criteria = achievement.get("criteria") or {}
    texts: dict[str, Any] = {
        "language": achievement.get("textLanguage"),
        "name": achievement.get("name"),
        "description": achievement.get("description"),
        "criteria": criteria.get("narrative") if isinstance(criteria, dict) else None,
        "learning_outcomes": achievement.get("learningOutcomes") or [],
    }
    for field, term in (
        ("name", "nameTranslations"),
        ("description", "descriptionTranslations"),
        ("criteria", "criteriaTranslations"),
        ("learning_outcomes", "learningOutcomesTranslations"),
    ):
        tag, text = _in(achievement.get(term), locale)
        if text:
            texts[field] = (
                text if field != "learning_outcomes" or isinstance(text, list) else [text]
            )
            if field == "name":
                texts["language"] = tag
    return texts


def _in(language_map: Any, locale: str) -> tuple[str | None, Any]:
    """The entry for ``locale``: the exact tag first, then one of the same language."""
    if not isinstance(language_map, dict):
        return None, None
    wanted = locale.lower()
    tags = sorted(language_map, key=lambda tag: tag.lower() != wanted)
    tag = next((t for t in tags if t.lower().split("-", 1)[0] == wanted.split("-", 1)[0]), None)
    return (tag, language_map[tag]) if tag is not None else (None, None)
