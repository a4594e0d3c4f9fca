"""Helpers for test_input_hardening: schemathesis over real HTTP against a running service,
MongoDB operator payloads, and a snapshot of what every service database stores."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from bson import BSON
from microcred_shared.messaging.connection import KafkaConnection
from microcred_verifier.config import VerifierSettings
from pymongo import MongoClient

from microcred.ecosystem.processes import SERVICE_NAMES

PROBLEM_JSON = "application/problem+json"


# --- the verifier's rate limit ----------------------------------------------------------------

RATE_LIMITED_PREFIXES = ("/verify", "/page")  # the verifier's token bucket (see protection.py)
_LIMIT = VerifierSettings.model_fields
# Seconds an empty bucket takes to fill up again (the ecosystem runs the default settings).
REFILL_SECONDS = _LIMIT["rate_limit_burst"].default / (_LIMIT["rate_limit_per_minute"].default / 60)
_last_limited_call = [0.0]


def limited_call_made() -> None:
    _last_limited_call[0] = time.monotonic()


def until_bucket_full() -> float:
    """How long to wait before the tests after ours find the verifier's bucket full again, as
    they would without us (one of them verifies a credential and expects a 200)."""
    return max(0.0, _last_limited_call[0] + REFILL_SECONDS - time.monotonic())


# --- MongoDB operator payloads --------------------------------------------------------------

# What a JSON body could smuggle into a MongoDB filter or update in place of a string.
OPERATOR_VALUES: list[Any] = [
    {"$gt": ""},
    {"$ne": None},
    {"$where": "function() { return true; }"},
    {"$regex": ".*"},
]
# The same as text: in a path segment or a query value it must stay a literal string.
OPERATOR_STRINGS: list[str] = ['{"$gt":""}', '{"$ne":null}', "$where", '{"$regex":".*"}']


def string_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every string in a JSON value (dict keys and list indexes)."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_leaves(item, (*path, index))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A deep copy of ``value`` with the element at ``path`` replaced by ``new``."""
    copy = json.loads(json.dumps(value))
    if not path:
        return new
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def label(path: tuple[Any, ...]) -> str:
    return ".".join(str(step) for step in path) or "(whole body)"


# --- stored state ---------------------------------------------------------------------------


# Collections whose documents background workers rewrite on their own schedule (locks and relay
# pointers, the time of the last projected event, webhook retries, endings and pointers, and
# e-mail sending): their documents are counted, their contents not compared.
BOOKKEEPING = {
    "locks",
    "outbox_pointers",
    "outbox_swept",
    "projection_state",
    "deliveries",
    "delivery_endings",
    "delivery_store_steps",
    "pending_deliveries",
    "emails",
    "emails_sent",
}


@dataclass(frozen=True)
class Snapshot:
    """Per collection (``service.collection``): how many documents, and a digest of them all
    (not for bookkeeping collections)."""

    counts: dict[str, int]
    digests: dict[str, str]

    def changed_counts(self, after: Snapshot) -> dict[str, tuple[int, int]]:
        names = set(self.counts) | set(after.counts)
        return {
            name: (self.counts.get(name, 0), after.counts.get(name, 0))
            for name in sorted(names)
            if self.counts.get(name, 0) != after.counts.get(name, 0)
        }

    def changed_contents(self, after: Snapshot) -> list[str]:
        names = set(self.digests) | set(after.digests)
        return sorted(n for n in names if self.digests.get(n) != after.digests.get(n))


def snapshot(mongodb_uri: str, database_prefix: str) -> Snapshot:
    counts: dict[str, int] = {}
    digests: dict[str, str] = {}
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri, serverSelectionTimeoutMS=5000)
    try:
        for service in SERVICE_NAMES:
            database = client[f"{database_prefix}microcred_{service}"]
            for name in database.list_collection_names():
                key = f"{service}.{name}"
                if name in BOOKKEEPING or name.startswith("outbox_pointers."):
                    counts[key] = database[name].count_documents({})
                    continue
                digest = hashlib.sha256()
                count = 0
                for document in database[name].find({}).sort("_id", 1):
                    digest.update(BSON.encode(document))
                    count += 1
                counts[key], digests[key] = count, digest.hexdigest()
    finally:
        client.close()
    return Snapshot(counts, digests)


