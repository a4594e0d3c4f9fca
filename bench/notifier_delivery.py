"""Notifier benchmark: webhook deliveries per second to a fast local receiver, and the delay one
dead (hanging) receiver adds to the deliveries of the others.

Runs the real dispatcher against the real MongoDB-wire database (``MONGODB_URI``, else the
project's local stack started for the run), and the same dispatcher on the unit tests'
in-memory store as the same-run reference. The fast receiver is its own process
(``bench.webhook_receiver``) and verifies every signature with the official ``standardwebhooks``
package; the dead one, in this process, holds every request open until the run ends. Events are
fanned out directly (Kafka is not what is measured here; the end-to-end issuance benchmark
covers it).

    uv run python bench/notifier_delivery.py [--quick] [--out bench/results/notifier.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import uvloop
from microcred_notifier.adapters.system import SystemClock
from microcred_notifier.adapters.webhooks import HttpWebhookSender
from microcred_notifier.bootstrap import Notifier, build_notifier
from microcred_notifier.config import NotifierSettings
from microcred_notifier.domain.deliveries import DeliveryStatus
from microcred_notifier.domain.notifications import EventType, Notification
from microcred_notifier.domain.retries import RetrySchedule
from microcred_notifier.domain.subscriptions import Filters, SubscriberKind
from microcred_notifier.service_layer import commands
from microcred_notifier.service_layer.dispatcher import Dispatcher, DispatchLimits
from microcred_notifier.service_layer.fanout import FanOut
from microcred_notifier.service_layer.ports import DeliveryRepository
from microcred_notifier.service_layer.subscriptions import SubscriptionHandlers
from microcred_shared.mongo import ensure_indexes
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stack import LocalStack, default_root, free_port, free_ports

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 2.0
# The notifier's defaults, for both stores.
LIMITS = DispatchLimits(poll_interval_seconds=0.05)


class HangingReceiver:
    """A dead receiver: holds every request open until the run ends."""

    def __init__(self) -> None:
        self.port = free_port()
        self._release = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _hook(self, request: Request) -> Response:
        await request.body()
        await self._release.wait()
        return Response(status_code=503)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[HangingReceiver]:
        app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error", lifespan="off")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        try:
            yield self
        finally:
            self._release.set()
            server.should_exit = True
            await task


class VerifyingReceiver:
    """The fast receiver, in its own process: verifies each signature, notes each arrival."""

    def __init__(self) -> None:
        self.port = free_port()
        self._control = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def use_secret(self, secret: str) -> None:
        (await self._control.put("/control/secret", content=secret)).raise_for_status()

    async def arrivals(self) -> tuple[dict[str, float], int]:
        """When each webhook-id first arrived (unix time), and how many were refused."""
        response = await self._control.get("/control/arrivals")
        report: dict[str, Any] = response.raise_for_status().json()
        return report["arrivals"], report["rejected"]

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[VerifyingReceiver]:
        command = [sys.executable, "-m", "bench.webhook_receiver", "--port", str(self.port)]
        process = subprocess.Popen(command, cwd=ROOT)  # noqa: ASYNC220 (started once, not waited)
        try:
            while True:
                with contextlib.suppress(httpx.TransportError):
                    await self.arrivals()
                    break
                await asyncio.sleep(0.05)
            yield self
        finally:
            process.terminate()
            process.wait(timeout=10)
            await self._control.aclose()


def notification(n: int) -> Notification:
    return Notification(
        event_id=f"bench-{n}",
        event_type=EventType.CREDENTIAL_ISSUED,
        occurred_at=datetime.now(UTC),
        provider_id="uni-bench",
        achievement_id="uni-bench:robotics-101",
        isced_f_code="0714",
        learner_ref=f"sha256$learner-{n}",
        data={"credential_id": f"cred-{n}", "achievement_name": "Robotics Basics", "ects": 5.0},
    )


@dataclass
class System:
    """The parts of a notifier a scenario drives, whatever stores its deliveries."""

    handlers: SubscriptionHandlers
    fan_out: FanOut
    dispatcher: Dispatcher
    deliveries: DeliveryRepository


@contextlib.asynccontextmanager
async def mongo_system(mongodb_uri: str) -> AsyncIterator[System]:
    settings = NotifierSettings(
        mongodb_uri=mongodb_uri,
        mongodb_database=f"bench_notifier_{uuid.uuid4().hex[:8]}",
        allow_private_webhook_urls=True,
        request_timeout_seconds=TIMEOUT_SECONDS,
        retry_delays_seconds=(1.0,),
        dispatcher_poll_seconds=0.05,
        log_json=False,
    )
    notifier: Notifier = build_notifier(settings)
    await ensure_indexes(notifier.runtime.database, notifier.runtime._all_indexes())
    try:
        yield System(
            notifier.subscriptions, notifier.fan_out, notifier.dispatcher, notifier.deliveries
        )
    finally:
        await notifier.stop()
        await notifier.runtime.mongo.drop_database(settings.mongodb_database)
        await notifier.runtime.mongo.close()


@contextlib.asynccontextmanager
async def memory_system() -> AsyncIterator[System]:
    """The same handlers and dispatcher on the unit tests' in-memory repositories: what the
    dispatcher and HTTP cost without the database."""
    from tests.unit.notifier.fakes import World

    world = World(
        clock=SystemClock(),  # type: ignore[arg-type]
        schedule=RetrySchedule(delays=(1.0,), jitter=0.0),
        limits=LIMITS,
    )
    sender = HttpWebhookSender(TIMEOUT_SECONDS, LIMITS.max_in_flight)
    world.dispatcher.sender = sender
    world.dispatcher.allow_private_urls = world.handlers.allow_private_urls = True
    world.fan_out.on_new_deliveries = world.dispatcher.new_deliveries
    try:
        yield System(world.handlers, world.fan_out, world.dispatcher, world.deliveries)
    finally:
        await world.dispatcher.stop()
        await sender.aclose()


async def scenario(system: System, events: int, *, with_dead: bool) -> dict[str, Any]:
    async with contextlib.AsyncExitStack() as stack:
        fast = await stack.enter_async_context(VerifyingReceiver().serving())
        urls = [fast.url]
        if with_dead:
            dead = await stack.enter_async_context(HangingReceiver().serving())
            urls.append(dead.url)
        fast_subscription, secret = await subscribe(system.handlers, urls)
        await fast.use_secret(secret)
        for n in range(events):
            await system.fan_out.notify(notification(n))
        started_at = time.time()
        system.dispatcher.start()
        # The receiver is another process: asked, not awaited.
        while len((arrived := await fast.arrivals())[0]) < events:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        await system.dispatcher.stop()
        stored = await system.deliveries.of_subscription(
            fast_subscription, DeliveryStatus.SUCCEEDED, events
        )
    arrival_times, rejected = arrived
    arrivals = sorted(t - started_at for t in arrival_times.values())
    elapsed = arrivals[-1]  # from the dispatcher's start to the last arrival
    return {
        "events": events,
        "with_dead_receiver": with_dead,
        "seconds": elapsed,
        "deliveries_per_second": events / elapsed,
        "p50_arrival_ms": 1000 * statistics.median(arrivals),
        "p99_arrival_ms": 1000 * arrivals[int(0.99 * (len(arrivals) - 1))],
        "signatures_refused": rejected,
        "attempts_per_delivery": statistics.mean(len(d.attempts) for d in stored) if stored else 0,
    }


async def subscribe(handlers: SubscriptionHandlers, urls: list[str]) -> tuple[str, str]:
    """One subscriber per URL; returns the first (fast) subscription's id and secret."""
    created_subscriptions = []
    for n, url in enumerate(urls):
        created = await handlers.create_subscriber(
            commands.CreateSubscriber(f"bench-{n}", SubscriberKind.UNIVERSITY)
        )
        subscription = await handlers.register(
            commands.RegisterSubscription(
                created.subscriber.subscriber_id,
                url,
                frozenset({EventType.CREDENTIAL_ISSUED}),
                Filters(),
            )
        )
        created_subscriptions.append(subscription)
    first = created_subscriptions[0]
    return first.subscription.subscription_id, first.secret


