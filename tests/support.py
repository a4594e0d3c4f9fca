"""Small helpers the test suites share."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiokafka import AIOKafkaConsumer

from microcred.ecosystem.local_server import local_server

__all__ = ["EMAIL_ADDRESS", "eventually", "local_server", "read_topic"]

# What the personal-data scans look for, written apart from the code they check: any e-mail
# address, also percent-encoded in a URL ("ada%40learners.example").
EMAIL_ADDRESS = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool] = bool,
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
) -> T:
    """Poll ``probe`` until ``accept`` holds for its value; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        await asyncio.sleep(interval)


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    expect: int = 1,
    until: Callable[[list], bool] | None = None,
    timeout: float = 30.0,
) -> list:
    """Read at least ``expect`` records of ``topic`` from the beginning (a plain aiokafka client)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list = []
    try:
        deadline = time.monotonic() + timeout
        done = until or (lambda seen: len(seen) >= expect)
        while not done(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()
    return records