async def lagging_consumer_groups(connection: KafkaConnection, prefix: str) -> list[str]:
    """The ecosystem's consumer groups (names start with its topic prefix) that have not
    committed up to the end of a partition yet. The catalogue's per-replica search groups are
    left out: that projection lives in memory, not in MongoDB, and a restarted catalogue leaves
    its old replica's group behind for good."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(**connection.aiokafka_kwargs())
    consumer = AIOKafkaConsumer(**connection.aiokafka_kwargs())
    await admin.start()
    await consumer.start()
    try:
        listed = {str(g[0]) for g in await admin.list_consumer_groups()}
        groups = sorted(g for g in listed if g.startswith(prefix) and ".search." not in g)
        behind = []
        for group_id in groups:
            committed = await admin.list_consumer_group_offsets(group_id)
            ends = await consumer.end_offsets(list(committed)) if committed else {}
            behind += [
                f"{group_id} {tp.topic}[{tp.partition}]: {ends[tp] - meta.offset}"
                for tp, meta in committed.items()
                if ends.get(tp, meta.offset) > meta.offset
            ]
        return behind
    finally:
        await consumer.stop()
        await admin.close()


async def consumers_caught_up(
    connection: KafkaConnection, prefix: str, *, timeout: float = 120.0
) -> list[str]:
    """Wait until every active consumer group has committed all it was sent (the tests before
    ours leave work in flight); answers what is still behind after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        behind = await lagging_consumer_groups(connection, prefix)
        if not behind or time.monotonic() > deadline:
            return behind
        await asyncio.sleep(1.0)


def settled_snapshot(
    mongodb_uri: str, database_prefix: str, *, quiet: float = 3.0, timeout: float = 120.0
) -> Snapshot:
    """A snapshot once nothing changed for ``quiet`` seconds: Kafka consumers of every service
    may still be working off what earlier tests (and our own set-up) published."""
    deadline = time.monotonic() + timeout
    previous = snapshot(mongodb_uri, database_prefix)
    while True:
        time.sleep(quiet)
        current = snapshot(mongodb_uri, database_prefix)
        if current == previous or time.monotonic() > deadline:
            return current
        previous = current


# --- schemathesis over real HTTP ------------------------------------------------------------


@dataclass
class FuzzFigures:
    service: str
    operations: int = 0
    calls: int = 0
    rate_limited_retries: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    schema_violations: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # invalid input accepted, auth not enforced
    secrets: set[str] = field(default_factory=set)  # API keys and webhook secrets handed out
    without_credentials: int = 0

    def line(self) -> str:
        return (
            f"schemathesis: service={self.service} operations={self.operations} "
            f"calls={self.calls} server_errors={len(self.server_errors)} "
            f"schema_violations={len(self.schema_violations)} "
            f"accepted_invalid_or_unauthenticated={len(self.other)}"
        )


@dataclass(frozen=True)
class FuzzPlan:
    """How to fuzz one service: who calls which operation, which ids to aim at, which to spare."""

    service: str
    base_url: str
    headers_for: Callable[[str, str], dict[str, str]]  # (method, path) → Authorization etc.
    path_pins: Callable[[str, str], dict[str, str]] = lambda method, path: {}
    body_pins: Callable[[str, str], dict[str, Any]] = lambda method, path: {}
    protected: frozenset[str] = frozenset()  # never sent as a path parameter
    positive_examples: int = 20
    negative_examples: int = 6


def secrets_in(body: Any) -> set[str]:
    """API keys and signing secrets an answer hands out (shown once, never to be logged)."""
    found: set[str] = set()
    if isinstance(body, Mapping):
        for key, value in body.items():
            if key in ("api_key", "secret") and isinstance(value, str):
                found.add(value)
            else:
                found |= secrets_in(value)
    elif isinstance(body, list):
        for item in body:
            found |= secrets_in(item)
    return found


