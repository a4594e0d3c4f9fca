"""Issue 8: hostile input against the four real service processes.

1. MongoDB operator injection: every string a request carries to MongoDB (JSON body fields,
   query values, path segments, API keys) replaced in turn by ``{"$gt": ""}``, ``{"$ne": null}``,
   ``{"$where": …}`` or ``{"$regex": ".*"}``, as JSON or as text, and query names in the
   ``provider[$ne]=…`` form some frameworks turn into operators. Each is refused with a problem
   response (RFC 9457) or treated as a literal that matches nothing (the same answer as for a
   plain string that matches nothing), never a 5xx; and no collection of any service database
   gains or loses a document, nor has one changed (see ``MAY_CHANGE`` and ``BOOKKEEPING``).
2. schemathesis against each service's live ``/openapi.json`` over HTTP, positive and negative
   cases, with the admin token or a provider's (subscriber's) key so calls get past
   authentication: no 5xx, and every answer's status code, content type and body are the ones
   documented (schemathesis' ``not_a_server_error``, ``status_code_conformance``,
   ``content_type_conformance`` and ``response_schema_conformance``), invalid input refused
   (``negative_data_rejection``) and credentials enforced (``ignored_auth``).

Both work on providers, a subscriber and credentials of their own (the sandbox below): the
``seeded`` ecosystem is shared with the other reliability tests, so the demo providers are never
suspended, changed or given new keys here.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from pymongo import MongoClient

from microcred.ecosystem import story
from microcred.ecosystem.demo import eventually
from tests.reliability.conftest import Seeded
from tests.reliability.hardening_tools import (
    OPERATOR_STRINGS,
    OPERATOR_VALUES,
    PROBLEM_JSON,
    FuzzPlan,
    Snapshot,
    consumers_caught_up,
    fuzz,
    label,
    limited_call_made,
    replaced,
    secrets_in,
    settled_snapshot,
    string_leaves,
    until_bucket_full,
)

pytestmark = [pytest.mark.reliability, pytest.mark.e2e, pytest.mark.timeout(900)]

NO_MATCH = "zz-no-such-thing"  # a plain literal that matches nothing: the control
DEMO_PROVIDERS = {p["provider_id"] for p in story.PROVIDERS}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def segment(text: str) -> str:
    """``text`` as one path segment, percent-encoded as a client would send it."""
    return quote(text, safe="")


# --- the sandbox: providers, keys, a subscriber and credentials of this module's own ---------


@dataclass
class Sandbox:
    run: str
    target: str  # a provider the fuzzer may suspend, change, re-key
    publisher: str  # a provider whose catalogue and issuer keys the tests use
    catalogue_key: str
    issuer_key: str
    subscriber_key: str
    subscription_id: str
    achievement_id: str
    pathway_id: str
    fuzz_credential: str  # revoked, suspended, reinstated by the fuzzer
    verify_credential: dict[str, Any]  # an untouched signed credential, for POST /verify
    learner_ref: str
    status_list_id: str


def course(provider_id: str, code: str) -> dict[str, Any]:
    return {
        "action": "offered",
        "provider_id": provider_id,
        "course_code": code,
        "version": 1,
        "course": {
            "name": f"Hardening {code}",
            "description": "A course that exists only for the input-hardening tests.",
            "criteria": "Pass the final assessment.",
            "learning_outcomes": ["Refuse hostile input"],
            "ects": 2,
            "eqf_level": 5,
            "isced_f": "0714",
            "languages": ["en"],
            "participation_forms": ["online"],
            "assessment_type": "Practical project",
            "quality_assurance": "Internal QA",
            "skills": [{"name": "input validation", "url": "http://data.europa.eu/esco/skill/x"}],
            "tags": ["hardening"],
        },
    }


def provider_body(provider_id: str) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "name": f"Hardening {provider_id}",
        "provider_type": "university",
        "country": "AT",
        "region": "Upper Austria",
        "website": "https://hardening.example",
        "accreditation": {"status": "accredited", "body": "AQ", "reference": "ref-1"},
        "trust": "trusted",
        "issuer_dids": [f"did:web:{provider_id}.example"],
    }


def completion(completion_id: str, achievement_id: str) -> dict[str, Any]:
    return {
        "completion_id": completion_id,
        "achievement_id": achievement_id,
        "learner": {"email": f"{completion_id.replace('/', '-')}@learners.example", "name": "Ada"},
        "completed_on": "2026-07-01",
        "results": [{"name": "Final grade", "value": "A"}],
        "evidence": [{"url": "https://evidence.example/1", "narrative": "n", "name": "e"}],
    }


@pytest.fixture(scope="module")
async def sandbox(seeded: Seeded) -> Sandbox:
    run = secrets.token_hex(3)
    target, publisher = f"hardening-target-{run}", f"hardening-pub-{run}"
    achievement_id = story.achievement(publisher, "HARD-1")
    async with httpx.AsyncClient(timeout=30) as http:
        catalogue_keys = {p: await register(http, seeded, p) for p in (target, publisher)}
        for code in ("HARD-1", "HARD-2"):
            published = await http.post(
                seeded.url("catalogue", f"/providers/{publisher}/courses"),
                json=course(publisher, code),
                headers=bearer(catalogue_keys[publisher]),
            )
            assert published.status_code == 200, published.text
        pathway_id = f"hardening-{run}"
        pathway = await seeded.put_pathway(http, pathway_id, pathway_body(publisher))
        assert pathway.status_code == 201, pathway.text
        subscriber_key, subscription_id = await paused_subscription(http, seeded, publisher)

        async def issuer_key(provider_id: str) -> str | None:
            response = await http.post(
                seeded.url("issuer", f"/admin/providers/{provider_id}/api-keys"),
                headers=seeded.admin("issuer"),
            )
            return str(response.json()["api_key"]) if response.status_code == 201 else None

        issuer_keys = {p: await eventually(lambda p=p: issuer_key(p), p) for p in catalogue_keys}

        async def issue(completion_id: str) -> str | None:
            response = await http.post(
                seeded.url("issuer", "/completions"),
                json=completion(completion_id, achievement_id),
                headers=bearer(issuer_keys[publisher]),
            )
            return str(response.json()["credential_id"]) if response.status_code < 300 else None

        fuzz_credential = await eventually(lambda: issue(f"hardening/{run}/fuzz"), "issuable")
        verify_id = await eventually(lambda: issue(f"hardening/{run}/verify"), "issuable")
        document = (await http.get(seeded.url("issuer", f"/credentials/{verify_id}"))).json()

        async def counted() -> bool:
            response = await http.get(
                seeded.url("catalogue", "/stats/issuance"),
                params={"provider": publisher},
                headers=seeded.admin("catalogue"),
            )
            return response.status_code == 200 and response.json()["issued"] >= 2

        async def verified() -> bool:
            response = await http.post(
                seeded.url("verifier", "/verify"), json={"credential": document}
            )
            return response.status_code == 200 and response.json()["verdict"] == "verified"

        # Before anything is compared: the other services have taken in what we made.
        await eventually(counted, "the catalogue to count our credentials")
        await eventually(verified, "the verifier to know our provider and its keys")
    seeded.secrets_handed_out |= {*catalogue_keys.values(), *issuer_keys.values()}

    client: MongoClient[dict[str, Any]] = MongoClient(seeded.ecosystem.mongodb_uri)
    try:
        stored = client[seeded.issuer_database]["credentials"].find_one({"_id": verify_id})
    finally:
        client.close()
    assert stored is not None
    status = document["credentialStatus"]
    status_url = (status[0] if isinstance(status, list) else status)["statusListCredential"]
    return Sandbox(
        run=run,
        target=target,
        publisher=publisher,
        catalogue_key=catalogue_keys[publisher],
        issuer_key=issuer_keys[publisher],
        subscriber_key=subscriber_key,
        subscription_id=subscription_id,
        achievement_id=achievement_id,
        pathway_id=pathway_id,
        fuzz_credential=fuzz_credential,
        verify_credential=document,
        learner_ref=str(stored["learner_ref"]),
        status_list_id=status_url.rstrip("/").rsplit("/", 1)[-1],
    )


async def register(http: httpx.AsyncClient, seeded: Seeded, provider_id: str) -> str:
    created = await http.post(
        seeded.url("catalogue", "/admin/providers"),
        json=provider_body(provider_id),
        headers=seeded.admin("catalogue"),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["api_key"])


def pathway_body(publisher: str) -> dict[str, Any]:
    return {
        "name": "Hardening pathway",
        "owner_provider_id": publisher,
        "target_achievement_id": story.achievement(publisher, "HARD-2"),
        "rule": {"kind": "achievement", "achievement_id": story.achievement(publisher, "HARD-1")},
        "accepted_provider_ids": [publisher],
    }


async def paused_subscription(
    http: httpx.AsyncClient, seeded: Seeded, provider_id: str
) -> tuple[str, str]:
    """A subscriber for ``provider_id`` and its webhook subscription, paused at once: its
    webhooks are held, not retried against a closed port while the databases are compared."""
    subscriber = await http.post(
        seeded.url("notifier", "/admin/subscribers"),
        json={"name": "Hardening", "kind": "university", "provider_ids": [provider_id]},
        headers=seeded.admin("notifier"),
    )
    assert subscriber.status_code == 201, subscriber.text
    key = str(subscriber.json()["api_key"])
    subscription = await http.post(
        seeded.url("notifier", "/subscriptions"),
        json={
            "url": "http://127.0.0.1:9/hooks",
            "event_types": ["credential.issued"],
            "filters": {"provider_ids": [provider_id]},
        },
        headers=bearer(key),
    )
    assert subscription.status_code == 201, subscription.text
    seeded.secrets_handed_out |= secrets_in(subscriber.json()) | secrets_in(subscription.json())
    subscription_id = str(subscription.json()["subscription_id"])
    paused = await http.post(
        seeded.url("notifier", f"/subscriptions/{subscription_id}/pause"), headers=bearer(key)
    )
    assert paused.status_code == 200, paused.text
    return key, subscription_id


# --- part 1: operator injection ------------------------------------------------------------


def same_json(response: httpx.Response, literal: str | None) -> Any:
    """The answer with the literal we sent (echoed back, e.g. as an id) blanked out."""

    def blank(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(literal, "<literal>") if literal else value
        if isinstance(value, dict):
            return {k: blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return value

    try:
        return blank(response.json())
    except ValueError:
        return response.text


def what_the_verifier_looked_up(response: httpx.Response, literal: str | None) -> Any:
    """What a verification learnt from the projections in MongoDB: the issuer as a registered
    provider, the achievement's catalogue facts, pathways, and the issuer key check."""
    body = response.json()
    summary = body.get("summary", {})
    checks = {c["name"]: c["status"] for c in body.get("checks", [])}
    return {
        "registered": summary.get("issuer", {}).get("registered"),
        "country": summary.get("issuer", {}).get("country"),
        "assessment": summary.get("assessment"),
        "participation": summary.get("participation"),
        "stacks_into": summary.get("stacks_into"),
        "issuer_key": checks.get("issuer_key"),
        "issuer_trust": checks.get("issuer_trust"),
        "entitlement": checks.get("entitlement"),
        "status": checks.get("status"),
    }


