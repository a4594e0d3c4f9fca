"""Issued credentials and their latest status, one small document each, counted by aggregation."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_shared.locks import store_if_newer
from microcred_shared.mongo import IndexSpec, MongoDatabase, count_groups, insert_many_if_absent
from pymongo import ASCENDING, IndexModel

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

    async def record_issued_many(self, records: Sequence[IssuedRecord]) -> list[bool]:
        return await insert_many_if_absent(
            self._issued,
            [
                {
                    "_id": record.credential_id,
                    "provider_id": record.provider_id,
                    "achievement_id": record.achievement_id,
                    "kind": record.kind,
                    "month": record.month,
                }
                for record in records
            ],
        )

    async def record_status(self, record: StatusRecord) -> bool:
        state = {
            "provider_id": record.provider_id,
            "achievement_id": record.achievement_id,
            "state": record.state.value,
            "sequence": record.sequence,
        }
        # A redelivery, or an older change replayed after a newer one, changes nothing.
        return await store_if_newer(self._statuses, record.credential_id, state, "sequence")

    async def summary(self, provider_id: str) -> IssuanceSummary:
        by_provider = {"provider_id": provider_id}
        issued = {
            group["achievement_id"]: count
            for group, count in await count_groups(
                self._issued, by_provider, {"achievement_id": "$achievement_id"}
            )
        }
        states = [
            (group["achievement_id"], CredentialState(group["state"]), count)
            for group, count in await count_groups(
                self._statuses,
                by_provider,
                {"achievement_id": "$achievement_id", "state": "$state"},
            )
        ]
        return summarise(issued, states)
