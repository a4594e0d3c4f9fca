"""Endorsements: each in its own document (with its events: the outbox), and two small
summaries read by ``_id`` (FerretDB answers nothing else without a scan): each target's active
endorsements, which issuance embeds, and each partner's endorsement ids. A withdrawn
endorsement's bit goes into the partner's revocation list through the shared status bits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microcred_shared.locks import update_by_id_if
from microcred_shared.messaging.outbox import insert_with_outbox, store_with_outbox
from microcred_shared.mongo import (
    Document,
    MongoCollection,
    MongoDatabase,
    find_by_ids,
    insert_if_absent,
)

from ..domain.endorsements import Endorsement
from ..domain.status_list import StatusSlot
from ..service_layer.ports import OutgoingEvent
from .mongo_status_bits import MongoStatusBits
from .outbox import entries

ENDORSEMENTS = "endorsements"
ENDORSEMENT_TARGETS = "endorsement_targets"
ENDORSERS = "endorsers"


def _state(endorsement: Endorsement) -> Document:
    return {
        "endorser_id": endorsement.endorser_id,
        "endorser_name": endorsement.endorser_name,
        "endorser_did": endorsement.endorser_did,
        "target_kind": endorsement.target_kind,
        "target_id": endorsement.target_id,
        "target_provider_id": endorsement.target_provider_id,
        "comment": endorsement.comment,
        "document": endorsement.document,
        "slot": {
            "provider_id": endorsement.slot.provider_id,
            "shard": endorsement.slot.shard,
            "index": endorsement.slot.index,
        },
        "issued_at": endorsement.issued_at,
        "status": endorsement.status,
        "sequence": endorsement.sequence,
        "withdrawn_at": endorsement.withdrawn_at,
    }


def _endorsement(doc: Document) -> Endorsement:
    slot = doc["slot"]
    return Endorsement(
        endorsement_id=doc["_id"],
        endorser_id=doc["endorser_id"],
        endorser_name=doc["endorser_name"],
        endorser_did=doc["endorser_did"],
        target_kind=doc["target_kind"],
        target_id=doc["target_id"],
        target_provider_id=doc["target_provider_id"],
        comment=doc["comment"],
        document=doc["document"],
        slot=StatusSlot(slot["provider_id"], int(slot["shard"]), int(slot["index"])),
        issued_at=doc["issued_at"],
        status=doc["status"],
        sequence=int(doc["sequence"]),
        withdrawn_at=doc.get("withdrawn_at"),
    )


class MongoEndorsements:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[ENDORSEMENTS]
        self._targets = database[ENDORSEMENT_TARGETS]
        self._endorsers = database[ENDORSERS]
        self._bits = MongoStatusBits(database)

    async def get(self, endorsement_id: str) -> Endorsement | None:
        doc = await self._collection.find_one({"_id": endorsement_id})
        return _endorsement(doc) if doc else None

    async def add(self, endorsement: Endorsement, events: Sequence[OutgoingEvent]) -> bool:
        document = {"_id": endorsement.endorsement_id, **_state(endorsement)}
        return await insert_with_outbox(self._collection, document, entries(events))

    async def replace(
        self, endorsement: Endorsement, expected_sequence: int, events: Sequence[OutgoingEvent]
    ) -> bool:
        return await store_with_outbox(
            self._collection,
            endorsement.endorsement_id,
            {"$set": _state(endorsement)},
            entries(events),
            only_if=lambda stored: stored is not None and stored["sequence"] == expected_sequence,
        )

    async def of_endorser(self, endorser_id: str) -> list[Endorsement]:
        summary = await self._endorsers.find_one({"_id": endorser_id})
        ids = list(summary.get("ids", [])) if summary else []
        found = await find_by_ids(self._collection, ids)
        return [_endorsement(found[i]) for i in ids if i in found]

    async def index(self, endorsement: Endorsement) -> None:
        # Under each summary's lock: FerretDB applies an update as an unsynchronised
        # read-modify-write, so two endorsements of one target at once could lose one.
        await _update(
            self._endorsers,
            endorsement.endorser_id,
            {"$addToSet": {"ids": endorsement.endorsement_id}},
        )
        field = f"active.{endorsement.endorsement_id}"
        if endorsement.status == "active":
            change: Document = {"$set": {field: endorsement.document}}
        else:
            change = {"$unset": {field: ""}}
        await _update(self._targets, endorsement.target_key, change)
        withdrawn = endorsement.status == "withdrawn"
        await self._bits.apply_slot(endorsement.slot, "revocation", withdrawn, endorsement.sequence)

    async def active_for(self, target_keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        found = await find_by_ids(self._targets, target_keys)
        active: dict[str, list[dict[str, Any]]] = {}
        for key, summary in found.items():
            # In the order given, so every credential embeds them in the same order.
            documents = summary.get("active") or {}
            active[str(key)] = [
                documents[i] for i in sorted(documents, key=lambda i: documents[i]["validFrom"])
            ]
        return active


async def _update(collection: MongoCollection, document_id: str, change: Document) -> None:
    await insert_if_absent(collection, {"_id": document_id})
    await update_by_id_if(collection, document_id, lambda _: True, change)
