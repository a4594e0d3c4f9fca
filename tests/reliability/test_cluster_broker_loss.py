"""Issue 14: on a cluster of three brokers, with two replicas of every service, completions
stream in while the broker leading the busiest partitions is SIGKILLed, brought back, and then
a second broker is killed for good; every completion still yields exactly one credential and
one ``credentials.issued`` event, the university's webhooks announce each credential under one
``webhook-id``, both verifier replicas verify, and the consumer groups' lag drains.

It starts and stops its own cluster (three JVMs beside the shared stack), so it runs only with
``make test-cluster`` or ``make test-reliability`` (MICROCRED_CLUSTER_SUITE=1), never in ``make
test`` (CI keeps within its time).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from microcred_issuer.domain.ids import CredentialIds
from microcred_shared.events import ProviderTopic, Topic
from pymongo import AsyncMongoClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from microcred.ecosystem import demo, story
from microcred.ecosystem.processes import SERVICE_NAMES, Ecosystem
from microcred.ecosystem.secrets import dev_secrets
from stack import LocalStack, default_root, fetch_all, free_port, free_ports
from stack.layout import Layout
from tests.reliability.cluster_tools import (
    busiest_leader,
    consumer_groups,
    replication_of,
    total_lag,
    under_replicated,
)
from tests.reliability.conftest import Seeded, seed
from tests.reliability.kafka_tools import TopicTail, json_of, publish_raw, read_everything
from tests.reliability.test_crash_and_redelivery import completion_events
from tests.support import eventually, local_server

SUITE_ENV = "MICROCRED_CLUSTER_SUITE"
pytestmark = [
    pytest.mark.reliability,
    pytest.mark.e2e,
    pytest.mark.timeout(3600),
    pytest.mark.skipif(
        not os.environ.get(SUITE_ENV),
        reason="starts its own three-broker cluster: run it with `make test-cluster`",
    ),
]

BROKERS = 3
COMPLETIONS = int(os.environ.get("MICROCRED_CLUSTER_COMPLETIONS", "240"))
# Four completions a second: a stream that still flows while the brokers fail over (the
# issuer alone takes a burst of hundreds in a few seconds, before any broker could be lost).
CHUNK = 4
CHUNK_INTERVAL = 1.0
DRAIN = 300 + COMPLETIONS / 5  # seconds: generous for 2 cores, never a hang
PREFIX = "cl."


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root = default_root()
    fetch_all(Layout.at(root), report=lambda line: print(f"[stack] {line}"))
    *kafka_ports, mongo_port = free_ports(BROKERS + 1)
    stack = LocalStack(
        root,
        kafka_ports[0],
        mongo_port,
        data_dir=tmp_path_factory.mktemp("cluster"),
        kafka_cluster_ports=kafka_ports,
        die_with_parent=True,
    )
    stack.start(timeout=240)
    try:
        yield stack
    finally:
        stack.stop(grace=5.0)


@pytest.fixture(scope="module")
def ecosystem(cluster: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ecosystem]:
    run_dir: Path = tmp_path_factory.mktemp("cluster-ecosystem")
    ecosystem = Ecosystem(
        run_dir=run_dir,
        kafka=cluster.kafka_admin,
        mongodb_uri=cluster.mongodb_uri,
        ports=dict(zip([*SERVICE_NAMES, "mailsink"], free_ports(5), strict=True)),
        topic_prefix=PREFIX,
        database_prefix="cl_",
        die_with_parent=True,
    )
    try:
        ecosystem.start(timeout=300)
        yield ecosystem
    finally:
        ecosystem.stop()


@pytest.fixture(scope="module")
async def replicas(ecosystem: Ecosystem) -> AsyncIterator[dict[str, str]]:
    """A second process of every service, in the same consumer groups and databases."""
    started: dict[str, str] = {}
    try:
        for name in SERVICE_NAMES:
            started[name] = await asyncio.to_thread(
                ecosystem.start_replica, name, free_port(), timeout=180
            )
        yield started
    finally:
        for replica in started.values():
            await asyncio.to_thread(ecosystem.stop_one, replica)


@dataclass
class Webhooks:
    """The university's receiver: the webhook-ids each credential was announced under."""

    ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deliveries: int = 0

    async def receive(self, request: Request) -> Response:
        body = json.loads(await request.body())
        if body.get("type") == "credential.issued":
            self.ids[body["data"]["credential_id"]].add(request.headers["webhook-id"])
            self.deliveries += 1
        return Response(status_code=204)


@dataclass
class Stream:
    """When each completion was published and when its credential was announced."""

    published_at: dict[str, float] = field(default_factory=dict)
    announced_at: dict[str, float] = field(default_factory=dict)
    event_ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def recovery_after(self, moment: float) -> float:
        """From ``moment`` until the first credential of a completion published after it was
        announced: the whole path (produce, consume, store, relay) working again."""
        later = [
            self.announced_at[c]
            for c, published in self.published_at.items()
            if published > moment and c in self.announced_at
        ]
        return min(later) - moment


