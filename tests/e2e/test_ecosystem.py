"""The ecosystem end to end: four service processes, the real Kafka broker and database.

The story (microcred.ecosystem.demo) is what `make demo` plays: a partner publishes courses over
Kafka → they are searchable → completions → signed credentials → the university's webhook →
an employer's POST /verify says verified → revoke → the verifier says revoked → the stacked
credentials appear when the pathways are complete.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import pkgutil
import secrets
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from microcred.ecosystem import chapters, demo, story
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.processes import Ecosystem
from microcred.ecosystem.secrets import dev_secrets
from tests.e2e.conftest import CollectedSpans
from tests.support import eventually, local_server

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# The story's steps, counted from its script and its chapters' modules: a step that silently
# stops running fails here.
CHAPTERS = [
    importlib.import_module(f"{chapters.__name__}.{module.name}")
    for module in pkgutil.iter_modules(chapters.__path__)
]
STEPS = sum(
    inspect.getsource(script).count("await demo.step(") for script in (demo.play_steps, *CHAPTERS)
)


async def test_the_demo_story_runs_to_its_end_with_every_step_checked(played: Outcome) -> None:
    assert played.failed == []
    assert played.passed == STEPS


async def test_one_trace_follows_a_credential_from_the_issuer_through_the_notifier_to_the_verifier(
    ecosystem: Ecosystem, collector: tuple[CollectedSpans, str], played: Outcome
) -> None:
    """The university's system verifies what it receives, passing the webhook's trace on."""
    spans, _ = collector
    verified: list[str] = []

    async with httpx.AsyncClient(timeout=30) as http:

        async def university(request: Request) -> Response:
            body = json.loads(await request.body())
            credential = (await http.get(body["data"]["links"]["json_url"])).json()
            traceparent = request.headers.get("traceparent", "")
            result = await http.post(
                ecosystem.service("verifier").url + "/verify",
                json={"credential": credential},
                headers={"traceparent": traceparent},
            )
            verified.append(result.json()["verdict"])
            return Response(status_code=204)

        app = Starlette(routes=[Route("/hooks", university, methods=["POST"])])
        async with local_server(app) as receiver:
            issuer_key = await subscribe_and_get_issuer_key(http, ecosystem, receiver + "/hooks")
            trace_id = secrets.token_hex(16)
            response = await http.post(
                ecosystem.service("issuer").url + "/completions",
                json={
                    "completion_id": f"trace-{trace_id}",
                    "achievement_id": story.achievement(story.UNIVERSITY, "ROB-610"),
                    "learner": {"email": f"trace-{trace_id[:8]}@learners.example"},
                    "completed_on": "2026-07-01",
                },
                headers={
                    "Authorization": f"Bearer {issuer_key}",
                    "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
                },
            )
            assert response.status_code == 201, response.text
            await eventually(lambda: _value(verified), timeout=60)

    assert verified[0] in {"verified", "verified_with_warnings"}
    services = await eventually(
        lambda: _value(spans.services_in(trace_id)),
        lambda found: {"issuer", "notifier", "verifier"} <= found,
        timeout=60,
    )
    assert {"issuer", "notifier", "verifier"} <= services


async def _value(value: Any) -> Any:
    await asyncio.sleep(0)
    return value


async def subscribe_and_get_issuer_key(
    http: httpx.AsyncClient, ecosystem: Ecosystem, url: str
) -> str:
    tokens = dev_secrets(ecosystem.run_dir)
    notifier = ecosystem.service("notifier").url
    subscriber = await http.post(
        notifier + "/admin/subscribers",
        json={"name": "Trace university", "kind": "university", "provider_ids": []},
        headers={"Authorization": f"Bearer {tokens['NOTIFIER_ADMIN_TOKEN']}"},
    )
    subscriber.raise_for_status()
    subscription = await http.post(
        notifier + "/subscriptions",
        json={
            "url": url,
            "event_types": ["credential.issued"],
            "filters": {"achievement_ids": [story.achievement(story.UNIVERSITY, "ROB-610")]},
        },
        headers={"Authorization": f"Bearer {subscriber.json()['api_key']}"},
    )
    subscription.raise_for_status()
    key = await http.post(
        ecosystem.service("issuer").url + f"/admin/providers/{story.UNIVERSITY}/api-keys",
        headers={"Authorization": f"Bearer {tokens['ISSUER_ADMIN_TOKEN']}"},
    )
    key.raise_for_status()
    return str(key.json()["api_key"])


async def _samples(http: httpx.AsyncClient, url: str) -> dict[tuple[str, frozenset[Any]], float]:
    text = (await http.get(f"{url}/metrics")).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _total(samples: dict[tuple[str, frozenset[Any]], float], name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def test_every_service_reports_what_the_story_did_on_its_metrics(
    ecosystem: Ecosystem, played: Outcome
) -> None:
    """Prometheus figures an operator alerts on: issuance, revocations, webhook deliveries,
    handler latency and consumer lag per service."""

    async def measured() -> dict[str, dict[tuple[str, frozenset[Any]], float]]:
        return {
            name: await _samples(http, ecosystem.service(name).url)
            for name in ("catalogue", "issuer", "verifier", "notifier")
        }

    def lag_reported(found: dict[str, dict[tuple[str, frozenset[Any]], float]]) -> bool:
        lag = "microcred_consumer_lag"
        return all(any(name == lag for name, _ in samples) for samples in found.values())

    async with httpx.AsyncClient(timeout=30) as http:
        # Lag is measured every 15 s: give every service the time for one round after its groups
        # committed offsets.
        found = await eventually(measured, lag_reported, timeout=60, interval=2.0)

    issuer, notifier = found["issuer"], found["notifier"]
    completions = sum(len(learner.completions) for learner in story.LEARNERS)
    assert _total(issuer, "issuer_credentials_issued_total", kind="completion") >= completions
    assert _total(issuer, "issuer_credentials_issued_total", kind="stacked") >= 1
    assert _total(issuer, "issuer_status_changes_total", status="revoked") >= 1
    accepted = _total(notifier, "notifier_webhook_attempts_total", outcome="accepted")
    assert accepted >= 1
    assert _total(notifier, "notifier_webhook_latency_seconds_count") >= accepted
    for name, samples in found.items():
        handled = "faststream_received_processed_messages_duration_seconds_count"
        assert _total(samples, handled) > 0, name
        lags = [v for (n, _), v in samples.items() if n == "microcred_consumer_lag"]
        assert lags, f"{name} reports no consumer lag"
        assert all(lag >= 0 for lag in lags), name
