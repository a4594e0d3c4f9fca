"""Reading the catalogue: one achievement, or a page of search results."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.achievements import Achievement
from ..domain.search import SearchQuery
from .errors import NotFound
from .ports import AchievementRepository, SearchPage


@dataclass
class AchievementQueries:
    achievements: AchievementRepository

    async def get(self, achievement_id: str) -> Achievement:
        achievement = await self.achievements.get(achievement_id)
        if achievement is None:
            raise NotFound(f"no achievement {achievement_id!r}")
        return achievement

    async def search(self, query: SearchQuery) -> SearchPage:
        return await self.achievements.search(query)