@dataclass
class Request:
    service: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    params: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None
    literal: str | None = None  # the text sent, if the operator travels as text


@dataclass
class Attempt:
    what: str
    request: Request
    # The same request with a plain literal that matches nothing (or without the odd query
    # name): a 2xx answer must equal the control's. None: the attempt must be refused.
    control: Request | None = None
    digest: Callable[[httpx.Response, str | None], Any] = same_json


@dataclass
class Tally:
    attempts: int = 0
    refused: int = 0
    literal: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


async def send(http: httpx.AsyncClient, seeded: Seeded, request: Request) -> httpx.Response:
    """One request; the verifier's 429s waited out, so every attempt reaches its handler."""
    for _ in range(10):
        if request.service == "verifier":
            limited_call_made()
        response = await http.request(
            request.method,
            seeded.url(request.service, request.path),
            headers=request.headers,
            params=request.params,
            **({"json": request.body} if request.body is not None else {}),
        )
        if response.status_code != 429:
            return response
        await asyncio.sleep(float(response.headers.get("retry-after", "1")) + 0.1)
    return response


async def attempt(
    http: httpx.AsyncClient,
    seeded: Seeded,
    item: Attempt,
    tally: Tally,
    controls: dict[str, tuple[int, Any]],
) -> None:
    tally.attempts += 1
    request = item.request
    response = await send(http, seeded, request)
    tally.statuses[response.status_code] += 1
    where = f"{request.method} {request.service}{request.path} {item.what}"
    if response.status_code >= 500:
        tally.server_errors.append(f"{where}: {response.status_code} {response.text[:300]}")
        return
    if response.status_code >= 400:
        if response.headers.get("content-type", "").startswith(PROBLEM_JSON):
            tally.refused += 1
        else:
            tally.wrong.append(f"{where}: {response.status_code} without problem details")
        return
    if item.control is None:
        tally.wrong.append(f"{where}: accepted ({response.status_code}) {response.text[:200]}")
        return
    key = repr(item.control)
    if key not in controls:
        answer = await send(http, seeded, item.control)
        controls[key] = (answer.status_code, item.digest(answer, item.control.literal))
    expected = controls[key]
    got = (response.status_code, item.digest(response, request.literal))
    if got == expected:
        tally.literal += 1
    else:
        tally.wrong.append(f"{where}: answered {got!r:.400}, a plain literal got {expected!r:.400}")


