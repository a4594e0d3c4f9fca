"""Reading and deleting many documents by `_id` in one command, through the `_id` index."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_shared.mongo import IDS_PER_COMMAND, Document, delete_by_ids, find_by_ids
from pymongo import AsyncMongoClient

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

MANY = IDS_PER_COMMAND + 7


async def _things(infra: Any) -> tuple[AsyncMongoClient[Document], Any]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(infra.mongodb_uri)
    things = client[f"t{infra.run_id}_ids"]["things"]
    await things.insert_many(
        [{"_id": f"thing-{n}", "n": n, "even": n % 2 == 0} for n in range(MANY)]
    )
    return client, things


async def test_find_by_ids_returns_exactly_the_stored_documents_asked_for(infra: Any) -> None:
    client, things = await _things(infra)
    try:
        wanted = [f"thing-{n}" for n in range(0, MANY, 3)] + ["absent", "thing-0"]
        found = await find_by_ids(things, wanted, {"n": True})

        assert sorted(found) == sorted({f"thing-{n}" for n in range(0, MANY, 3)})
        assert all(found[f"thing-{n}"] == {"_id": f"thing-{n}", "n": n} for n in range(0, MANY, 3))
        assert await find_by_ids(things, []) == {}
    finally:
        await client.drop_database(f"t{infra.run_id}_ids")
        await client.close()


async def test_delete_by_ids_deletes_those_ids_that_meet_the_condition_and_no_other(
    infra: Any,
) -> None:
    client, things = await _things(infra)
    try:
        ids = [f"thing-{n}" for n in range(MANY)]

        deleted_even = await delete_by_ids(things, ids, {"even": True})
        deleted_some = await delete_by_ids(things, ["thing-1", "thing-3", "absent"])

        left = sorted([doc["n"] async for doc in things.find({})])
        assert deleted_even == len(range(0, MANY, 2))
        assert deleted_some == 2
        assert left == list(range(5, MANY, 2))
    finally:
        await client.drop_database(f"t{infra.run_id}_ids")
        await client.close()


async def test_a_filter_with_an_id_condition_is_answered_from_the_id_index(infra: Any) -> None:
    """The stack's FerretDB is patched for this (stack/fetch.py): without the patch, `$in` or
    `_id` beside another condition read the whole collection. MongoDB always uses the index."""
    client, things = await _things(infra)
    database = things.database
    try:
        build = await client.admin.command("buildInfo")
        filters: list[Document] = [
            {"_id": {"$in": ["thing-1", "thing-2"]}},
            {"_id": "thing-1", "even": False},
            {"_id": {"$in": ["thing-1"]}, "n": {"$gt": 0}},
        ]
        for query in filters:
            plan = await database.command("explain", {"find": things.name, "filter": query})
            if "ferretdbVersion" in plan.get("serverInfo", {}) or "ferretdb" in build:
                assert plan["filterPushdown"] is True, query
                assert "USING INDEX" in str(plan["queryPlanner"]["Plan"]), plan
            else:
                assert "IXSCAN" in str(plan) or "IDHACK" in str(plan) or "EXPRESS" in str(plan)
        unindexed = await database.command("explain", {"find": things.name, "filter": {"n": 1}})
        if "ferretdbVersion" in unindexed.get("serverInfo", {}):
            assert unindexed["filterPushdown"] is False
    finally:
        await client.drop_database(f"t{infra.run_id}_ids")
        await client.close()
