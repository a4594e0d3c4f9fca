"""Issued credentials and their latest status, one small document each, counted by aggregation."""

from __future__ import annotations

from typing import Any

from microcred_shared.mongo import IndexSpec, MongoCollection, MongoDatabase, insert_if_absent
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from ..domain.issuance import (
    CredentialState,
    IssuanceSummary,
    IssuedRecord,
    StatusRecord,
    summarise,
)

ISSUED = "issued_credentials"
STATUSES = "credential_statuses"
INDEXES = [
    IndexSpec(ISSUED, [IndexModel([("provider_id", ASCENDING)])]),
    IndexSpec(STATUSES, [IndexModel([("provider_id", ASCENDING)])]),
]


class MongoIssuance:
    def __init__(self, database: MongoDatabase) -> None:
        self._issued = database[ISSUED]
        self._statuses = database[STATUSES]

    async def record_issued(self, record: IssuedRecord) -> bool:
        return await insert_if_absent(
            self._issued,
            {
                "_id": record.credential_id,
                "provider_id": record.provider_id,
                "achievement_id": record.achievement_id,
                "kind": record.kind,
                "month": record.month,
            },
        )

    async def record_status(self, record: StatusRecord) -> bool:
        # One writer per credential: the issuer keys status events by credential id, so one
        # consumer applies them in order. The sequence guard makes a redelivery, or an older
        # change replayed after a newer one, miss the filter and collide on _id.
        try:
            await self._statuses.update_one(
                {"_id": record.credential_id, "sequence": {"$lt": record.sequence}},
                {
                    "$set": {
                        "provider_id": record.provider_id,
                        "achievement_id": record.achievement_id,
                        "state": record.state.value,
                        "sequence": record.sequence,
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    async def summary(self, provider_id: str) -> IssuanceSummary:
        issued = {
            key["achievement_id"]: count
            for key, count in (await _count(self._issued, provider_id, ["achievement_id"]))
        }
        states = [
            (key["achievement_id"], CredentialState(key["state"]), count)
            for key, count in await _count(self._statuses, provider_id, ["achievement_id", "state"])
        ]
        return summarise(issued, states)


async def _count(
    collection: MongoCollection, provider_id: str, fields: list[str]
) -> list[tuple[dict[str, Any], int]]:
    pipeline: list[dict[str, Any]] = [
        {"$match": {"provider_id": provider_id}},
        {"$group": {"_id": {f: f"${f}" for f in fields}, "count": {"$sum": 1}}},
    ]
    return [(row["_id"], int(row["count"])) async for row in await collection.aggregate(pipeline)]