def fuzz(plan: FuzzPlan) -> FuzzFigures:
    """Every operation of the service's live ``/openapi.json``, positive and negative cases,
    sent over HTTP; each answer checked for a 5xx and against the documented responses."""
    import schemathesis
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    figures = FuzzFigures(plan.service)
    schema = schemathesis.openapi.from_url(f"{plan.base_url}/openapi.json", timeout=30)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deleting comes last, so a pinned id deleted early does not turn later operations on it
    # into 404s.
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    with requests.Session() as session:
        for operation in operations:
            method, path = operation.method.upper(), operation.path
            figures.operations += 1
            pins = plan.path_pins(method, path)
            body_pins = plan.body_pins(method, path)
            for mode, examples in (
                (GenerationMode.POSITIVE, plan.positive_examples),
                (GenerationMode.NEGATIVE, plan.negative_examples),
            ):
                strategy = operation.as_strategy(generation_mode=mode)
                if pins:  # half aimed at ids that exist, half at generated ones
                    strategy = st.one_of(
                        strategy, operation.as_strategy(generation_mode=mode, path_parameters=pins)
                    )
                if body_pins and mode is GenerationMode.POSITIVE:
                    strategy = st.one_of(strategy, strategy.map(_pinned(body_pins)))
                if plan.protected:
                    strategy = strategy.filter(_sparing(plan.protected))
                _exercise(plan, session, strategy, examples, figures)
    return figures


def _sparing(protected: frozenset[str]) -> Callable[[Any], bool]:
    def spares(case: Any) -> bool:
        return not protected & {str(v) for v in (case.path_parameters or {}).values()}

    return spares


def _pinned(fields: dict[str, Any]) -> Callable[[Any], Any]:
    def pin(case: Any) -> Any:
        if isinstance(case.body, dict):
            case.body = {**case.body, **fields}
        return case

    return pin


def _exercise(
    plan: FuzzPlan, session: requests.Session, strategy: Any, examples: int, figures: FuzzFigures
) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        ignored_auth,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    # Left out: positive_data_acceptance (a schema-valid case may rightly be refused: an id that
    # does not exist is a 404, another provider's course a 403, a second revocation a 409);
    # use_after_free and ensure_resource_availability (they follow links between operations in
    # stateful runs; this run is stateless); missing_required_header and unsupported_method
    # (they judge the coverage phase's probes, which this run does not generate).
    conformance = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    behaviour = [
        negative_data_rejection,  # an invalid case must be refused with a 4xx
        ignored_auth,  # a secured operation that succeeded must refuse no or wrong credentials
    ]

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same cases on every run
        database=None,
        phases=[Phase.explicit, Phase.generate],  # failures are collected, not shrunk
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        method, path = case.operation.method.upper(), case.operation.path
        headers = plan.headers_for(method, path)
        response = _send(case, plan, session, headers, figures)
        figures.calls += 1
        figures.statuses[response.status_code] += 1
        if headers and "authorization" not in {k.lower() for k in response.request.headers}:
            figures.without_credentials += 1  # a negative case: the security scheme left out
        with contextlib.suppress(ValueError):  # not JSON: hands out nothing
            figures.secrets |= secrets_in(response.json())
        for checks, found in ((conformance, figures.schema_violations), (behaviour, figures.other)):
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    what = f"{method} {path} → {response.status_code}: {failure.title}: "
                    what += str(failure.message)[:300]
                    if response.status_code >= 500 or type(failure).__name__ == "ServerError":
                        sent = case.as_curl_command(headers={})
                        what += f" body={response.text_lossy()[:300]}; sent: {sent[:1500]}"
                        figures.server_errors.append(what)
                    else:
                        found.append(what)

    with contextlib.suppress(Unsatisfiable):  # no negative case of what takes no input
        run()


def header(response: Any, name: str) -> str | None:
    """A header of a schemathesis response (its headers map names to lists of values)."""
    for key, values in response.headers.items():
        if key.lower() == name.lower() and values:
            return str(values[0])
    return None


def _send(
    case: Any,
    plan: FuzzPlan,
    session: requests.Session,
    headers: dict[str, str],
    figures: FuzzFigures,
) -> Any:
    """One call; a 429 from the verifier's rate limit is waited out and retried, so every case
    reaches the handler (the limit itself is covered by the verifier's unit tests)."""
    for _ in range(5):
        response = case.call(base_url=plan.base_url, session=session, headers=headers, timeout=30)
        if not case.operation.path.startswith(RATE_LIMITED_PREFIXES):
            return response
        limited_call_made()
        if response.status_code != 429:
            return response
        figures.rate_limited_retries += 1
        time.sleep(float(header(response, "retry-after") or "1") + 0.1)
    return response
