"""An achievement's texts in more than one language (issue 15).

Added to the course and achievement contracts in a minor change: both new fields are optional
with empty defaults, so events written before them read as before and old consumers ignore them.
Languages are BCP 47 tags (``de``, ``fr``, ``de-CH``); the single-string fields of a course stay
in its ``primary_language``, and ``translations`` carry the same texts in the other languages.
"""

from __future__ import annotations

from pydantic import Field

from .base import Contract, ExternalContract


class CourseTextsV1(ExternalContract):
    """A course's texts in one more language, as a partner writes them."""

    name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    criteria: str | None = Field(default=None, max_length=10_000)
    learning_outcomes: list[str] = Field(default_factory=list, max_length=100)


class AchievementTexts(Contract):
    """An achievement's texts in one language other than its primary one (absent: not given)."""

    name: str | None = None
    description: str | None = None
    criteria: str | None = None
    learning_outcomes: list[str] = Field(default_factory=list)