@dataclass
class Lag:
    peak: int = 0
    last: int | None = None
    failed_polls: int = 0


async def test_losing_two_brokers_mid_stream_loses_and_duplicates_nothing(
    cluster: LocalStack, ecosystem: Ecosystem, replicas: dict[str, str]
) -> None:
    seeded = await seed(ecosystem)
    admin = cluster.kafka_admin
    topics = ecosystem.topics
    completions_topic = topics.of_provider(ProviderTopic.COMPLETIONS, story.UNIVERSITY)
    issued_topic = topics.of(Topic.CREDENTIALS_ISSUED)
    for topic in (completions_topic, issued_topic, topics.of(Topic.ISSUER_KEYS)):
        assert await replication_of(admin, topic) == ({3}, "2"), topic
    assert (await replication_of(admin, "__consumer_offsets"))[0] == {3}
    groups = await consumer_groups(admin, PREFIX)
    await eventually(lambda: _issuer_knows(seeded), timeout=120, interval=0.5)

    run_id = f"cluster-{time.time_ns()}"
    events = completion_events(run_id, COMPLETIONS)
    ids = CredentialIds(dev_secrets(ecosystem.run_dir)["ISSUER_CREDENTIAL_ID_KEY"].encode())
    completion_of = {ids.of_completion(story.UNIVERSITY, cid): cid for cid, _ in events}
    stream, webhooks, lag = Stream(), Webhooks(), Lag()
    started = time.monotonic()
    phases: list[str] = []

    def phase(name: str) -> float:
        now = time.monotonic()
        phases.append(f"{name}@{now - started:.0f}s")
        return now

    def on_issued(event: dict[str, Any]) -> None:
        credential_id = str((event.get("data") or {}).get("credential_id"))
        completion = completion_of.get(credential_id)
        if completion is not None:
            stream.announced_at.setdefault(completion, time.monotonic())
            stream.event_ids[credential_id].add(str(event.get("id")))

    async def produce() -> None:
        provider = seeded.provider_kafka[story.UNIVERSITY]
        for start in range(0, len(events), CHUNK):
            chunk = events[start : start + CHUNK]
            while True:  # a chunk the cluster refused mid-failover is sent again: same ids
                try:
                    await publish_raw(
                        provider, completions_topic, [(c.encode(), v) for c, v in chunk]
                    )
                    break
                except Exception as error:
                    print(f"publish retried: {error!r}")
                    await asyncio.sleep(1.0)
            now = time.monotonic()
            for completion_id, _ in chunk:
                stream.published_at.setdefault(completion_id, now)
            await asyncio.sleep(CHUNK_INTERVAL)

    async def watch_lag() -> None:
        while True:
            try:
                lag.last = await asyncio.wait_for(total_lag(admin, groups), timeout=20)
                lag.peak = max(lag.peak, lag.last)
            except Exception:
                lag.failed_polls += 1
            await asyncio.sleep(1.0)

    async def announced() -> int:
        return len(stream.announced_at)

    async def reached(fraction: float) -> None:
        wanted = min(COMPLETIONS, max(int(COMPLETIONS * fraction), len(stream.announced_at) + 1))
        await eventually(announced, lambda n: n >= wanted, timeout=DRAIN, interval=0.2)

    async def kill_busiest(sparing: set[int]) -> tuple[int, float]:
        leaders = [completions_topic, issued_topic]
        leader = await busiest_leader(admin, leaders)
        if leader in sparing:  # the busiest is the one just brought back: another one
            leader = min({n.membership.node_id for n in _nodes(cluster)} - sparing - {leader})
        moment = phase(f"SIGKILL broker {leader}")
        await asyncio.to_thread(cluster.kill_broker, _node(cluster, leader))
        return leader, moment

    receiver = Starlette(routes=[Route("/hooks", webhooks.receive, methods=["POST"])])
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(ecosystem.mongodb_uri)
    async with (
        httpx.AsyncClient(timeout=60) as http,
        local_server(receiver) as base_url,
        _following(admin, issued_topic, on_issued),
        _background(watch_lag()),
    ):
        story_run = demo.Demo(ecosystem, http)
        await demo.subscribe_university(story_run, f"{base_url}/hooks")
        try:
            async with _background(produce()) as producing:
                await reached(0.2)
                first, first_killed = await kill_busiest(sparing=set())
                await reached(0.4)
                await asyncio.to_thread(cluster.start_broker, _node(cluster, first))
                phase(f"broker {first} back")
                await eventually(
                    lambda: under_replicated(admin, PREFIX), lambda n: n == 0, timeout=300
                )
                phase("all in sync")
                await reached(0.6)
                second, second_killed = await kill_busiest(sparing={first})
                await producing
            await eventually(announced, lambda n: n >= COMPLETIONS, timeout=DRAIN, interval=0.2)
            phase("all announced")
            drained = await eventually(
                lambda: _lag_now(lag), lambda n: n == 0, timeout=DRAIN, interval=1.0
            )
            phase("lag drained")
            credentials = mongo[f"{ecosystem.database_prefix}microcred_issuer"]["credentials"]
            of_this_run = {"completion_id": {"$regex": f"^{run_id}/"}}
            stored = [doc async for doc in credentials.find(of_this_run, {"completion_id": 1})]
            await eventually(
                lambda: _missing_webhooks(webhooks, stored), lambda n: n == 0, timeout=DRAIN
            )
            phase("all webhooks")
            sample = random.Random(14).sample(sorted(completion_of), 10)
            verdicts = {
                port: await _verdicts(http, seeded, port, sample)
                for port in (ecosystem.service("verifier").port, _port_of(replicas["verifier"]))
            }
        finally:
            await demo.unsubscribe(story_run)
            await mongo.close()

    per_completion: dict[str, int] = defaultdict(int)
    for doc in stored:
        per_completion[doc["completion_id"]] += 1
    duplicates = sum(n - 1 for n in per_completion.values())
    losses = len({c for c, _ in events} - set(per_completion))
    on_topic = await _issued_event_ids(admin, issued_topic, set(completion_of))
    print(
        f"\ncluster broker loss: brokers={BROKERS} (RF 3, min ISR 2) replicas=2 of every "
        f"service completions={COMPLETIONS} credentials={len(stored)} "
        f"events={sum(len(v) for v in on_topic.values())} duplicates={duplicates} "
        f"losses={losses} webhooks={len(webhooks.ids)} "
        f"(+{webhooks.deliveries - len(webhooks.ids)} redelivered, one webhook-id each) "
        f"recovery: kill of broker {first} {stream.recovery_after(first_killed):.1f}s, "
        f"kill of broker {second} {stream.recovery_after(second_killed):.1f}s; "
        f"peak lag={lag.peak} drained={drained} ({lag.failed_polls} lag polls failed over) "
        f"elapsed={time.monotonic() - started:.0f}s (" + " ".join(phases) + ")"
    )
    assert len(stored) == COMPLETIONS
    assert duplicates == 0
    assert losses == 0
    assert set(on_topic) == set(completion_of)
    assert all(len(event_ids) == 1 for event_ids in on_topic.values())
    assert set(webhooks.ids) == {doc["_id"] for doc in stored}
    assert all(len(webhook_ids) == 1 for webhook_ids in webhooks.ids.values())
    assert all(v == ["verified"] * len(sample) for v in verdicts.values()), verdicts


