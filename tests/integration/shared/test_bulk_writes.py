"""Bulk writes the MongoDB-wire database answers, whatever their size."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_shared.mongo import (
    MAX_WRITE_STATEMENTS,
    Document,
    bulk_write_in_chunks,
    find_by_ids,
    insert_many_if_absent,
)
from pymongo import AsyncMongoClient, DeleteOne, UpdateOne

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


async def test_hundreds_of_updates_and_deletes_by_id_are_all_applied(infra: Any) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(infra.mongodb_uri)
    things = client[f"t{infra.run_id}_bulk"]["things"]
    many = 5 * MAX_WRITE_STATEMENTS + 3
    try:
        assert (
            await insert_many_if_absent(things, [{"_id": n} for n in range(many)]) == [True] * many
        )
        assert await insert_many_if_absent(things, [{"_id": 0}, {"_id": -1}]) == [False, True]

        await bulk_write_in_chunks(
            things, [UpdateOne({"_id": n}, {"$set": {"seen": True}}) for n in range(many)]
        )
        updated = await find_by_ids(things, range(many))
        await bulk_write_in_chunks(things, [DeleteOne({"_id": n}) for n in range(0, many, 2)])

        assert all(doc.get("seen") for doc in updated.values())
        assert len(updated) == many
        assert sorted([doc["_id"] async for doc in things.find({})]) == [-1, *range(1, many, 2)]
    finally:
        await client.drop_database(f"t{infra.run_id}_bulk")
        await client.close()
