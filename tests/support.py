"""Small helpers the test suites share."""

from __future__ import annotations

import asyncio
import base64
import gzip
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer
from microcred_shared.crypto import Ed25519Multikey, sign
from microcred_shared.messaging.connection import KafkaConnection

from microcred.ecosystem.local_server import local_server

__all__ = ["EMAIL_ADDRESS", "eventually", "local_server", "read_topic", "signed_status_list"]

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
    connection: KafkaConnection,
    topic: str,
    *,
    expect: int = 1,
    until: Callable[[list], bool] | None = None,
    timeout: float = 30.0,
) -> list:
    """Read at least ``expect`` records of ``topic`` from the beginning (a plain aiokafka client)."""
    consumer = AIOKafkaConsumer(
        topic,
        **connection.aiokafka_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
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


def signed_status_list(
    list_url: str,
    key: Ed25519Multikey,
    set_bits: Iterable[int] = (),
    *,
    issuer: str | None = None,
    signed_at: datetime | None = None,
) -> dict[str, Any]:
    """A BitstringStatusListCredential (revocation, 131,072 entries) with ``set_bits`` set,
    issued by ``issuer`` (default: the key's controller) and signed by ``key``."""
    bits = bytearray(131_072 // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits))).decode().rstrip("=")
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer or key.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + encoded,
        },
    }
    options: dict[str, Any] = {"created": signed_at} if signed_at else {}
    return sign(document, key, verification_method=key.id, **options)