@contextlib.asynccontextmanager
async def _following(
    admin: Any, topic: str, on_event: Callable[[dict[str, Any]], None]
) -> AsyncIterator[None]:
    tail = TopicTail(admin, topic, on_event)
    await tail.__aenter__()
    try:
        yield
    finally:
        try:
            await tail.__aexit__(None, None, None)
        except asyncio.CancelledError:
            # aiokafka's fetcher, stopped while it retries a broker that is gone, re-raises
            # its own fetch task's cancellation; only a cancellation of this task goes on.
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise


@contextlib.asynccontextmanager
async def _background(work: Any) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(work)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _nodes(cluster: LocalStack) -> list[Any]:
    return list(cluster.kafka_nodes)


def _node(cluster: LocalStack, node_id: int) -> Any:
    [node] = [n for n in cluster.kafka_nodes if n.membership and n.membership.node_id == node_id]
    return node


def _port_of(replica: str) -> int:
    return int(replica.rsplit("@", 1)[1])


async def _lag_now(lag: Lag) -> int | None:
    return lag.last


async def _missing_webhooks(webhooks: Webhooks, stored: list[dict[str, Any]]) -> int:
    return len({doc["_id"] for doc in stored} - set(webhooks.ids))


async def _issued_event_ids(
    admin: Any, issued_topic: str, credential_ids: set[str]
) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for record in await read_everything(admin, issued_topic):
        event = json_of(record)
        credential_id = (event or {}).get("data", {}).get("credential_id")
        if event and credential_id in credential_ids:
            found[credential_id].add(event["id"])
    return found


async def _verdicts(
    http: httpx.AsyncClient, seeded: Seeded, verifier_port: int, credential_ids: list[str]
) -> list[str]:
    """What one verifier process answers: each replica holds its own projections."""
    verdicts = []
    for credential_id in credential_ids:
        document = (await http.get(seeded.url("issuer", f"/credentials/{credential_id}"))).json()
        response = await http.post(
            f"http://127.0.0.1:{verifier_port}/verify", json={"credential": document}
        )
        verdicts.append(str(response.json()["verdict"]))
    return verdicts


async def _issuer_knows(seeded: Seeded) -> bool:
    achievement = story.achievement(story.UNIVERSITY, "ROB-610")
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(seeded.url("issuer", f"/achievements/{achievement}"))
    return response.status_code == 200
