"""Share links: one document per link by its token (what opening a link reads), and one
pointer document per learner listing their tokens (what the wallet reads), both by ``_id``."""

from __future__ import annotations

from typing import Any

from microcred_shared.mongo import Document, MongoDatabase, find_by_ids

from ..domain.share_links import ShareLink

SHARE_LINKS = "share_links"
LEARNER_SHARE_LINKS = "learner_share_links"


class MongoShareLinks:
    def __init__(self, database: MongoDatabase) -> None:
        self._links = database[SHARE_LINKS]
        self._pointers = database[LEARNER_SHARE_LINKS]

    async def add(self, link: ShareLink) -> None:
        # The pointer first: a crash between the two leaves a pointer to no link (skipped when
        # listing), never a link its learner cannot see and withdraw.
        await self._pointers.update_one(
            {"_id": link.learner_ref}, {"$addToSet": {"share_ids": link.share_id}}, upsert=True
        )
        await self._links.insert_one(to_document(link))

    async def get(self, share_id: str) -> ShareLink | None:
        stored = await self._links.find_one({"_id": share_id})
        return from_document(stored) if stored else None

    async def of_learner(self, learner_ref: str) -> list[ShareLink]:
        pointers = await self._pointers.find_one({"_id": learner_ref})
        share_ids: list[str] = pointers.get("share_ids", []) if pointers else []
        found = await find_by_ids(self._links, share_ids)
        links = [from_document(found[i]) for i in share_ids if i in found]
        return sorted(links, key=lambda link: link.created_at)

    async def save(self, link: ShareLink) -> None:
        await self._links.update_one(
            {"_id": link.share_id}, {"$set": {"withdrawn_at": link.withdrawn_at}}
        )


def to_document(link: ShareLink) -> Document:
    return {
        "_id": link.share_id,
        "credential_id": link.credential_id,
        "learner_ref": link.learner_ref,
        "created_at": link.created_at,
        "withdrawn_at": link.withdrawn_at,
    }


def from_document(stored: dict[str, Any]) -> ShareLink:
    return ShareLink(
        share_id=stored["_id"],
        credential_id=stored["credential_id"],
        learner_ref=stored["learner_ref"],
        created_at=stored["created_at"],
        withdrawn_at=stored.get("withdrawn_at"),
    )
