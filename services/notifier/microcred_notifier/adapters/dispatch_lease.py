"""The dispatch lease in MongoDB: one document in ``locks`` names the replica that dispatches.

Inserting it is atomic (its unique ``_id``), the one write FerretDB 1.24 makes atomic; the
holder renews it well before it runs out, and a standby removes it only once it has (its
holder crashed or stalled), then competes to insert its own.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from microcred_shared.events import utc_now
from microcred_shared.locks import LOCKS_COLLECTION
from microcred_shared.mongo import MongoCollection, MongoDatabase
from pymongo.errors import DuplicateKeyError

DISPATCHER_KEY = "notifier:dispatcher"


class MongoDispatchLease:
    def __init__(self, database: MongoDatabase, key: str = DISPATCHER_KEY) -> None:
        self._locks: MongoCollection = database[LOCKS_COLLECTION]
        self._key = key
        self._owner = secrets.token_hex(8)
        self._held = False

    async def hold(self, duration: timedelta) -> bool:
        now = utc_now()
        until = now + duration
        if self._held:
            renewed = await self._locks.update_one(
                {"_id": self._key, "owner": self._owner}, {"$set": {"until": until}}
            )
            if renewed.matched_count:
                return True
            self._held = False  # taken over while this replica stalled
        try:
            await self._locks.insert_one({"_id": self._key, "owner": self._owner, "until": until})
        except DuplicateKeyError:
            await self._locks.delete_one({"_id": self._key, "until": {"$lt": now}})
            return False
        self._held = True
        return True

    async def release(self) -> None:
        if self._held:
            self._held = False
            await self._locks.delete_one({"_id": self._key, "owner": self._owner})
