"""Issuer benchmark: issuance throughput end to end (a completion event in on
``learning.completions`` → its ``credentials.issued`` event out), per cryptosuite, through the
real Kafka broker and MongoDB-wire database; and the per-credential signing cost. rdfc runs
twice, with the fast canonicalisation path the services use and with the PyLD reference path
alone, so the table shows what the fast path gains end to end.

Uses ``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URI`` when both are set, else starts the
project's local stack on free ports for the run.

    uv run python bench/issuer_throughput.py [--quick] [--out bench/results/issuer.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from asgi_lifespan import LifespanManager
from microcred_issuer.adapters.crypto import DataIntegritySigner, SealedKeyVault
from microcred_issuer.adapters.mongo_catalogue import MongoCatalogueView
from microcred_issuer.bootstrap import create_app
from microcred_issuer.config import IssuerSettings
from microcred_issuer.domain.credentials import CredentialFacts, ResultLine, build_credential
from microcred_issuer.domain.identity import learner_from_email
from microcred_issuer.domain.ids import CredentialIds
from microcred_issuer.domain.keyring import new_keyring
from microcred_issuer.domain.status_list import status_entry
from microcred_issuer.service_layer.projections import achievement_from, provider_from
from microcred_shared.crypto.canonicalize import reference_rdfc, set_rdfc_implementation
from microcred_shared.events import ProviderTopic, Topic
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    COMPLETION_REPORTED,
    PROVIDER_CHANGED,
)
from microcred_shared.messaging.access import KafkaAccess
from microcred_shared.messaging.acls import SERVICES, provider_topics
from microcred_shared.messaging.connection import KafkaConnection
from microcred_shared.messaging.provisioning import REGISTRAR, provision_deployment
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from stack import LocalStack, default_root, free_ports  # noqa: E402
from tests.unit.issuer.fakes import achievement_event, provider_event  # noqa: E402

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
RDFC = "eddsa-rdfc-2022"
SOURCE = "/bench/issuer"
FAST, REFERENCE = "fast", "reference"


@contextlib.contextmanager
def canonicaliser(name: str) -> Iterator[None]:
    """RDFC-1.0 by the fast path (what the services run) or by the PyLD reference alone."""
    set_rdfc_implementation(reference_rdfc if name == REFERENCE else None)
    try:
        yield
    finally:
        set_rdfc_implementation(None)


@contextlib.contextmanager
def infrastructure() -> Iterator[tuple[KafkaConnection, str]]:
    """The operator's Kafka connection and the database: from the environment, else a local
    stack for this run."""
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URI")
    if kafka and mongo:
        yield KafkaConnection.from_environment(), mongo
        return
    kafka_port, mongo_port = free_ports(2)
    with tempfile.TemporaryDirectory() as data:
        stack = LocalStack(
            default_root(), kafka_port=kafka_port, mongo_port=mongo_port, data_dir=Path(data)
        )
        stack.start()
        try:
            yield stack.kafka_admin, stack.mongodb_uri
        finally:
            stack.stop(grace=5.0)


def settings(kafka: KafkaConnection, mongo: str, suite: str) -> IssuerSettings:
    run = uuid.uuid4().hex[:8]
    return IssuerSettings(
        environment="test",
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        kafka_security_protocol=kafka.security_protocol,
        kafka_sasl_mechanism=kafka.sasl_mechanism,
        kafka_username=kafka.username,
        kafka_password=kafka.password,
        mongodb_uri=mongo,
        mongodb_database=f"bench_issuer_{run}",
        topic_prefix=f"bench{run}.",
        public_base_url="http://issuer.bench:8002",
        key_encryption_key="bench-key-encryption-key-0123456789",
        learner_salt_key="bench-learner-salt-key-0123456789",
        credential_id_key="bench-credential-id-key-0123456789",
        learner_access_key="bench-learner-access-key-0123456789",
        admin_token="bench-admin-token-0123456789",
        proof_suite=suite,
        relay_interval_seconds=0.05,
        log_level="WARNING",
    )


async def end_to_end(
    kafka: KafkaConnection, mongo: str, suite: str, completions: int, path: str = FAST
) -> dict[str, Any]:
    with canonicaliser(path):
        result = await _end_to_end(kafka, mongo, suite, completions)
    return {**result, "canonicaliser": path}


async def _end_to_end(
    kafka: KafkaConnection, mongo: str, suite: str, completions: int
) -> dict[str, Any]:
    """The issuer as its own principal; the bench publishes as the operator, standing in for
    the catalogue and the provider."""
    config = settings(kafka, mongo, suite)
    topics = config.topics
    passwords = {who: uuid.uuid4().hex for who in [*SERVICES, REGISTRAR]}
    principals = await provision_deployment(kafka, topics, passwords)
    inbound = provider_topics(topics, "bench-uni")
    await KafkaAccess(kafka).create_topics([(topic, 3, {}) for topic in inbound])
    issuer = principals["issuer"]
    app = create_app(
        config.model_copy(
            update={
                "kafka_username": issuer.username,
                "kafka_password": SecretStr(issuer.password or ""),
            }
        )
    )
    producer = AIOKafkaProducer(**kafka.aiokafka_kwargs(), linger_ms=5)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=30):
        await producer.start()
        try:
            await _seed_catalogue(app, producer, topics)
            consumer = AIOKafkaConsumer(
                topics.of(Topic.CREDENTIALS_ISSUED),
                **kafka.aiokafka_kwargs(),
                auto_offset_reset="earliest",
                enable_auto_commit=False,
            )
            await consumer.start()
            try:
                ids = CredentialIds(config.credential_id_key.get_secret_value().encode())
                return await _measure(producer, consumer, topics, ids, completions, suite)
            finally:
                await consumer.stop()
        finally:
            await producer.stop()


async def _seed_catalogue(app: Any, producer: AIOKafkaProducer, topics: Any) -> None:
    provider = PROVIDER_CHANGED.envelope(provider_event("bench-uni"), source=SOURCE)
    achievement = ACHIEVEMENT_CHANGED.envelope(
        achievement_event("bench-uni:MECH-1", "bench-uni"), source=SOURCE
    )
    # Compacted topics refuse records without a key.
    await producer.send_and_wait(
        topics.of(Topic.CATALOGUE_PROVIDERS), provider.to_json_bytes(), key=b"bench-uni"
    )
    await producer.send_and_wait(
        topics.of(Topic.CATALOGUE_ACHIEVEMENTS), achievement.to_json_bytes(), key=b"bench-uni:M"
    )
    view = MongoCatalogueView(app.state.issuer.runtime.database)
    keyrings = app.state.issuer.runtime.database["keyrings"]
    deadline = time.monotonic() + 120
    while not (await view.achievement("bench-uni:MECH-1") and await keyrings.count_documents({})):
        if time.monotonic() > deadline:
            raise RuntimeError("the issuer never saw the catalogue events")
        await asyncio.sleep(0.1)


async def _measure(
    producer: AIOKafkaProducer,
    consumer: AIOKafkaConsumer,
    topics: Any,
    ids: CredentialIds,
    completions: int,
    suite: str,
) -> dict[str, Any]:
    sent_at: dict[str, float] = {}
    arrived_at: dict[str, float] = {}
    start = time.perf_counter()
    cpu_start = time.process_time()
    for n in range(completions):
        completion = CompletionV1.model_validate(
            {
                "completion_id": f"bench-{n}",
                "provider_id": "bench-uni",
                "achievement_id": "bench-uni:MECH-1",
                "learner": {"email": f"learner{n}@example.org"},
                "completed_on": "2025-05-30",
                "results": [{"name": "Final grade", "value": "A"}],
            }
        )
        event = COMPLETION_REPORTED.envelope(completion, source=SOURCE)
        # credentials.issued names no completion: arrivals are matched by the credential id.
        sent_at[ids.of_completion("bench-uni", f"bench-{n}")] = time.perf_counter()
        await producer.send(
            topics.of_provider(ProviderTopic.COMPLETIONS, "bench-uni"),
            event.to_json_bytes(),
            key=b"bench-uni",
        )
    await producer.flush()
    deadline = time.monotonic() + 60 + completions  # generous: never a hang
    while len(arrived_at) < completions and time.monotonic() < deadline:
        batch = await consumer.getmany(timeout_ms=500)
        now = time.perf_counter()
        for records in batch.values():
            for record in records:
                credential_id = json.loads(record.value)["data"]["credential_id"]
                arrived_at.setdefault(credential_id, now)
    seconds = max(arrived_at.values(), default=start) - start
    # The CPU this process spent (issuer, plus the bench's producer and consumer, the same in
    # every run): what the fast path saves even when the database bounds the throughput.
    cpu_ms = 1000 * (time.process_time() - cpu_start) / max(1, len(arrived_at))
    latencies = sorted(1000 * (arrived_at[k] - sent_at[k]) for k in arrived_at)
    return {
        "suite": suite,
        "completions": completions,
        "issued": len(arrived_at),
        "seconds": seconds,
        "credentials_per_second": len(arrived_at) / seconds if seconds else 0.0,
        "cpu_ms_per_credential": cpu_ms,
        "p50_latency_ms": statistics.median(latencies) if latencies else None,
        "p99_latency_ms": latencies[int(0.99 * (len(latencies) - 1))] if latencies else None,
    }


def signing_cost(suite: str, iterations: int, path: str = FAST) -> dict[str, Any]:
    """Per-credential cost of building and signing the richest credential we issue (one core)."""
    with canonicaliser(path):
        return {**_signing_cost(suite, iterations), "canonicaliser": path}


def _signing_cost(suite: str, iterations: int) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    vault = SealedKeyVault("bench-key-encryption-key-0123456789")
    did = "did:web:issuer.bench%3A8002:issuers:bench-uni"
    keyring = new_keyring("bench-uni", did, vault.new_key("key-1", now))
    key = vault.signing_key(keyring)
    signer = DataIntegritySigner(suite)
    provider = provider_from(provider_event("bench-uni"))
    achievement = achievement_from(achievement_event("bench-uni:MECH-1", "bench-uni"))
    list_url = "http://issuer.bench:8002/status-lists/bench-uni.revocation.1"
    timings = []
    for n in range(iterations):
        facts = CredentialFacts(
            credential_url=f"http://issuer.bench:8002/credentials/{n}",
            achievement_url="http://issuer.bench:8002/achievements/bench-uni%3AMECH-1",
            issuer_did=did,
            learner=learner_from_email(f"learner{n}@example.org", b"salt"),
            valid_from=now,
            completed_on=date(2025, 5, 30),
            results=[ResultLine("Final grade", "A")],
            status_entries=[status_entry(list_url, "revocation", n)],
        )
        began = time.perf_counter()
        signed = signer.sign(build_credential(provider, achievement, facts), key, now)
        timings.append(time.perf_counter() - began)
    size = len(json.dumps(signed))
    mean = statistics.fmean(timings)
    return {
        "suite": suite,
        "iterations": iterations,
        "credential_bytes": size,
        "mean_ms": 1000 * mean,
        "p50_ms": 1000 * statistics.median(timings),
        "signs_per_second_per_core": 1 / mean,
    }


async def run(
    kafka: str, mongo: str, quick: bool, suites: tuple[str, ...] = SUITES
) -> dict[str, Any]:
    counts = {RDFC: 40 if quick else 400, "eddsa-jcs-2022": 100 if quick else 1000}
    runs = [(suite, FAST) for suite in suites]
    if RDFC in suites:
        runs.insert(suites.index(RDFC) + 1, (RDFC, REFERENCE))
    end = [await end_to_end(kafka, mongo, suite, counts[suite], path) for suite, path in runs]
    iterations = 30 if quick else 300
    sign = [signing_cost(suite, iterations) for suite in SUITES]
    sign.append(signing_cost(RDFC, iterations // 3, REFERENCE))
    return {"benchmark": "issuer_throughput", "quick": quick, "end_to_end": end, "signing": sign}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few completions (about a minute)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/issuer.json")
    parser.add_argument(
        "--end-to-end-suites",
        nargs="+",
        choices=SUITES,
        default=SUITES,
        help="suites measured end to end (default: both; signing cost always covers both)",
    )
    args = parser.parse_args()
    with infrastructure() as (kafka, mongo):
        result = asyncio.run(run(kafka, mongo, args.quick, tuple(args.end_to_end_suites)))
    heading = "issuer (completion in -> issued event out)"
    print(f"{heading:44} {'n':>6} {'cred/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'cpu ms':>7}")
    for row in result["end_to_end"]:
        label = f"{row['suite']} ({row['canonicaliser']})"
        print(
            f"{label:44} {row['issued']:>6} {row['credentials_per_second']:8.1f} "
            f"{row['p50_latency_ms'] or 0:9.0f} {row['p99_latency_ms'] or 0:9.0f} "
            f"{row['cpu_ms_per_credential']:7.1f}"
        )
    print(f"{'signing one credential (build + proof)':44} {'bytes':>6} {'ms':>8} {'/s/core':>9}")
    for row in result["signing"]:
        label = f"{row['suite']} ({row['canonicaliser']})"
        print(
            f"{label:44} {row['credential_bytes']:>6} {row['mean_ms']:8.2f} "
            f"{row['signs_per_second_per_core']:9.0f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
