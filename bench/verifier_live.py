"""``POST /verify`` against the verifier as its own process (uvicorn), on the real Kafka and
database, with live knowledge: a registered provider's did:web keys, its provider entry,
achievement, pathway and signed status list, published on their topics as the catalogue and the
issuer publish them, and received by the verifier's consumers.

Measured, the same run: the service as it runs (projections held in memory), one process and a
replica per core (clients spread over them, as a load balancer would), the service with the
database-backed projection it had before (every read a query: the reference), and the
verification handler called in this process with the same knowledge (no HTTP, no process: the
ceiling of one process). The load is 8 concurrent keep-alive HTTP/1.1 connections from this
process, with each side's CPU per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from microcred_shared.crypto import default_loader, sign
from microcred_shared.events.contracts.credentials import StatusListPublishedV1
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    ISSUER_KEYS_CHANGED_V2,
    PATHWAY_CHANGED,
    PROVIDER_CHANGED,
    STATUS_LIST_PUBLISHED,
    EventSpec,
)
from microcred_shared.messaging.acls import SERVICES
from microcred_shared.messaging.connection import KafkaConnection
from microcred_shared.messaging.provisioning import REGISTRAR, provision_deployment
from microcred_shared.mongo import create_client
from microcred_verifier.adapters.memory_projections import InMemoryProjections
from microcred_verifier.adapters.mongo_projections import MongoProjections
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.domain.verification import verify_credential
from microcred_verifier.service_layer.gather import KnowledgeGatherer
from microcred_verifier.service_layer.intake import present
from microcred_verifier.service_layer.ports import Projections
from microcred_verifier.service_layer.status_gather import StatusGatherer
from microcred_verifier.service_layer.verify import VerifyCredential, VerifyHandler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.issuer_throughput import infrastructure  # noqa: E402
from bench.processes import cpu_seconds  # noqa: E402
from stack import free_ports  # noqa: E402
from tests.support import signed_status_list  # noqa: E402
from tests.unit.verifier.projections_contract import (  # noqa: E402
    DID,
    KEY,
    achievement,
    keys,
    pathway,
    provider,
)

CONCURRENCY = 8
# (name, verifier processes, database-backed projection): one process as it runs, a replica
# per core (the deployment the README states), and the projection it had before (reference).
RUNS = (
    ("in memory", 1, False),
    ("in memory, a replica per core", 2, False),
    ("database-backed", 1, True),
)
LIST_URL = "https://issuer.bench.example/status-lists/rvu.revocation.1"
ACHIEVEMENT_URL = "https://catalogue.bench.example/achievements/plc"
SOURCE = "/bench/verifier"


def live_credential(suite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
    """As the issuer issues: its did:web key, a catalogue achievement, a status list entry."""
    document = json.loads((ROOT / "tests/data/credentials/rich-openbadge.json").read_text())
    document.pop("proof", None)
    document["issuer"]["id"] = DID
    document["credentialSubject"]["achievement"]["id"] = ACHIEVEMENT_URL
    document["credentialStatus"] = {
        "id": f"{LIST_URL}#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": LIST_URL,
    }
    document.pop("validUntil", None)
    return sign(document, KEY, verification_method=f"{DID}#key-1", suite=suite)


def _knowledge_events() -> list[tuple[EventSpec[Any], Any, str]]:
    snapshot = StatusListPublishedV1(
        list_id="rvu.revocation.1",
        provider_id="rvu",
        status_purpose="revocation",
        list_url=LIST_URL,
        sequence=1,
        list_credential=signed_status_list(LIST_URL, KEY),
        published_at=datetime.now(UTC),
    )
    return [
        (ISSUER_KEYS_CHANGED_V2, keys(1), "rvu"),
        (PROVIDER_CHANGED, provider(1), "rvu"),
        (ACHIEVEMENT_CHANGED, achievement("plc"), "plc"),
        (ACHIEVEMENT_CHANGED, achievement("automation", name="Automation"), "automation"),
        (PATHWAY_CHANGED, pathway(1, "plc", "robotics"), "automation-certificate"),
        (STATUS_LIST_PUBLISHED, snapshot, LIST_URL),
    ]


async def _publish_knowledge(kafka: KafkaConnection, prefix: str) -> KafkaConnection:
    """The deployment's topics and principals, and the knowledge on its topics (published as
    the operator, standing in for the catalogue and the issuer). The verifier's principal."""
    from microcred_shared.events import TopicNames

    topics = TopicNames(prefix)
    passwords = {who: uuid.uuid4().hex for who in [*SERVICES, REGISTRAR]}
    principals = await provision_deployment(kafka, topics, passwords)
    producer = AIOKafkaProducer(**kafka.aiokafka_kwargs())
    await producer.start()
    try:
        for spec, data, key in _knowledge_events():
            assert spec.topic is not None
            event = spec.envelope(data, source=SOURCE).to_json_bytes()
            await producer.send_and_wait(topics.of(spec.topic), event, key=key.encode())
    finally:
        await producer.stop()
    return principals["verifier"]


