"""Markers of the one-off start-up migrations a database has had (each runs once; two replicas
running one at once must both be harmless)."""

from __future__ import annotations

from microcred_shared.mongo import MongoDatabase, insert_if_absent

MIGRATIONS = "migrations"


class Migrations:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[MIGRATIONS]

    async def done(self, marker: str) -> bool:
        return await self._collection.find_one({"_id": marker}) is not None

    async def mark_done(self, marker: str) -> None:
        await insert_if_absent(self._collection, {"_id": marker})
