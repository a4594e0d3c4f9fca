"""Ecosystem benchmark, measured from outside the services: the four services run as their own
processes; a provider uploads a cohort CSV of N rows (``POST /completions/cohort``) and a
university's receiver, subscribed to ``credential.issued`` webhooks, checks every delivery with
the official ``standardwebhooks`` package. The figure is the time from the upload to the last
signed webhook of the cohort, with the duplicates and losses the receiver saw, and the CPU the
issuer and notifier processes spent (read from /proc, so it includes everything they did).

Uses ``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URI`` (with the operator's ``MICROCRED_KAFKA_*``
principal) when set, else starts the project's local stack on free ports for the run.

    uv run python -m bench.ecosystem_cohort [--rows 2000] [--out bench/results/cohort.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from microcred_shared.messaging.connection import KafkaConnection
from pymongo import MongoClient
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.issuer_throughput import infrastructure
from bench.processes import CpuMeter, listener_pid, port_of
from microcred.ecosystem import demo, story
from microcred.ecosystem.local_server import local_server
from microcred.ecosystem.processes import SERVICE_NAMES, Ecosystem
from stack import free_ports

ROOT = Path(__file__).resolve().parents[1]
COURSE = "MECH-402"  # a university course that stacks into nothing unless pathways are defined
ISSUED = "credential.issued"
# How long the receiver waits for the next webhook before it counts the rest as lost.
STALL_SECONDS = 120.0


@dataclass
class Receiver:
    """The university's endpoint: verifies each webhook's signature, records what arrived."""

    secret: str = ""
    webhook_ids: Counter[str] = field(default_factory=Counter)
    credential_ids: Counter[str] = field(default_factory=Counter)
    rejected: int = 0
    first_at: float | None = None
    last_new_at: float | None = None

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        try:
            payload = Webhook(self.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.rejected += 1
            return Response(status_code=400)
        self.webhook_ids[request.headers["webhook-id"]] += 1
        if payload.get("type") == ISSUED:
            credential_id = payload["data"]["credential_id"]
            now = time.perf_counter()
            self.first_at = self.first_at or now
            if credential_id not in self.credential_ids:
                self.last_new_at = now
            self.credential_ids[credential_id] += 1
        return Response(status_code=204)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        app = Starlette(routes=[Route("/hooks/microcred", self.receive, methods=["POST"])])
        async with local_server(app) as base_url:
            yield f"{base_url}/hooks/microcred"


def cohort_csv(run: str, rows: int) -> str:
    today = datetime.now(UTC).date().isoformat()
    achievement = story.achievement(story.UNIVERSITY, COURSE)
    lines = ["completion_id,achievement_id,email,completed_on,grade"]
    lines += [
        f"{run}-{n},{achievement},learner{n}.{run}@bench.example,{today},2" for n in range(rows)
    ]
    return "\n".join(lines) + "\n"


async def subscribe(setup: demo.Demo, receiver_url: str) -> str:
    """A university subscriber with one ``credential.issued`` subscription; its secret."""
    created = await setup.http.post(
        setup.url("notifier", "/admin/subscribers"),
        json={"name": "bench university", "kind": "university", "provider_ids": [story.UNIVERSITY]},
        headers=setup.admin("notifier"),
    )
    created.raise_for_status()
    subscription = await setup.http.post(
        setup.url("notifier", "/subscriptions"),
        json={
            "url": receiver_url,
            "event_types": [ISSUED],
            "filters": {"provider_ids": [story.UNIVERSITY]},
        },
        headers={"Authorization": f"Bearer {created.json()['api_key']}"},
    )
    subscription.raise_for_status()
    secret: str = subscription.json()["secret"]
    return secret


async def wait_for_all(receiver: Receiver, rows: int) -> None:
    """Until every row's credential arrived, or no new one came for STALL_SECONDS."""
    last_progress, seen = time.monotonic(), 0
    while len(receiver.credential_ids) < rows:
        if len(receiver.credential_ids) > seen:
            last_progress, seen = time.monotonic(), len(receiver.credential_ids)
        elif time.monotonic() - last_progress > STALL_SECONDS:
            return
        await asyncio.sleep(0.1)


async def measure(ecosystem: Ecosystem, rows: int) -> dict[str, Any]:
    receiver = Receiver()
    run = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(timeout=None) as http, receiver.serving() as receiver_url:
        setup = demo.Demo(ecosystem, http)
        await demo.register_providers(setup)
        await demo.publish_courses(setup)
        await demo.issuer_api_keys(setup)
        receiver.secret = await subscribe(setup, receiver_url)
        key = setup.issuer_keys[story.UNIVERSITY]
        meter = CpuMeter(process_ids(ecosystem))
        meter.start()
        began = time.perf_counter()
        upload = await http.post(
            setup.url("issuer", "/completions/cohort"),
            files={"file": ("cohort.csv", cohort_csv(run, rows), "text/csv")},
            headers={"Authorization": f"Bearer {key}"},
        )
        answered = time.perf_counter() - began
        upload.raise_for_status()
        await wait_for_all(receiver, rows)
        cpu = meter.stop()
        job = await http.get(
            upload.json()["status_url"], headers={"Authorization": f"Bearer {key}"}
        )
        job.raise_for_status()
    return result(receiver, rows, began, answered, job.json(), cpu)