def _environment(
    verifier: KafkaConnection, mongo: str, prefix: str, port: int, db: str
) -> dict[str, str]:
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("MICROCRED_", "KAFKA_", "MONGO"))
    }
    return {
        **inherited,
        **verifier.environment(),
        "MONGODB_URI": mongo,
        "MICROCRED_TOPIC_PREFIX": prefix,
        "VERIFIER_MONGODB_DATABASE": db,
        "VERIFIER_HTTP_PORT": str(port),
        "VERIFIER_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "VERIFIER_FETCH_ENABLED": "false",
        "VERIFIER_RATE_LIMIT_PER_MINUTE": "1e12",
        "VERIFIER_RATE_LIMIT_BURST": str(10**9),
        "VERIFIER_LOG_LEVEL": "WARNING",
    }


@contextlib.contextmanager
def verifier_process(
    env: dict[str, str], *, database_backed: bool, profile: Path | None
) -> Iterator[int]:
    if database_backed:
        command = [sys.executable, str(ROOT / "bench/verifier_database_backed.py")]
    elif profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "microcred_verifier"]
    else:
        command = [sys.executable, "-m", "microcred_verifier"]
    log = tempfile.NamedTemporaryFile(prefix="bench-verifier-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process.pid
    except Exception:
        print(f"the verifier's log: {log.name}", file=sys.stderr)
        raise
    finally:
        log.close()
        # SIGINT: uvicorn shuts down cleanly, so cProfile writes its file.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def replicas(
    env_for: Callable[[int], dict[str, str]], ports: list[int], **process: Any
) -> Iterator[list[int]]:
    """One verifier process per port, each with its own projections (as replicas run)."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(verifier_process(env_for(port), **process)) for port in ports]


async def _until_verified(port: int, body: dict[str, Any], within: float) -> None:
    """Until the process serves and its projections have the issuer's knowledge."""
    deadline = time.monotonic() + within
    last: Any = None
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                response = await client.post("/verify", json=body)
                last = response.json()
                if last.get("verdict") == "verified":
                    return
            await asyncio.sleep(0.25)
    raise RuntimeError(f"the verifier never answered verified: {last}")


class KeepAliveConnection:
    """One HTTP/1.1 keep-alive connection used as a load generator (wrk, hey) uses one: the
    request's bytes composed once, each response read by its Content-Length. httpx cost the
    bench about 1 ms of CPU per request, on the same two cores as the server it measures."""

    def __init__(self, port: int, path: str, body: bytes) -> None:
        self._port = port
        self._request = (
            f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        ).encode() + body
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> KeepAliveConnection:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self._port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()

    async def post(self) -> tuple[int, bytes]:
        assert self._reader is not None
        assert self._writer is not None
        self._writer.write(self._request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.split(b":", 1) for line in lines[1:] if b":" in line)
        length = int(headers[b"content-length"])  # every response here declares its length
        return status, await self._reader.readexactly(length)