@contextlib.contextmanager
def database() -> Iterator[str]:
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    kafka_port, mongo_port = free_ports(2)
    with tempfile.TemporaryDirectory() as data:
        stack = LocalStack(
            default_root(), kafka_port=kafka_port, mongo_port=mongo_port, data_dir=Path(data)
        )
        stack.start()
        try:
            yield stack.mongodb_uri
        finally:
            stack.stop(grace=5.0)


async def compare(system_factory: Any, events: int) -> dict[str, Any]:
    async with system_factory() as system:
        alone = await scenario(system, events, with_dead=False)
    async with system_factory() as system:
        beside_dead = await scenario(system, events, with_dead=True)
    return {
        "fast_receiver_alone": alone,
        "fast_receiver_beside_a_dead_one": beside_dead,
        "delay_added_by_dead_receiver_ms": {
            "total": 1000 * (beside_dead["seconds"] - alone["seconds"]),
            "p50": beside_dead["p50_arrival_ms"] - alone["p50_arrival_ms"],
            "p99": beside_dead["p99_arrival_ms"] - alone["p99_arrival_ms"],
        },
    }


async def run(mongodb_uri: str, events: int) -> dict[str, Any]:
    return {
        "benchmark": "notifier_delivery",
        "settings": {
            "max_in_flight": LIMITS.max_in_flight,
            "max_in_flight_per_origin": LIMITS.max_in_flight_per_origin,
            "timeout_s": TIMEOUT_SECONDS,
        },
        "stores": {
            "memory": await compare(memory_system, events),
            "mongodb": await compare(lambda: mongo_system(mongodb_uri), events),
        },
    }