def process_ids(ecosystem: Ecosystem) -> dict[str, int | None]:
    """Every process a credential passes through on this machine: the four services, the mail
    sink, this process (the uploading client and the receiver), the broker and the database."""
    pids = {name: ecosystem.pid_of(name) for name in (*SERVICE_NAMES, "mailsink")}
    pids["bench client + receiver"] = os.getpid()
    kafka_port = port_of(ecosystem.kafka.bootstrap_servers)
    mongo_port = port_of(ecosystem.mongodb_uri)
    pids["kafka"] = listener_pid(kafka_port) if kafka_port else None
    pids["database"] = listener_pid(mongo_port) if mongo_port else None
    return pids


def cpu_budget(cpu: dict[str, float], arrived: int) -> dict[str, Any]:
    """CPU milliseconds per credential of each process, their sum, and the rate the machine's
    cores would allow if that were all they did (the physical bound of this path here)."""
    per_credential = {name: round(1000 * seconds / arrived, 2) for name, seconds in cpu.items()}
    total = sum(per_credential.values())
    cores = os.cpu_count() or 1
    return {
        "cpu_ms_per_credential": dict(sorted(per_credential.items(), key=lambda item: -item[1])),
        "total_cpu_ms_per_credential": round(total, 2),
        "cores": cores,
        "ceiling_credentials_per_second": round(1000 * cores / total, 1) if total else None,
    }


def result(
    receiver: Receiver,
    rows: int,
    began: float,
    answered: float,
    summary: dict[str, Any],
    cpu: dict[str, float],
) -> dict[str, Any]:
    arrived = len(receiver.credential_ids)
    seconds = (receiver.last_new_at or began) - began
    return {
        "benchmark": "ecosystem_cohort",
        "rows": rows,
        "seconds_to_last_webhook": round(seconds, 2),
        "credentials_per_second": arrived / seconds if seconds > 0 else 0.0,
        # The upload is accepted as a job; its rows are answered in batches afterwards.
        "seconds_to_upload_answer": round(answered, 2),
        "seconds_to_first_webhook": (
            round(receiver.first_at - began, 2) if receiver.first_at else None
        ),
        "job_summary": {k: v for k, v in summary.items() if not isinstance(v, list)},
        "webhooks_verified": receiver.webhook_ids.total(),
        "webhooks_rejected": receiver.rejected,
        "duplicate_webhook_ids": sum(n - 1 for n in receiver.webhook_ids.values()),
        "duplicate_credential_ids": sum(n - 1 for n in receiver.credential_ids.values()),
        "credentials_received": arrived,
        "losses": rows - arrived,
        "cpu_seconds": {name: round(value, 2) for name, value in cpu.items()},
        "issuer_cpu_ms_per_credential": 1000 * cpu["issuer"] / arrived if arrived else None,
        **(cpu_budget(cpu, arrived) if arrived else {}),
        "notifier_cpu_ms_per_webhook": 1000 * cpu["notifier"] / arrived if arrived else None,
    }


def ecosystem_on(kafka: KafkaConnection, mongo: str, run_dir: Path) -> Ecosystem:
    run = uuid.uuid4().hex[:8]
    ports = dict(zip([*SERVICE_NAMES, "mailsink"], free_ports(5), strict=True))
    return Ecosystem(
        run_dir=run_dir,
        kafka=kafka,
        mongodb_uri=mongo,
        ports=ports,
        topic_prefix=f"benchco{run}.",
        database_prefix=f"benchco{run}_",
        die_with_parent=True,
    )


def drop_databases(ecosystem: Ecosystem) -> None:
    """The run's four databases go with it (the topics stay: the broker may be shared)."""
    client: MongoClient[dict[str, Any]] = MongoClient(ecosystem.mongodb_uri)
    try:
        for name in SERVICE_NAMES:
            client.drop_database(f"{ecosystem.database_prefix}microcred_{name}")
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=2000, help="rows of the cohort CSV")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/cohort.json")
    parser.add_argument("--keep-logs", type=Path, help="copy the services' logs here at the end")
    args = parser.parse_args()
    with infrastructure() as (kafka, mongo), tempfile.TemporaryDirectory() as run_dir:
        ecosystem = ecosystem_on(kafka, mongo, Path(run_dir))
        try:
            ecosystem.start(timeout=180)
            outcome = asyncio.run(measure(ecosystem, args.rows))
        finally:
            ecosystem.stop()
            drop_databases(ecosystem)
            if args.keep_logs:
                shutil.copytree(run_dir, args.keep_logs, dirs_exist_ok=True)
    print(json.dumps(outcome, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(outcome, indent=2) + "\n")


if __name__ == "__main__":
    main()
