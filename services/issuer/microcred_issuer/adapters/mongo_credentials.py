"""Issued credentials (with their pending events) and status slots."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from microcred_shared.locks import DocumentLocks, document_key
from microcred_shared.messaging.outbox import insert_many_with_outbox, store_with_outbox
from microcred_shared.mongo import (
    Document,
    IndexSpec,
    MongoDatabase,
    bulk_write_in_chunks,
    find_by_ids,
    insert_many_if_absent,
)
from pymongo import ASCENDING, IndexModel, UpdateOne

from ..domain.records import IssuedCredential
from ..domain.reissue import signed_with
from ..domain.status_list import StatusPurpose, StatusSlot
from ..service_layer.ports import NewCredential, OutgoingEvent
from .migrations import Migrations
from .mongo_status_bits import MongoStatusBits
from .outbox import entries

CREDENTIALS = "credentials"
# learner_ref -> the ids of the learner's credentials. FerretDB answers a query on any field but
# `_id` by scanning the collection, so a lookup by learner (on every completion a pathway uses)
# would grow with everything ever issued; by `_id` here it does not.
LEARNERS = "learner_credentials"
LEARNER_INDEX_BUILT = "learner_credentials.v1"
STATUS_BITS_BUILT = "status_bits.v1"
SLOTS = "status_slots"

INDEXES = [
    IndexSpec(
        CREDENTIALS,
        (
            IndexModel([("learner_ref", ASCENDING)]),
            IndexModel([("achievement_id", ASCENDING)]),
        ),
    ),
]


def _state(credential: IssuedCredential) -> Document:
    return {
        "status": credential.status,
        "status_reason": credential.status_reason,
        "status_sequence": credential.status_sequence,
        "status_changed_at": credential.status_changed_at,
    }


def _document(credential: IssuedCredential) -> Document:
    return {
        "_id": credential.credential_id,
        "kind": credential.kind,
        "provider_id": credential.provider_id,
        "achievement_id": credential.achievement_id,
        "achievement_name": credential.achievement_name,
        "learner_ref": credential.learner_ref,
        "issuer_did": credential.issuer_did,
        "issued_at": credential.issued_at,
        "valid_until": credential.valid_until,
        "slot_shard": credential.slot.shard,
        "slot_index": credential.slot.index,
        # Kept as the exact JSON text that was signed: no database type mapping can alter it.
        "document_json": json.dumps(credential.document, ensure_ascii=False),
        "ects": credential.ects,
        "eqf_level": credential.eqf_level,
        "isced_f_code": credential.isced_f_code,
        "completion_id": credential.completion_id,
        "pathway_id": credential.pathway_id,
        "component_credential_ids": list(credential.component_credential_ids),
        "sealed_email": credential.sealed_email,
        "reissued_at": credential.reissued_at,
        **_state(credential),
    }


def _credential(doc: Document) -> IssuedCredential:
    document: dict[str, Any] = json.loads(doc["document_json"])
    return IssuedCredential(
        credential_id=doc["_id"],
        kind=doc["kind"],
        provider_id=doc["provider_id"],
        achievement_id=doc["achievement_id"],
        achievement_name=doc["achievement_name"],
        learner_ref=doc["learner_ref"],
        issuer_did=doc["issuer_did"],
        issued_at=doc["issued_at"],
        valid_until=doc.get("valid_until"),
        slot=StatusSlot(doc["provider_id"], doc["slot_shard"], doc["slot_index"]),
        document=document,
        ects=doc.get("ects"),
        eqf_level=doc.get("eqf_level"),
        isced_f_code=doc.get("isced_f_code"),
        completion_id=doc.get("completion_id"),
        pathway_id=doc.get("pathway_id"),
        component_credential_ids=tuple(doc.get("component_credential_ids") or ()),
        sealed_email=doc.get("sealed_email"),
        status=doc["status"],
        status_reason=doc.get("status_reason"),
        status_sequence=doc["status_sequence"],
        status_changed_at=doc.get("status_changed_at"),
        reissued_at=doc.get("reissued_at"),
    )


class MongoCredentials:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[CREDENTIALS]
        self._learners = database[LEARNERS]
        self._locks = DocumentLocks.of(database)
        self._bits = MongoStatusBits(database)
        self._migrations = Migrations(database)

    async def get(self, credential_id: str) -> IssuedCredential | None:
        doc = await self._collection.find_one({"_id": credential_id})
        return _credential(doc) if doc else None

    async def get_many(self, credential_ids: Sequence[str]) -> dict[str, IssuedCredential]:
        found = await find_by_ids(self._collection, credential_ids)
        return {str(credential_id): _credential(doc) for credential_id, doc in found.items()}

    async def add_many(self, items: Sequence[NewCredential]) -> list[bool]:
        # The learners' index first: a crash between the writes leaves ids that of_learner
        # skips until the redelivered completions insert the credentials.
        by_learner: dict[str, list[str]] = {}
        for item in items:
            credential = item.credential
            by_learner.setdefault(credential.learner_ref, []).append(credential.credential_id)
        await self._index_for_learners(by_learner)
        return await insert_many_with_outbox(
            self._collection,
            [(_document(item.credential), entries(item.events)) for item in items],
        )

    async def _index_for_learners(self, by_learner: dict[str, list[str]]) -> None:
        """Each learner's index, under its lock (see _index_for_learner): the locks free now
        taken in one insert, their indexes written in one bulk write; a learner whose index
        another writer holds right now is waited for alone."""
        learner_of = {document_key(self._learners, learner): learner for learner in by_learner}
        held = await self._locks.try_acquire_many(list(learner_of))
        try:
            # A learner's first credential inserts the index (all of them in one command, one
            # SQLite transaction on FerretDB); only learners indexed before are updated, each
            # update a read-modify-write of its own.
            learners = [learner_of[key] for key in held]
            new = await insert_many_if_absent(
                self._learners,
                [{"_id": learner, "credential_ids": by_learner[learner]} for learner in learners],
            )
            known = [learner for learner, fresh in zip(learners, new, strict=True) if not fresh]
            await bulk_write_in_chunks(
                self._learners,
                [
                    UpdateOne(
                        {"_id": learner},
                        {"$addToSet": {"credential_ids": {"$each": by_learner[learner]}}},
                        upsert=True,
                    )
                    for learner in known
                ],
            )
        finally:
            await self._locks.release_many(held)
        busy = [learner for key, learner in learner_of.items() if key not in held]
        for learner in busy:
            await self._index_for_learner(learner, by_learner[learner])

    async def _index_for_learner(self, learner_ref: str, credential_ids: list[str]) -> None:
        # Under the document's lock: FerretDB applies $addToSet as an unsynchronised
        # read-modify-write, and two completions of one learner may be stored at once.
        async with self._locks.hold(document_key(self._learners, learner_ref)):
            await self._learners.update_one(
                {"_id": learner_ref},
                {"$addToSet": {"credential_ids": {"$each": credential_ids}}},
                upsert=True,
            )

    async def index_learners(self) -> int:
        """Build the learner index from the credentials stored before it existed (once per
        database; idempotent if two replicas run it at once). Returns the learners indexed."""
        if await self._migrations.done(LEARNER_INDEX_BUILT):
            return 0
        held: dict[str, list[str]] = {}
        async for doc in self._collection.find({}, {"learner_ref": True}):
            held.setdefault(str(doc["learner_ref"]), []).append(str(doc["_id"]))
        for learner_ref, credential_ids in held.items():
            await self._index_for_learner(learner_ref, credential_ids)
        await self._migrations.mark_done(LEARNER_INDEX_BUILT)
        return len(held)

    async def index_status_bits(self) -> int:
        """Record the status bits of the credentials changed before the bits were kept apart
        (once per database, like index_learners). Returns the credentials recorded."""
        if await self._migrations.done(STATUS_BITS_BUILT):
            return 0
        changed = [
            _credential(doc) async for doc in self._collection.find({"status": {"$ne": "active"}})
        ]
        for credential in changed:
            await self._bits.apply(credential)
        await self._migrations.mark_done(STATUS_BITS_BUILT)
        return len(changed)

    async def update_status(
        self, credential: IssuedCredential, expected_sequence: int, events: Sequence[OutgoingEvent]
    ) -> bool:
        changed = await store_with_outbox(
            self._collection,
            credential.credential_id,
            {"$set": _state(credential)},
            entries(events),
            only_if=lambda stored: (
                stored is not None and stored["status_sequence"] == expected_sequence
            ),
        )
        if changed:
            await self._bits.apply(credential)
        return changed

    async def reconcile_status_bits(self, credential_id: str) -> None:
        """The status lists' bits as the credential's stored status says (after a crash
        between the status change and its bits)."""
        credential = await self.get(credential_id)
        if credential is not None:
            await self._bits.apply(credential)

    async def signed_with(self, provider_id: str, verification_method: str) -> list[str]:
        # A scan (FerretDB reads the whole collection for any filter but `_id`): run once per
        # listing pass of a re-issuance job, an operator action, never per request.
        cursor = self._collection.find(
            {"provider_id": provider_id, "status": {"$ne": "revoked"}}, {"document_json": True}
        )
        return sorted(
            [
                str(doc["_id"])
                async for doc in cursor
                if signed_with(json.loads(doc["document_json"]), verification_method)
            ]
        )

    async def replace_proof(
        self, credential: IssuedCredential, replaced_method: str, events: Sequence[OutgoingEvent]
    ) -> bool:
        def still_signed_by_it(stored: Document | None) -> bool:
            return (
                stored is not None
                and stored["status"] != "revoked"
                and signed_with(json.loads(stored["document_json"]), replaced_method)
            )

        update = {
            "$set": {
                "document_json": json.dumps(credential.document, ensure_ascii=False),
                "reissued_at": credential.reissued_at,
            }
        }
        return await store_with_outbox(
            self._collection,
            credential.credential_id,
            update,
            entries(events),
            only_if=still_signed_by_it,
        )

    async def of_learner(self, learner_ref: str) -> list[IssuedCredential]:
        index = await self._learners.find_one({"_id": learner_ref})
        ids: list[str] = index["credential_ids"] if index else []
        found = await asyncio.gather(*(self.get(credential_id) for credential_id in ids))
        return sorted((c for c in found if c is not None), key=lambda c: c.issued_at)

    async def learners_holding(self, achievement_ids: Sequence[str]) -> list[str]:
        cursor = self._collection.find(
            {"achievement_id": {"$in": list(achievement_ids)}}, projection={"learner_ref": True}
        )
        return sorted({str(doc["learner_ref"]) async for doc in cursor})

    async def set_indexes(self, provider_id: str, shard: int, purpose: StatusPurpose) -> list[int]:
        return await self._bits.set_indexes(provider_id, shard, purpose)


class MongoStatusSlots:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[SLOTS]

    async def claim_many(
        self, provider_id: str, shard: int, claims: Sequence[tuple[int, str]]
    ) -> list[bool]:
        return await insert_many_if_absent(
            self._collection,
            [
                {"_id": f"{provider_id}|{shard}|{index}", "credential_id": credential_id}
                for index, credential_id in claims
            ],
        )

    async def shards(self) -> list[tuple[str, int]]:
        found: set[tuple[str, int]] = set()
        async for doc in self._collection.find({}, {"_id": True}):
            provider_id, shard, _ = str(doc["_id"]).rsplit("|", 2)
            found.add((provider_id, int(shard)))
        return sorted(found)
