"""Verifier benchmark: verifications per second per core for each suite (the full offline check
run, and the proof check alone), and p50/p99 latency of POST /verify under concurrent load
against the in-process app (no Kafka/Mongo: empty projections).

With ``--live`` (see ``bench/verifier_live.py``): ``POST /verify`` from 8 concurrent clients
against the verifier running as its own process on the real Kafka and database, with a
credential of a registered issuer (keys, provider, achievement, pathway and status list
received from Kafka), beside the same run's references.

    uv run python bench/verifier_throughput.py [--quick] [--live] [--profile FILE]
        [--out bench/results/verifier.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from microcred_shared.crypto import (
    DidKeyResolver,
    Ed25519Multikey,
    default_loader,
    sign,
    verify_proofs,
)
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.bootstrap import Adapters, create_app
from microcred_verifier.config import VerifierSettings
from microcred_verifier.domain.knowledge import Knowledge
from microcred_verifier.domain.model import Freshness
from microcred_verifier.domain.verification import Presented, verify_credential

ROOT = Path(__file__).resolve().parents[1]
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")


class _EmptyProjections:
    async def provider_by_did(self, did: str) -> None:
        return None

    async def provider_by_id(self, provider_id: str) -> None:
        return None

    async def provider_named(self, name: str) -> None:
        return None

    async def achievement(self, achievement_id: str) -> None:
        return None

    async def pathways_from(self, achievement_id: str) -> list[Any]:
        return []

    async def keys_of(self, controller: str) -> list[Any]:
        return []

    async def status_at(self, list_url: str, index: int) -> None:
        return None

    async def freshness(self, projection: str) -> Freshness:
        return Freshness(projection)


def credential(suite: str) -> dict[str, Any]:
    key = Ed25519Multikey.from_seed(bytes(range(32)))
    document = json.loads((ROOT / "tests/data/credentials/rich-openbadge.json").read_text())
    document.pop("proof", None)
    document["issuer"]["id"] = key.controller
    return sign(document, key, suite=suite)


def rate(fn: Any, seconds: float) -> float:
    fn()  # warm caches
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


async def http_latency(
    document: dict[str, Any], requests: int, concurrency: int
) -> dict[str, float]:
    settings = VerifierSettings(
        publish_events=False,
        fetch_enabled=False,
        rate_limit_burst=10**9,
        rate_limit_per_minute=1e12,
    )
    app = create_app(
        settings,
        adapters=Adapters(projections=_EmptyProjections(), status_lists=InMemoryStatusLists()),
    )  # type: ignore[arg-type]
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://v", timeout=60
    ) as client:

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                start = time.perf_counter()
                response = await client.post("/verify", json=document)
                assert response.status_code == 200
                latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": requests,
        "concurrency": concurrency,
        "per_second": requests / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/verifier.json")
    parser.add_argument(
        "--live", action="store_true", help="also against the verifier process, live knowledge"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="with --live: cProfile the verifier process (and the checks in-process) here",
    )
    args = parser.parse_args()
    seconds = 2.0 if args.quick else 8.0
    knowledge = Knowledge(DidKeyResolver(), Freshness("did:key"), default_loader())
    results: dict[str, Any] = {"suites": {}, "http": {}}
    for suite in SUITES:
        document = credential(suite)
        presented = Presented(document)
        full = rate(
            lambda p=presented: verify_credential(p, knowledge, now=knowledge_now()), seconds
        )
        proof_only = rate(lambda d=document: verify_proofs(d, DidKeyResolver()), seconds)
        results["suites"][suite] = {"full_checks_per_s": full, "proof_only_per_s": proof_only}
        requests = 40 if args.quick else 200
        results["http"][suite] = asyncio.run(http_latency(document, requests, concurrency=8))
    if args.live:
        sys.path.insert(0, str(ROOT))
        from bench.verifier_live import measure_live

        results["live"] = measure_live(quick=args.quick, profile=args.profile)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'suite':<18}{'full/s':>10}{'proof/s':>10}{'http/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for suite in SUITES:
        s, h = results["suites"][suite], results["http"][suite]
        print(
            f"{suite:<18}{s['full_checks_per_s']:>10.1f}{s['proof_only_per_s']:>10.1f}"
            f"{h['per_second']:>10.1f}{h['p50_ms']:>10.1f}{h['p99_ms']:>10.1f}"
        )
    for name, live in results.get("live", {}).get("runs", {}).items():
        print(
            f"live POST /verify, {name}: {live['per_second']:.1f} req/s "
            f"(p50 {live['p50_ms']:.1f} ms, p99 {live['p99_ms']:.1f} ms, "
            f"{live['concurrency']} clients, {live['requests']} requests; "
            f"server CPU {live['server_cpu_ms']:.2f} ms, client CPU "
            f"{live.get('client_cpu_ms', float('nan')):.2f} ms per request)"
        )
    if "live" in results:
        live = results["live"]
        print(
            f"in-process handler, same credential: {live['handler_per_s']:.1f}/s "
            f"({live['handler_cpu_ms']:.1f} ms CPU each)"
        )
        for name, per_s in live["gather_per_s"].items():
            print(f"in-process knowledge gathering, {name}: {per_s:.1f}/s")


def knowledge_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


if __name__ == "__main__":
    main()