def body_attempts(
    service: str, method: str, path: str, headers: dict[str, str], body: dict[str, Any]
) -> list[Attempt]:
    """Each string of a valid body replaced in turn by each operator object, and an operator
    as an extra top-level key: all must be refused (the body would be stored or acted on)."""
    attempts = [
        Attempt(
            f"{label(leaf)}={json.dumps(value)}",
            Request(service, method, path, headers, body=replaced(body, leaf, value)),
        )
        for leaf in string_leaves(body)
        for value in OPERATOR_VALUES
    ]
    attempts.append(
        Attempt(
            "extra $where key",
            Request(service, method, path, headers, body={**body, "$where": "1 == 1"}),
        )
    )
    return attempts


def text_attempts(
    service: str,
    method: str,
    path_template: str,
    headers: dict[str, str] | None = None,
    *,
    query: str | None = None,
    fixed: list[tuple[str, str]] | None = None,
    body: Any = None,
    digest: Callable[[httpx.Response, str | None], Any] = same_json,
) -> list[Attempt]:
    """Each operator as text in a path segment (``{}`` in the template) or in query value
    ``query``; the control sends ``NO_MATCH`` there instead."""
    headers = headers or {}
    fixed = fixed or []

    def build(text: str) -> Request:
        if query:
            return Request(
                service,
                method,
                path_template,
                headers,
                [*fixed, (query, text)],
                body,
                text,
            )
        return Request(
            service, method, path_template.format(segment(text)), headers, fixed, body, text
        )

    where = f"?{query}=" if query else "path "
    return [
        Attempt(f"{where}{text}", build(text), build(NO_MATCH), digest) for text in OPERATOR_STRINGS
    ]


