"""Verification records and their counts.

One small document per verification (keyed by event id, so a redelivery cannot count twice)
and counts computed with ``$match`` + ``$group``, which FerretDB serves; per-month counter
documents would be cheaper to read but cannot be made idempotent without transactions.
"""

from __future__ import annotations

from typing import Any

from microcred_shared.mongo import IndexSpec, MongoDatabase, count_groups, insert_if_absent
from pymongo import ASCENDING, IndexModel

from ..domain.demand import DemandDimension, DemandRow, VerificationRecord

COLLECTION = "verifications"
# One index per spec: see mongo_pathways.py (a FerretDB 1.24 panic on repeated createIndexes).
INDEXES = [
    IndexSpec(COLLECTION, [IndexModel([("month", ASCENDING)])]),
    IndexSpec(COLLECTION, [IndexModel([("provider_id", ASCENDING), ("month", ASCENDING)])]),
]
_FIELD_OF = {
    DemandDimension.ACHIEVEMENT: "achievement_id",
    DemandDimension.PROVIDER: "provider_id",
    DemandDimension.FIELD: "field",
    DemandDimension.EQF_LEVEL: "eqf_level",
    DemandDimension.MONTH: None,
}
VERIFIED = ("verified", "verified_with_warnings")


class MongoDemand:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[COLLECTION]

    async def record(self, record: VerificationRecord) -> bool:
        return await insert_if_absent(
            self._collection,
            {
                "_id": record.event_id,
                "month": record.month,
                "verified": 1 if record.verdict in VERIFIED else 0,
                "achievement_id": record.achievement_id,
                "provider_id": record.provider_id,
                "field": record.field,
                "eqf_level": record.eqf_level,
            },
        )

    async def counts(
        self,
        by: DemandDimension,
        *,
        provider_id: str | None,
        month_from: str | None,
        month_to: str | None,
    ) -> list[DemandRow]:
        match: dict[str, Any] = {}
        if provider_id:
            match["provider_id"] = provider_id
        months = {k: v for k, v in (("$gte", month_from), ("$lte", month_to)) if v}
        if months:
            match["month"] = months
        field = _FIELD_OF[by]
        group_id: dict[str, str] = {"month": "$month"}
        if field:
            group_id["key"] = f"${field}"
        # Two counting passes rather than {"$sum": "$verified"}: FerretDB 1.24 sums a field
        # path to 0 when the group _id is a document (counting with {"$sum": 1} is right).
        totals = await self._count(match, group_id)
        verified = await self._count({**match, "verified": 1}, group_id)
        result = [
            DemandRow(
                key=None if key is None else str(key),
                month=month,
                verifications=count,
                verified=verified.get((key, month), 0),
            )
            for (key, month), count in totals.items()
        ]
        return sorted(result, key=lambda r: (r.month or "", -r.verifications, r.key or ""))

    async def _count(
        self, match: dict[str, Any], group_id: dict[str, str]
    ) -> dict[tuple[Any, str | None], int]:
        return {
            (group.get("key"), group.get("month")): count
            for group, count in await count_groups(self._collection, match, group_id)
        }
