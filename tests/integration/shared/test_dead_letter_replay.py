"""``microcred dlq replay`` on the real broker: a dead-letter topic's records go back to their
topic with key and headers, filtered by reason, safely more than once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from faststream.kafka import KafkaBroker

from tests.integration.shared.test_event_pipeline import Pipeline, completion, started
from tests.support import eventually, read_topic

pytestmark = pytest.mark.integration

HEADER = {"x-partner-batch": "2026-07-cohort"}


@pytest.fixture
async def producer(infra: Any) -> AsyncIterator[KafkaBroker]:
    broker = KafkaBroker(infra.kafka.bootstrap_servers, security=infra.kafka.faststream_security())
    await broker.start()
    yield broker
    await broker.stop()


async def replay_cli(infra: Any, topic: str, *reason: str) -> str:
    """The operator's command, as a process: ``microcred dlq replay TOPIC [--reason CODE]``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "microcred.cli",
        "dlq",
        "replay",
        topic,
        *reason,
        env={**os.environ, **infra.kafka.environment()},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def test_replaying_after_a_fix_processes_the_letters_of_one_reason_once(
    infra: Any, producer: KafkaBroker
) -> None:
    pipeline = await started(Pipeline(infra, "replay", always_fail="c-doomed"))
    dead_letters = pipeline.topic + ".dlq"
    try:
        invalid = json.loads(completion("c-invalid").to_json_bytes())
        invalid["data"]["completed_on"] = "not a date"
        for value in (
            b"{this is not json",
            json.dumps(invalid).encode(),
            completion("c-doomed").to_json_bytes(),
            completion("c-fine").to_json_bytes(),
        ):
            await producer.publish(value, topic=pipeline.topic, key=b"learner-7", headers=HEADER)
        await read_topic(infra.kafka, dead_letters, expect=3)
        await eventually(pipeline.committed, lambda n: n == 4)

        pipeline.always_fail = ""  # the fix: the database is back
        replayed = await replay_cli(infra, dead_letters, "--reason", "retries_exhausted")
        again = await replay_cli(infra, dead_letters, "--reason", "retries_exhausted")

        assert replayed == (f"replayed 1 to {pipeline.topic}; skipped 2 (2 another reason code)")
        assert again == replayed
        await eventually(pipeline.committed, lambda n: n == 6)
        stored = await pipeline.stored.find().to_list()
        assert sorted(doc["completion_id"] for doc in stored) == ["c-doomed", "c-fine"]
        records = await read_topic(infra.kafka, pipeline.topic, expect=6)
        republished = records[4:]
        assert {r.key for r in republished} == {b"learner-7"}
        assert all(("x-partner-batch", b"2026-07-cohort") in r.headers for r in republished)
        assert [json.loads(r.value)["subject"] for r in republished] == ["c-doomed"] * 2
    finally:
        await pipeline.runtime.stop()


async def test_replaying_what_was_never_fixed_dead_letters_it_again_for_the_same_reason(
    infra: Any, producer: KafkaBroker
) -> None:
    pipeline = await started(Pipeline(infra, "unfixed"))
    dead_letters = pipeline.topic + ".dlq"
    try:
        await producer.publish(
            b"{this is not json", topic=pipeline.topic, key=b"learner-8", headers=HEADER
        )
        await producer.publish(completion("c-ok").to_json_bytes(), topic=pipeline.topic)
        await read_topic(infra.kafka, dead_letters, expect=1)

        summary = await replay_cli(infra, dead_letters, "--reason", "malformed_json")

        assert summary == f"replayed 1 to {pipeline.topic}; skipped 0"
        letters = await read_topic(infra.kafka, dead_letters, expect=2)
        first, second = (json.loads(letter.value)["data"] for letter in letters)
        assert second["reason_code"] == first["reason_code"] == "malformed_json"
        assert second["original_value"] == "{this is not json"
        assert second["offset"] > first["offset"]  # the replayed copy, not the first letter
        assert letters[1].key == b"learner-8"
        assert ("dlq-original-x-partner-batch", b"2026-07-cohort") in letters[1].headers
        await eventually(pipeline.committed, lambda n: n == 3)
        stored = await pipeline.stored.find().to_list()
        assert [doc["completion_id"] for doc in stored] == ["c-ok"]
    finally:
        await pipeline.runtime.stop()