def query_name_attempts(
    service: str,
    path: str,
    names: list[tuple[str, str]],
    headers: dict[str, str] | None = None,
    fixed: list[tuple[str, str]] | None = None,
) -> list[Attempt]:
    """``?provider[$ne]=x`` and the like: a framework that builds objects from such names would
    hand MongoDB an operator; here the name is unknown, so the answer is the one without it."""
    headers, fixed = headers or {}, fixed or []
    control = Request(service, "GET", path, headers, fixed)
    return [
        Attempt(
            f"?{name}={value}",
            Request(service, "GET", path, headers, [*fixed, (name, value)]),
            control,
        )
        for name, value in names
    ]


def cursor_of(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def injection_attempts(seeded: Seeded, box: Sandbox) -> list[Attempt]:
    cat_admin, iss_admin, not_admin = (
        seeded.admin("catalogue"),
        seeded.admin("issuer"),
        seeded.admin("notifier"),
    )
    cat_key, iss_key, sub_key = (
        bearer(box.catalogue_key),
        bearer(box.issuer_key),
        bearer(box.subscriber_key),
    )
    attempts: list[Attempt] = []
    add = attempts.extend

    # catalogue: search (query values, odd query names, cursors), reads by id, admin by id
    for name in ("q", "provider", "provider_type", "country", "language", "participation"):
        add(text_attempts("catalogue", "GET", "/achievements", query=name))
    add(text_attempts("catalogue", "GET", "/achievements", query="isced_f"))
    add(
        query_name_attempts(
            "catalogue",
            "/achievements",
            [
                ("provider[$ne]", story.UNIVERSITY),
                ("provider[$in][]", story.UNIVERSITY),
                ("provider[$regex]", ".*"),
                ("q[$gt]", ""),
                ("eqf[$gt]", "0"),
                ("isced_f[$regex]", ".*"),
                ("$where", "1 == 1"),
            ],
            fixed=[("limit", "100")],
        )
    )
    for value in ([{"$gt": ""}, "x"], [1, {"$ne": None}], [{"$where": "1"}, {"$gt": ""}]):
        attempts.append(
            Attempt(
                f"cursor={json.dumps(value)}",
                Request("catalogue", "GET", "/achievements", params=[("cursor", cursor_of(value))]),
            )
        )
    add(text_attempts("catalogue", "GET", "/achievements/{}"))
    add(text_attempts("catalogue", "GET", "/providers/{}"))
    add(text_attempts("catalogue", "GET", "/pathways/{}"))
    add(text_attempts("catalogue", "GET", "/pathways/graph", query="achievement"))
    add(text_attempts("catalogue", "GET", "/stats/demand", query="provider"))
    add(query_name_attempts("catalogue", "/stats/demand", [("provider[$ne]", "x")]))
    add(text_attempts("catalogue", "GET", "/stats/issuance", cat_admin, query="provider"))
    for action in ("suspend", "reinstate", "api-key"):
        add(text_attempts("catalogue", "POST", f"/admin/providers/{{}}/{action}", cat_admin))
    add(
        text_attempts(
            "catalogue", "PATCH", "/admin/providers/{}", cat_admin, body={"name": "renamed"}
        )
    )
    add(
        text_attempts(
            "catalogue", "POST", "/providers/{}/courses", cat_key, body=course(box.publisher, "X")
        )
    )
    # catalogue: bodies
    add(
        body_attempts(
            "catalogue",
            "POST",
            "/admin/providers",
            cat_admin,
            provider_body(f"hardening-new-{box.run}"),
        )
    )
    add(
        body_attempts(
            "catalogue",
            "POST",
            f"/providers/{box.publisher}/courses",
            cat_key,
            course(box.publisher, "HARD-3"),
        )
    )
    add(
        body_attempts(
            "catalogue",
            "PATCH",
            f"/admin/providers/{box.target}",
            cat_admin,
            {"name": "Renamed", "country": "DE", "issuer_dids": ["did:web:x.example"]},
        )
    )
    add(
        body_attempts(
            "catalogue",
            "PUT",
            f"/pathways/{box.pathway_id}",
            cat_admin,
            pathway_body(box.publisher),
        )
    )
    add(
        body_attempts(
            "catalogue", "POST", "/pathways/progress", {}, {"achievement_ids": [box.achievement_id]}
        )
    )

    # issuer: completions, reads by id, status changes, keys
    add(
        body_attempts(
            "issuer",
            "POST",
            "/completions",
            iss_key,
            completion(f"hardening/{box.run}/never", box.achievement_id),
        )
    )
    for text in OPERATOR_STRINGS:
        for headers in (bearer(text), {"X-Api-Key": text}):
            attempts.append(
                Attempt(
                    f"API key {headers}",
                    Request(
                        "issuer",
                        "POST",
                        "/completions",
                        headers,
                        body=completion(f"hardening/{box.run}/never", box.achievement_id),
                    ),
                )
            )
    for template in (
        "/credentials/{}",
        "/credentials/{}/status",
        "/status-lists/{}",
        "/issuers/{}/did.json",
        "/achievements/{}",
    ):
        add(text_attempts("issuer", "GET", template))
    for action in ("revoke", "suspend", "reinstate"):
        add(text_attempts("issuer", "POST", f"/credentials/{{}}/{action}", iss_key))
    add(
        body_attempts(
            "issuer",
            "POST",
            f"/credentials/{box.fuzz_credential}/revoke",
            iss_key,
            {"reason": "hardening"},
        )
    )
    add(text_attempts("issuer", "POST", "/admin/providers/{}/api-keys", iss_admin))
    add(text_attempts("issuer", "POST", "/admin/providers/{}/keys/rotate", iss_admin))
    add(
        body_attempts(
            "issuer",
            "POST",
            f"/admin/providers/{box.target}/keys/rotate",
            iss_admin,
            {"secret_key_multibase": "z3u2en7t5LR2WtQH5PfsRPXyuBdqZdE3Qj1VxDkK2jaSrSqo"},
        )
    )

    # notifier: accounts, subscriptions, deliveries
    add(
        body_attempts(
            "notifier",
            "POST",
            "/admin/subscribers",
            not_admin,
            {"name": "Hardening", "kind": "partner", "provider_ids": [box.publisher]},
        )
    )
    add(
        body_attempts(
            "notifier",
            "POST",
            "/subscriptions",
            sub_key,
            {
                "url": "http://127.0.0.1:9/never",
                "event_types": ["credential.issued"],
                "filters": {
                    "provider_ids": [box.publisher],
                    "achievement_ids": [box.achievement_id],
                    "isced_f_codes": ["0714"],
                    "learner_refs": [box.learner_ref],
                },
                "description": "hardening",
            },
        )
    )
    for text in OPERATOR_STRINGS:
        attempts.append(
            Attempt(f"API key {text}", Request("notifier", "GET", "/subscriptions", bearer(text)))
        )
    for method, template in (
        ("GET", "/subscriptions/{}"),
        ("GET", "/subscriptions/{}/deliveries"),
        ("POST", "/subscriptions/{}/pause"),
        ("POST", "/subscriptions/{}/resume"),
        ("POST", "/subscriptions/{}/secret/rotate"),
        ("DELETE", "/subscriptions/{}"),
        ("POST", f"/subscriptions/{box.subscription_id}/deliveries/{{}}/redeliver"),
    ):
        add(text_attempts("notifier", method, template, sub_key))
    deliveries = f"/subscriptions/{box.subscription_id}/deliveries"
    add(text_attempts("notifier", "GET", deliveries, sub_key, query="status"))
    add(
        query_name_attempts(
            "notifier", deliveries, [("status[$ne]", "x"), ("status[$in][]", "failed")], sub_key
        )
    )

    # verifier: operators where the credential names what the verifier looks up
    document = box.verify_credential
    lookups = [
        path
        for path in string_leaves(document)
        if path[:1] in (("id",), ("issuer",), ("proof",), ("credentialStatus",))
        or path[:3] == ("credentialSubject", "achievement", "id")
    ]
    for path in lookups:
        control = Request(
            "verifier",
            "POST",
            "/verify",
            body={"credential": replaced(document, path, f"urn:{NO_MATCH}")},
        )
        for value in OPERATOR_VALUES:
            attempts.append(
                Attempt(
                    f"credential.{label(path)}={json.dumps(value)}",
                    Request(
                        "verifier",
                        "POST",
                        "/verify",
                        body={"credential": replaced(document, path, value)},
                    ),
                    control,
                    what_the_verifier_looked_up,
                )
            )
    for value in OPERATOR_VALUES:
        attempts.append(
            Attempt(
                f"credential={json.dumps(value)}",
                Request("verifier", "POST", "/verify", body={"credential": value}),
                Request("verifier", "POST", "/verify", body={"credential": {NO_MATCH: ""}}),
                what_the_verifier_looked_up,
            )
        )
        for name in ("url", "recipient_email"):
            attempts.append(
                Attempt(
                    f"{name}={json.dumps(value)}",
                    Request(
                        "verifier", "POST", "/verify", body={"credential": document, name: value}
                    ),
                )
            )
    add(
        text_attempts("verifier", "GET", "/verify", query="url", digest=what_the_verifier_looked_up)
    )
    attempts.append(
        Attempt("?url[$ne]=x", Request("verifier", "GET", "/verify", params=[("url[$ne]", "x")]))
    )
    return attempts


# Collections that may change while the attempts run although every attempt is refused or
# matches nothing: a verification (also of a tampered credential) is an employer's request,
# published on verifier.verifications and counted by the catalogue for its demand statistics
# (one document per verification, and the consumer's processed-event record).
MAY_CHANGE = {"catalogue.verifications", "catalogue.inbox"}


async def test_operator_injection_is_refused_or_literal(seeded: Seeded, sandbox: Sandbox) -> None:
    uri, prefix = seeded.ecosystem.mongodb_uri, seeded.ecosystem.database_prefix
    kafka, topics = seeded.ecosystem.kafka, seeded.ecosystem.topic_prefix
    attempts = injection_attempts(seeded, sandbox)
    # What the tests before this one (and the sandbox) published is taken in first: consumers
    # caught up, then nothing stored changes for a few seconds.
    in_flight = await consumers_caught_up(kafka, topics)
    before: Snapshot = await asyncio.to_thread(settled_snapshot, uri, prefix)
    tally = Tally()
    controls: dict[str, tuple[int, Any]] = {}
    async with httpx.AsyncClient(timeout=60) as http:
        for item in attempts:
            await attempt(http, seeded, item, tally, controls)
        # ?provider[$ne]=hollin-tu is only a test if, read as an operator, it would have
        # changed the answer: the unfiltered answer holds that provider's and others' courses.
        listed = await http.get(seeded.url("catalogue", "/achievements"), params={"limit": 100})
    in_flight += await consumers_caught_up(kafka, topics)
    after: Snapshot = await asyncio.to_thread(settled_snapshot, uri, prefix)
    await asyncio.sleep(until_bucket_full())

    changed_counts = {n: c for n, c in before.changed_counts(after).items() if n not in MAY_CHANGE}
    changed_contents = [n for n in before.changed_contents(after) if n not in MAY_CHANGE]
    changed = sorted(set(changed_counts) | set(changed_contents))
    print(
        f"\noperator injection: attempts={tally.attempts} refused={tally.refused} "
        f"literal={tally.literal} server_errors={len(tally.server_errors)} "
        f"changed_collections={len(changed)} (statuses {dict(sorted(tally.statuses.items()))}; "
        f"{len(before.counts)} collections compared, demand records "
        f"{before.counts.get('catalogue.verifications')} → "
        f"{after.counts.get('catalogue.verifications')})"
    )
    assert tally.server_errors == []
    assert tally.wrong == []
    assert changed == [], f"counts {changed_counts}; contents {changed_contents}; {in_flight=}"
    assert tally.refused + tally.literal == tally.attempts
    assert {a["provider_id"] for a in listed.json()["items"]} > {story.UNIVERSITY}


# --- part 2: schemathesis ------------------------------------------------------------------


def plans(seeded: Seeded, box: Sandbox) -> list[FuzzPlan]:
    """Nothing is excluded (``/metrics`` and the HTML pages are not in the OpenAPI documents).
    Instead of leaving out what changes state, each plan aims it at the sandbox: path ids are
    half generated, half pinned to the sandbox's provider, pathway, credential or subscription,
    and no case may name a demo provider. Positive cases carry the admin token, or the
    sandbox's provider or subscriber key where an operation wants one; negative cases may also
    leave the credentials out (schemathesis tests the security scheme)."""
    cat_admin, iss_admin, not_admin = (
        seeded.admin("catalogue"),
        seeded.admin("issuer"),
        seeded.admin("notifier"),
    )
    courses = "/providers/{provider_id}/courses"

    def catalogue_headers(method: str, path: str) -> dict[str, str]:
        # The partner gateway wants the provider's own key (the admin gets a 403 there).
        return bearer(box.catalogue_key) if path == courses else cat_admin

    def catalogue_paths(method: str, path: str) -> dict[str, str]:
        if path == courses:
            return {"provider_id": box.publisher}
        if "{provider_id}" in path:
            return {"provider_id": box.target}  # suspended, changed, re-keyed: our own
        if "{achievement_id}" in path:
            return {"achievement_id": box.achievement_id}
        if "{pathway_id}" in path:
            return {"pathway_id": box.pathway_id}
        return {}

    def catalogue_bodies(method: str, path: str) -> dict[str, Any]:
        if path == courses:
            return {"provider_id": box.publisher}
        if path == "/pathways/progress":
            return {"achievement_ids": [box.achievement_id]}
        return {}

    def issuer_headers(method: str, path: str) -> dict[str, str]:
        if path.startswith("/admin/"):
            return iss_admin
        # Both, so a generated X-Api-Key header does not shadow the right key.
        return {**bearer(box.issuer_key), "X-Api-Key": box.issuer_key}

    def issuer_paths(method: str, path: str) -> dict[str, str]:
        pins = {
            "credential_id": box.fuzz_credential,  # revoked, suspended, reinstated
            "provider_id": box.target,  # new API keys, rotated signing keys
            "achievement_id": box.achievement_id,
            "learner_ref": box.learner_ref,
            "list_id": box.status_list_id,
        }
        return {k: v for k, v in pins.items() if f"{{{k}}}" in path}

    def issuer_bodies(method: str, path: str) -> dict[str, Any]:
        # Half the generated completions name our course, so some are issued and signed.
        return {"achievement_id": box.achievement_id} if path == "/completions" else {}

    def notifier_headers(method: str, path: str) -> dict[str, str]:
        return not_admin if path.startswith("/admin/") else bearer(box.subscriber_key)

    def notifier_paths(method: str, path: str) -> dict[str, str]:
        return {"subscription_id": box.subscription_id} if "{subscription_id}" in path else {}

    protected = frozenset(DEMO_PROVIDERS)
    return [
        # First: its rate-limit bucket refills while the others are fuzzed.
        FuzzPlan("verifier", seeded.url("verifier"), lambda method, path: {}),
        FuzzPlan(
            "catalogue",
            seeded.url("catalogue"),
            catalogue_headers,
            catalogue_paths,
            catalogue_bodies,
            protected,
        ),
        FuzzPlan(
            "issuer", seeded.url("issuer"), issuer_headers, issuer_paths, issuer_bodies, protected
        ),
        FuzzPlan(
            "notifier",
            seeded.url("notifier"),
            notifier_headers,
            notifier_paths,
            protected=protected,
        ),
    ]


async def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(
    seeded: Seeded, sandbox: Sandbox
) -> None:
    results = []
    for plan in plans(seeded, sandbox):
        figures = await asyncio.to_thread(fuzz, plan)
        seeded.secrets_handed_out |= figures.secrets
        results.append(figures)
        print(
            f"\n{figures.line()} (statuses {dict(sorted(figures.statuses.items()))}; "
            f"negative cases without credentials {figures.without_credentials}; "
            f"waits for the rate limit {figures.rate_limited_retries})"
        )
    await remove_fuzzed_subscriptions(seeded, sandbox)
    await asyncio.sleep(until_bucket_full())
    problems = {
        f.service: sorted({*f.server_errors, *f.schema_violations, *f.other})[:20]
        for f in results
        if f.server_errors or f.schema_violations or f.other
    }
    assert problems == {}


async def remove_fuzzed_subscriptions(seeded: Seeded, box: Sandbox) -> None:
    """Subscriptions the fuzzer registered point at made-up URLs: delete them, so the notifier
    does not keep retrying webhooks to them for the rest of the session."""
    async with httpx.AsyncClient(timeout=30) as http:
        listed = await http.get(
            seeded.url("notifier", "/subscriptions"), headers=bearer(box.subscriber_key)
        )
        for subscription in listed.json() if listed.status_code == 200 else []:
            await http.delete(
                seeded.url("notifier", f"/subscriptions/{subscription['subscription_id']}"),
                headers=bearer(box.subscriber_key),
            )
