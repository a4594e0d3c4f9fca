"""Reading the catalogue: one achievement, or a page of search results."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.achievements import Achievement
from ..domain.search import SearchQuery
from .errors import NotFound
from .ports import AchievementRepository, SearchHits, SearchProjection


@dataclass
class AchievementQueries:
    achievements: AchievementRepository
    projection: SearchProjection

    async def get(self, achievement_id: str) -> Achievement:
        achievement = await self.achievements.get(achievement_id)
        if achievement is None:
            raise NotFound(f"no achievement {achievement_id!r}")
        return achievement

    async def search(self, query: SearchQuery) -> SearchHits:
        # Answered from the projection alone: on a stock FerretDB 1.24 even an `_id` lookup
        # scans the collection, so reading the page from the database would cost O(catalogue)
        # per hit.
        return self.projection.search(query)
