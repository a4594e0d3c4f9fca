"""Issue 8: the issuer is killed hard twice while completions stream in, with a second replica in
its consumer group; afterwards every completion has exactly one credential and one event."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import defaultdict
from typing import Any

import pytest
from microcred_shared.events import Topic, TopicNames
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import COMPLETION_REPORTED
from pymongo import AsyncMongoClient

from microcred.ecosystem import story
from microcred.ecosystem.processes import Ecosystem
from stack import free_port
from tests.reliability.conftest import Seeded
from tests.reliability.kafka_tools import json_of, publish_raw, read_everything
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.e2e, pytest.mark.timeout(600)]

COMPLETIONS = int(os.environ.get("MICROCRED_RELIABILITY_COMPLETIONS", "150"))
ACHIEVEMENT = story.achievement(story.UNIVERSITY, "ROB-610")


def completion_events(run: str, count: int) -> list[tuple[str, bytes]]:
    events = []
    for number in range(count):
        completion = CompletionV1(
            completion_id=f"{run}/{number}",
            provider_id=story.UNIVERSITY,
            achievement_id=ACHIEVEMENT,
            learner={"email": f"crash-{number}@learners.example"},
            completed_on="2026-07-01",
        )
        envelope = COMPLETION_REPORTED.envelope(
            completion, source=f"/providers/{story.UNIVERSITY}", subject=completion.completion_id
        )
        events.append((completion.completion_id, envelope.to_json_bytes()))
    return events


def kill_hard(ecosystem: Ecosystem, name: str) -> None:
    pid = ecosystem.pid_of(name)
    assert pid is not None, f"no pid file for {name}"
    os.killpg(pid, signal.SIGKILL)


async def test_killing_the_issuer_twice_loses_and_duplicates_no_credential(
    seeded: Seeded,
) -> None:
    ecosystem = seeded.ecosystem
    topics = TopicNames(ecosystem.topic_prefix)
    await eventually(lambda: _issuer_knows(seeded), timeout=90, interval=0.5)
    replica = await asyncio.to_thread(ecosystem.start_replica, "issuer", free_port(), timeout=120)
    run = f"crash-{time.time_ns()}"
    events = completion_events(run, COMPLETIONS)
    completion_ids = [cid for cid, _ in events]
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(ecosystem.mongodb_uri)
    credentials = mongo[seeded.issuer_database]["credentials"]

    async def issued() -> int:
        return await credentials.count_documents({"completion_id": {"$in": completion_ids}})

    async def publish(batch: list[tuple[str, bytes]]) -> None:
        await publish_raw(
            ecosystem.kafka_bootstrap,
            topics.of(Topic.LEARNING_COMPLETIONS),
            [(completion_id.encode(), value) for completion_id, value in batch],
        )

    started = time.monotonic()
    phases: list[str] = []

    def phase(name: str) -> None:
        phases.append(f"{name}@{time.monotonic() - started:.0f}s")

    half = COMPLETIONS // 2
    try:
        await publish(events[:half])
        await eventually(issued, lambda n: n >= max(1, half // 5), timeout=180, interval=0.2)
        phase("kill1")
        kill_hard(ecosystem, "issuer")
        await asyncio.to_thread(ecosystem.start_one, "issuer", timeout=120)
        phase("restart1")
        before_second = await issued()
        await publish(events[half:])
        await eventually(issued, lambda n: n >= before_second + 3, timeout=180, interval=0.2)
        phase("kill2")
        kill_hard(ecosystem, "issuer")
        await asyncio.to_thread(ecosystem.start_one, "issuer", timeout=120)
        phase("restart2")
        await eventually(issued, lambda n: n >= COMPLETIONS, timeout=300, interval=0.5)
        phase("all stored")
        stored = [doc async for doc in credentials.find({"completion_id": {"$in": completion_ids}})]
    finally:
        await mongo.close()
        await asyncio.to_thread(ecosystem.stop_one, replica)

    credential_of = {doc["_id"]: doc["completion_id"] for doc in stored}
    per_completion: dict[str, int] = defaultdict(int)
    for completion_id in credential_of.values():
        per_completion[completion_id] += 1
    duplicates = sum(n - 1 for n in per_completion.values())
    losses = len(set(completion_ids) - set(per_completion))

    async def issued_events() -> dict[str, set[str]]:
        ids: dict[str, set[str]] = defaultdict(set)
        for record in await read_everything(
            ecosystem.kafka_bootstrap, topics.of(Topic.CREDENTIALS_ISSUED)
        ):
            event = json_of(record)
            if event and event.get("data", {}).get("credential_id") in credential_of:
                ids[event["data"]["credential_id"]].add(event["id"])
        return ids

    event_ids = await eventually(
        issued_events, lambda ids: len(ids) >= len(credential_of), timeout=120, interval=1.0
    )
    elapsed = time.monotonic() - started
    print(
        f"\ncrash/redelivery: completions={COMPLETIONS} credentials={len(credential_of)} "
        f"events={sum(len(v) for v in event_ids.values())} duplicates={duplicates} "
        f"losses={losses} elapsed={elapsed:.1f}s (issuer SIGKILLed twice, 2 replicas; "
        + " ".join(phases)
        + ")"
    )
    assert len(stored) == COMPLETIONS
    assert duplicates == 0
    assert losses == 0
    assert set(event_ids) == set(credential_of)
    assert all(len(ids) == 1 for ids in event_ids.values()), {
        k: v for k, v in event_ids.items() if len(v) > 1
    }


async def _issuer_knows(seeded: Seeded) -> bool:
    import httpx

    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(seeded.url("issuer", f"/achievements/{ACHIEVEMENT}"))
    return response.status_code == 200
