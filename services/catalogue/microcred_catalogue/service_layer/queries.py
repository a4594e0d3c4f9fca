"""Reading the catalogue: one achievement, or a page of search results."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.achievements import Achievement
from ..domain.search import SearchQuery
from .errors import NotFound
from .ports import AchievementRepository, SearchPage, SearchProjection


@dataclass
class AchievementQueries:
    achievements: AchievementRepository
    projection: SearchProjection

    async def get(self, achievement_id: str) -> Achievement:
        achievement = await self.achievements.get(achievement_id)
        if achievement is None:
            raise NotFound(f"no achievement {achievement_id!r}")
        return achievement

    async def search(self, query: SearchQuery) -> SearchPage:
        hits = self.projection.search(query)
        found = await self.achievements.many(hits.achievement_ids)
        items = [found[i] for i in hits.achievement_ids if i in found]
        return SearchPage(items, hits.next_after)
