"""Issue 8: a burst of five times the issuer's measured throughput is absorbed: its consumer lag
grows, then drains to zero, and every completion gets exactly one credential."""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import Counter
from typing import Any

import pytest
from microcred_shared.events import ProviderTopic, TopicNames
from microcred_shared.messaging.lag import ConsumerLag
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from microcred.ecosystem import story
from tests.reliability.conftest import Seeded
from tests.reliability.kafka_tools import publish_raw
from tests.reliability.test_crash_and_redelivery import _issuer_knows, completion_events
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.e2e, pytest.mark.timeout(900)]

MEASURED = int(os.environ.get("MICROCRED_RELIABILITY_MEASURE", "60"))
BURST_SECONDS = int(os.environ.get("MICROCRED_RELIABILITY_BURST_SECONDS", "4"))
FACTOR = 5


async def test_a_burst_of_five_times_the_throughput_is_absorbed_and_the_lag_drains(
    seeded: Seeded,
) -> None:
    ecosystem = seeded.ecosystem
    topic = TopicNames(ecosystem.topic_prefix).of_provider(
        ProviderTopic.COMPLETIONS, story.UNIVERSITY
    )
    group = f"{ecosystem.topic_prefix}issuer.{ProviderTopic.COMPLETIONS.name.lower()}"
    lag = ConsumerLag(ecosystem.kafka, CollectorRegistry(), groups={group})
    await eventually(lambda: _issuer_knows(seeded), timeout=90, interval=0.5)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(ecosystem.mongodb_uri)
    credentials = mongo[seeded.issuer_database]["credentials"]
    run = f"burst-{time.time_ns()}"

    async def stored(prefix: str) -> list[str]:
        found = credentials.find({"completion_id": {"$regex": f"^{prefix}/"}}, {"completion_id": 1})
        return [doc["completion_id"] async for doc in found]

    async def publish(events: list[tuple[str, bytes]]) -> None:
        await publish_raw(
            seeded.provider_kafka[story.UNIVERSITY], topic, [(c.encode(), v) for c, v in events]
        )

    async def total_lag() -> int:
        return sum((await lag.refresh()).values())

    try:
        # The throughput: a backlog of MEASURED completions, timed until all are stored.
        began = time.monotonic()
        await publish(completion_events(f"{run}-measure", MEASURED))
        await eventually(lambda: stored(f"{run}-measure"), lambda ids: len(ids) >= MEASURED,
                         timeout=300, interval=0.2)  # fmt: skip
        throughput = MEASURED / (time.monotonic() - began)

        per_second = math.ceil(FACTOR * throughput)
        burst = completion_events(f"{run}-burst", per_second * BURST_SECONDS)
        lags: list[int] = []
        began = time.monotonic()
        for second in range(BURST_SECONDS):
            await publish(burst[second * per_second : (second + 1) * per_second])
            lags.append(await total_lag())
            await asyncio.sleep(max(0.0, began + second + 1 - time.monotonic()))
        while len(ids := await stored(f"{run}-burst")) < len(burst):
            lags.append(await total_lag())
            assert time.monotonic() - began < 600, f"burst not drained: {len(ids)}/{len(burst)}"
            await asyncio.sleep(0.5)
        drained_after = time.monotonic() - began
        final_lag = await eventually(total_lag, lambda n: n == 0, timeout=60, interval=0.5)
    finally:
        await mongo.close()

    per_completion = Counter(ids)
    duplicates = sum(n - 1 for n in per_completion.values())
    losses = len({c for c, _ in burst} - set(per_completion))
    print(
        f"\nburst: measured={throughput:.1f} cred/s burst={per_second}/s for {BURST_SECONDS}s "
        f"({len(burst)} completions, {FACTOR}x) peak_lag={max(lags)} drained_in="
        f"{drained_after:.1f}s final_lag={final_lag} duplicates={duplicates} losses={losses}"
    )
    assert max(lags) > 0  # the burst outran the issuer: it was absorbed, not merely kept up with
    assert final_lag == 0
    assert duplicates == 0
    assert losses == 0