def report(result: dict[str, Any], events: int) -> None:
    title = f"notifier webhook delivery ({events} events)"
    print(f"{title:44} {'alone':>12} {'beside dead':>12}")
    for store, figures in result["stores"].items():
        alone, dead = figures["fast_receiver_alone"], figures["fast_receiver_beside_a_dead_one"]
        for label, key, number in (
            ("deliveries/s", "deliveries_per_second", "{:12.0f}"),
            ("p50 arrival ms", "p50_arrival_ms", "{:12.1f}"),
            ("p99 arrival ms", "p99_arrival_ms", "{:12.1f}"),
        ):
            row = f"{store} store: {label}"
            print(f"{row:44} {number.format(alone[key])} {number.format(dead[key])}")
        added = figures["delay_added_by_dead_receiver_ms"]["total"]
        print(f"{store + ' store: delay added by one dead receiver':44} {added:12.0f} ms")
        refused = alone["signatures_refused"] + dead["signatures_refused"]
        print(f"{store + ' store: signatures the receiver refused':44} {refused:12d}")


def run_on_uvloop(mongodb_uri: str, events: int) -> dict[str, Any]:
    # The notifier process runs under uvicorn, which runs on uvloop: so does its benchmark.
    return uvloop.run(run(mongodb_uri, events))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer events (well under a minute)")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/notifier.json")
    parser.add_argument(
        "--profile", type=Path, default=None, help="write a cProfile of this process (pstats)"
    )
    args = parser.parse_args()
    events = args.events or (200 if args.quick else 2000)
    with database() as uri:
        if args.profile:
            with cProfile.Profile() as profile:
                result = run_on_uvloop(uri, events)
            profile.dump_stats(args.profile)
        else:
            result = run_on_uvloop(uri, events)
    report(result, events)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