async def _load(
    ports: list[int], pids: list[int], body: dict[str, Any], requests: int
) -> dict[str, Any]:
    """``CONCURRENCY`` keep-alive clients, spread over the replicas' ports."""
    for port in ports:
        await _until_verified(port, body, within=120)
    payload = json.dumps(body).encode()
    latencies: list[float] = []
    warm_up = 5 * CONCURRENCY  # the first few warm the process up: no latency kept
    total = requests + warm_up
    remaining = iter(range(total))

    async def client(port: int) -> None:
        async with KeepAliveConnection(port, "/verify", payload) as connection:
            for number in remaining:
                start = time.perf_counter()
                status, answer = await connection.post()
                # The compact JSON the verifier writes: no parse on the client's CPU.
                if status != 200 or b'"verdict":"verified"' not in answer:
                    raise RuntimeError(f"{status}: {answer[:300]!r}")
                if number >= warm_up:
                    latencies.append(time.perf_counter() - start)

    started, client_cpu = time.perf_counter(), time.process_time()
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    await asyncio.gather(*(client(ports[i % len(ports)]) for i in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    client_cpu = time.process_time() - client_cpu
    latencies.sort()
    return {
        "requests": len(latencies),
        "concurrency": CONCURRENCY,
        "replicas": len(ports),
        "per_second": total / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        # The verifier processes' CPU per request (their database's is not in it): one core
        # of one process serves at most 1000 / this per second.
        "server_cpu_ms": 1000 * cpu / total,
        # The load generator's, on the same cores.
        "client_cpu_ms": 1000 * client_cpu / total,
    }


async def _knowledge_in_memory() -> tuple[InMemoryProjections, InMemoryStatusLists]:
    projections, lists = InMemoryProjections(), InMemoryStatusLists()
    received = datetime.now(UTC)
    for spec, data, _ in _knowledge_events():
        if spec is STATUS_LIST_PUBLISHED:
            await lists.apply(data, received)
        else:
            await getattr(projections, _APPLY[spec.type])(data, received)
    return projections, lists


def _gatherer(projections: Projections, lists: InMemoryStatusLists) -> KnowledgeGatherer:
    status = StatusGatherer(lists, projections, None, 64)
    return KnowledgeGatherer(projections, status, default_loader())


async def _rate(step: Callable[[], Awaitable[Any]], seconds: float) -> float:
    await step()  # warm caches
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        await step()
        count += 1
    return count / (time.perf_counter() - start)


async def _handler_rate(body: dict[str, Any], seconds: float) -> tuple[float, float]:
    """The verification handler of one process with the same knowledge, one at a time: how
    many per second, and the CPU milliseconds of each."""
    handler = VerifyHandler(_gatherer(*await _knowledge_in_memory()), None, None, max_depth=64)
    command = VerifyCredential(present(body["credential"], 64))
    outcome = await handler(command)
    assert outcome.report.verdict.value == "verified", outcome.report
    try:
        started = time.process_time()
        per_s = await _rate(lambda: handler(command), seconds)
        return per_s, 1000 * (time.process_time() - started) / max(1.0, per_s * seconds)
    finally:
        await handler.close()


async def _gather_rates(
    mongo: str, database: str, body: dict[str, Any], seconds: float
) -> dict[str, float]:
    """Knowledge gathered for the credential, one at a time, from memory and from the database
    the service wrote through to (the part of a verification this change is about)."""
    memory, lists = await _knowledge_in_memory()
    client = create_client(mongo, app_name="bench")
    try:
        stored = MongoProjections(client[database])
        rates = {}
        for name, projections in (("in memory", memory), ("database-backed", stored)):
            gatherer = _gatherer(projections, lists)
            rates[name] = await _rate(
                lambda g=gatherer: g.gather(body["credential"], None), seconds
            )
        return rates
    finally:
        await client.close()


_APPLY = {
    ISSUER_KEYS_CHANGED_V2.type: "apply_issuer_keys",
    PROVIDER_CHANGED.type: "apply_provider",
    ACHIEVEMENT_CHANGED.type: "apply_achievement",
    PATHWAY_CHANGED.type: "apply_pathway",
}


def measure_live(*, quick: bool, profile: Path | None = None) -> dict[str, Any]:
    requests = 400 if quick else 1000
    body = {"credential": live_credential()}
    results: dict[str, Any] = {"runs": {}}
    with infrastructure() as (kafka, mongo):
        run = uuid.uuid4().hex[:8]
        prefix, database = f"bench{run}.", f"bench_verifier_{run}"
        verifier = asyncio.run(_publish_knowledge(kafka, prefix))
        try:
            for name, count, database_backed in RUNS:
                ports = free_ports(count)
                profiled = profile if name == "in memory" else None
                with replicas(
                    lambda port: _environment(verifier, mongo, prefix, port, database),
                    ports,
                    database_backed=database_backed,
                    profile=profiled,
                ) as pids:
                    results["runs"][name] = asyncio.run(_load(ports, pids, body, requests))
            results["gather_per_s"] = asyncio.run(
                _gather_rates(mongo, database, body, 1.0 if quick else 4.0)
            )
        finally:
            asyncio.run(_drop(mongo, database))
    handler_per_s, handler_cpu_ms = asyncio.run(_handler_rate(body, 2.0 if quick else 8.0))
    results["handler_per_s"], results["handler_cpu_ms"] = handler_per_s, handler_cpu_ms
    if profile is not None:
        core = profile.with_suffix(".core.prof")
        asyncio.run(_profile_core(body, core))
        print("The verifier process, its event loop's thread (cProfile sees no other):")
        _print_profile(profile, "tottime", 25)
        print("The verification itself (the handler's worker thread), in this process:")
        _print_profile(core, "cumulative", 30)
    return results


async def _drop(mongo: str, database: str) -> None:
    client = create_client(mongo, app_name="bench")
    await client.drop_database(database)
    await client.close()


def _print_profile(profile: Path, order: str, rows: int) -> None:
    pstats.Stats(str(profile)).sort_stats(order).print_stats(rows)


async def _profile_core(body: dict[str, Any], path: Path, times: int = 50) -> None:
    """The pure checks on the live credential with the knowledge a verification gathers."""
    presented = present(body["credential"], 64)
    knowledge = await _gatherer(*await _knowledge_in_memory()).gather(presented.document, None)
    now = datetime.now(UTC)
    verify_credential(presented, knowledge, now=now)  # warm caches
    with cProfile.Profile() as profiler:
        for _ in range(times):
            verify_credential(presented, knowledge, now=now)
    profiler.dump_stats(str(path))
