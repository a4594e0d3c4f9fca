"""The status lists projection: the newest snapshot of each of this ecosystem's lists.

Every read is from memory: a verification reads one list per status entry and must not wait
for the database (nor, of course, for the issuer). Each replica feeds its memory from the whole
compacted topic, and writes what it receives through to the database, which is where a
restarted replica takes its lists from before the topic has been read again.
"""

from __future__ import annotations

import json
from datetime import datetime

from microcred_shared.events.contracts.credentials import StatusListPublishedV1
from microcred_shared.locks import store_if_newer
from microcred_shared.mongo import Document, MongoDatabase

from ..service_layer.ports import StatusListSnapshot
from . import documents as col


def snapshot_of(event: StatusListPublishedV1, received_at: datetime) -> StatusListSnapshot:
    return StatusListSnapshot(event.list_url, event.sequence, event.list_credential, received_at)


def _location(list_url: str) -> str:
    return list_url.rsplit("/", 1)[0]


class InMemoryStatusLists:
    def __init__(self) -> None:
        self._newest: dict[str, StatusListSnapshot] = {}
        self._locations: set[str] = set()

    async def load(self) -> int:
        return 0

    async def apply(self, event: StatusListPublishedV1, received_at: datetime) -> bool:
        return self.keep(snapshot_of(event, received_at))

    def is_newer(self, snapshot: StatusListSnapshot) -> bool:
        held = self._newest.get(snapshot.list_url)
        return held is None or held.sequence < snapshot.sequence

    def keep(self, snapshot: StatusListSnapshot) -> bool:
        """Hold ``snapshot`` unless one with the same or a higher sequence is held."""
        if not self.is_newer(snapshot):
            return False
        self._newest[snapshot.list_url] = snapshot
        self._locations.add(_location(snapshot.list_url))
        return True

    def newest(self, list_url: str) -> StatusListSnapshot | None:
        return self._newest.get(list_url)

    def lists_under(self, list_url: str) -> bool:
        return _location(list_url) in self._locations


class MongoStatusLists:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[col.STATUS_LISTS]
        self._memory = InMemoryStatusLists()

    async def load(self) -> int:
        """The lists as this service last stored them (a scan: once, at start)."""
        loaded = 0
        async for doc in self._collection.find({}):
            loaded += self._memory.keep(_snapshot(doc))
        return loaded

    async def apply(self, event: StatusListPublishedV1, received_at: datetime) -> bool:
        snapshot = snapshot_of(event, received_at)
        if not self._memory.is_newer(snapshot):
            return False  # a replay after a restart, or a redelivery: nothing to write
        await store_if_newer(self._collection, snapshot.list_url, _document(snapshot), "sequence")
        return self._memory.keep(snapshot)

    def newest(self, list_url: str) -> StatusListSnapshot | None:
        return self._memory.newest(list_url)

    def lists_under(self, list_url: str) -> bool:
        return self._memory.lists_under(list_url)


def _document(snapshot: StatusListSnapshot) -> Document:
    return {
        "sequence": snapshot.sequence,
        # The exact JSON text the issuer signed: no database type mapping can alter it.
        "list_credential_json": json.dumps(snapshot.list_credential),
        "received_at": snapshot.received_at,
    }


def _snapshot(doc: Document) -> StatusListSnapshot:
    return StatusListSnapshot(
        list_url=str(doc["_id"]),
        sequence=int(doc["sequence"]),
        list_credential=json.loads(doc["list_credential_json"]),
        received_at=doc["received_at"],
    )
