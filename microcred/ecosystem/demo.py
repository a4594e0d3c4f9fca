"""``make demo``: play the story against a running ecosystem, printing and checking each step.

Everything goes through the public interfaces a real participant uses: the catalogue's admin
API (which hands each provider its own Kafka principal), partner course events on each
partner's own Kafka topic as that partner, the issuer's completion API, a university's webhook
subscription and read-only Kafka principal, the employer's ``POST /verify``. Re-running it is
safe: every id is the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from microcred_shared.events import CONTENT_TYPE, ProviderTopic, Topic, TopicNames
from microcred_shared.events.contracts.partner import CourseEventV1
from microcred_shared.events.registry import COURSE_OFFERED
from microcred_shared.messaging.connection import KafkaConnection
from rich.console import Console
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import story
from .chapters import languages, presentations
from .chapters.wallet_app import wallet_app_fetches_credentials
from .local_server import local_server
from .mailbox import wallet_links_to
from .processes import Ecosystem
from .secrets import dev_secrets

console = Console()


class StepFailed(RuntimeError):
    pass


@dataclass
class Outcome:
    passed: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass
class Demo:
    ecosystem: Ecosystem
    http: httpx.AsyncClient
    outcome: Outcome = field(default_factory=Outcome)
    catalogue_keys: dict[str, str] = field(default_factory=dict)
    issuer_keys: dict[str, str] = field(default_factory=dict)
    credentials: dict[tuple[str, str, str], str] = field(default_factory=dict)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    subscription: tuple[str, str] | None = None  # (id, subscriber key), removed at the end
    # Each provider's own Kafka principal, and the university's read-only one.
    provider_kafka: dict[str, KafkaConnection] = field(default_factory=dict)
    university_kafka: KafkaConnection | None = None

    def kafka_as(self, issued: dict[str, Any] | None) -> KafkaConnection:
        """The connection of a credential the catalogue issued; the ecosystem's own where the
        broker has no authentication (no principals are issued there)."""
        if not issued:
            return self.ecosystem.kafka
        return self.ecosystem.kafka.as_principal(issued["username"], issued["password"])

    def url(self, service: str, path: str) -> str:
        return self.ecosystem.service(service).url + path

    def admin(self, service: str) -> dict[str, str]:
        token = dev_secrets(self.ecosystem.run_dir)[f"{service.upper()}_ADMIN_TOKEN"]
        return {"Authorization": f"Bearer {token}"}

    async def step(self, title: str, action: Callable[[], Awaitable[str]]) -> None:
        console.print(f"[bold cyan]▶ {title}[/bold cyan]")
        try:
            detail = await action()
        except Exception as error:  # a demo reports every failed step and goes on
            self.outcome.failed.append(title)
            console.print(f"  [red]✗ {error}[/red]")
            return
        self.outcome.passed += 1
        console.print(f"  [green]✓[/green] {detail}")


async def eventually(probe: Callable[[], Awaitable[Any]], what: str, within: float = 60.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise StepFailed(f"timed out waiting for {what}")
        await asyncio.sleep(0.5)


# --- the steps ----------------------------------------------------------------------------


async def register_providers(demo: Demo) -> str:
    for provider in story.PROVIDERS:
        pid = provider["provider_id"]
        response = await demo.http.post(
            demo.url("catalogue", "/admin/providers"),
            json=provider,
            headers=demo.admin("catalogue"),
        )
        if response.status_code not in (201, 409):
            raise StepFailed(f"{pid}: {response.status_code} {response.text}")
        issued = response.json().get("kafka") if response.status_code == 201 else None
        demo.provider_kafka[pid] = demo.kafka_as(issued or await _new_kafka_credential(demo, pid))
        keep_principal(demo.ecosystem, pid, demo.provider_kafka[pid])
        key = await demo.http.post(
            demo.url("catalogue", f"/admin/providers/{pid}/api-key"),
            headers=demo.admin("catalogue"),
        )
        key.raise_for_status()
        demo.catalogue_keys[pid] = key.json()["api_key"]
    return f"{len(story.PROVIDERS)} providers: " + ", ".join(p["name"] for p in story.PROVIDERS)


def keep_principal(ecosystem: Ecosystem, who: str, connection: KafkaConnection) -> None:
    """Keep a demo participant's Kafka principal beside the dev secrets (mode 0600), so that
    `make up` can say how to act as it."""
    if not connection.uses_sasl or connection.username is None:
        return
    path = principals_file(ecosystem)
    kept: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    kept[who] = {"username": connection.username, "password": connection.password or ""}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(kept, handle)


def principals_file(ecosystem: Ecosystem) -> Path:
    return ecosystem.run_dir / "kafka-principals.json"


async def _new_kafka_credential(demo: Demo, provider_id: str) -> dict[str, Any] | None:
    """A fresh Kafka credential for an already registered provider (a re-run of the demo)."""
    response = await demo.http.post(
        demo.url("catalogue", f"/providers/{provider_id}/kafka-credentials"),
        headers=demo.admin("catalogue"),
    )
    if response.status_code == 503:  # no registrar: a broker without authentication
        return None
    response.raise_for_status()
    issued: dict[str, Any] = response.json()
    return issued


async def publish_courses(demo: Demo) -> str:
    """Each partner publishes on its own topic, as itself: the only topic it may write."""
    names = TopicNames(demo.ecosystem.topic_prefix)
    by_provider: dict[str, list[CourseEventV1]] = {}
    for raw in story.COURSES:
        course = CourseEventV1.model_validate(raw)
        by_provider.setdefault(course.provider_id, []).append(course)
    for provider_id, courses in by_provider.items():
        connection = demo.provider_kafka[provider_id]
        producer = AIOKafkaProducer(**connection.aiokafka_kwargs(), acks="all")
        await producer.start()
        try:
            for course in courses:
                key = f"{course.provider_id}/{course.course_code}"
                event = COURSE_OFFERED.envelope(
                    course, source=f"/providers/{course.provider_id}", subject=key
                )
                await producer.send_and_wait(
                    names.of_provider(ProviderTopic.COURSE_EVENTS, provider_id),
                    event.to_json_bytes(),
                    key=key.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                )
        finally:
            await producer.stop()

    async def all_searchable() -> bool:
        response = await demo.http.get(
            demo.url("catalogue", "/achievements"), params={"limit": 100}
        )
        return response.status_code == 200 and len(response.json()["items"]) >= len(story.COURSES)

    await eventually(all_searchable, "the courses to be searchable")
    cobot = (
        await demo.http.get(demo.url("catalogue", "/achievements/kessler-automation:KA-COBOT"))
    ).json()
    return (
        f"{len(story.COURSES)} course events on each partner's own topic → searchable; "
        f"KA-COBOT given as 55 h became {cobot['ects']} ECTS, "
        f"completeness {cobot['completeness']['score']:.0%}"
    )


async def define_pathways(demo: Demo) -> str:
    for pathway in story.PATHWAYS:
        body = {**pathway["body"], "owner_provider_id": pathway["owner"]}
        response = await demo.http.put(
            demo.url("catalogue", f"/pathways/{pathway['pathway_id']}"),
            json=body,
            headers=demo.admin("catalogue"),
        )
        if response.status_code >= 400:
            raise StepFailed(f"{pathway['pathway_id']}: {response.status_code} {response.text}")
    return "pathways: " + "; ".join(p["body"]["name"] for p in story.PATHWAYS)


async def subscribe_university(demo: Demo, receiver_url: str) -> str:
    created = await demo.http.post(
        demo.url("notifier", "/admin/subscribers"),
        json={
            "name": "Hollin TU registry",
            "kind": "university",
            "provider_ids": [story.UNIVERSITY],
        },
        headers=demo.admin("notifier"),
    )
    created.raise_for_status()
    key = created.json()["api_key"]
    subscription = await demo.http.post(
        demo.url("notifier", "/subscriptions"),
        json={
            "url": receiver_url,
            "event_types": ["credential.issued", "credential.stacked", "credential.revoked"],
            "filters": {"provider_ids": [story.UNIVERSITY]},
            "description": "demo: the university's student information system",
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    subscription.raise_for_status()
    demo.subscription = (subscription.json()["subscription_id"], key)
    reader = await demo.http.post(
        demo.url("catalogue", f"/admin/readers/{story.UNIVERSITY_READER}/kafka-credentials"),
        json={"topics": [Topic.CREDENTIALS_ISSUED.value, Topic.CREDENTIALS_STATUS.value]},
        headers=demo.admin("catalogue"),
    )
    if reader.status_code not in (201, 503):
        raise StepFailed(f"reader credential: {reader.status_code} {reader.text}")
    demo.university_kafka = demo.kafka_as(reader.json() if reader.status_code == 201 else None)
    keep_principal(demo.ecosystem, story.UNIVERSITY_READER, demo.university_kafka)
    return (
        f"webhook subscription {subscription.json()['subscription_id']} → {receiver_url}; "
        f"read-only Kafka principal {demo.university_kafka.username or '(no authentication)'}"
    )


async def issuer_api_keys(demo: Demo) -> str:
    for provider in story.PROVIDERS:
        pid = provider["provider_id"]

        async def issued(pid: str = pid) -> bool:
            response = await demo.http.post(
                demo.url("issuer", f"/admin/providers/{pid}/api-keys"), headers=demo.admin("issuer")
            )
            if response.status_code < 300:
                demo.issuer_keys[pid] = response.json()["api_key"]
                return True
            return False

        await eventually(issued, f"the issuer to know {pid}")
    return "each provider holds an issuer API key; signing keys were generated per provider"


async def report_completion(
    demo: Demo, learner: story.Learner, provider_id: str, code: str, completed_on: str
) -> str:
    """Report one completion with the provider's own API key; the credential's id."""
    body = {
        "completion_id": story.completion_id(learner, code),
        "achievement_id": story.achievement(provider_id, code),
        "learner": {"email": learner.email, "name": learner.name},
        "completed_on": completed_on,
        "results": [{"name": "Final grade", "value": "2"}],
    }
    headers = {"Authorization": f"Bearer {demo.issuer_keys[provider_id]}"}

    async def post() -> Any:
        response = await demo.http.post(
            demo.url("issuer", "/completions"), json=body, headers=headers
        )
        return response.json() if response.status_code in (200, 201) else None

    out = await eventually(post, f"{code} to be issuable")
    credential_id: str = out["credential_id"]
    demo.credentials[(learner.email, provider_id, code)] = credential_id
    return credential_id


async def report_completions(demo: Demo) -> str:
    count = 0
    for learner in story.LEARNERS:
        for provider_id, code in learner.completions:
            await report_completion(demo, learner, provider_id, code, "2026-06-30")
            count += 1
    return f"{count} completions → {count} signed credentials"


async def email_stays_inside(demo: Demo) -> str:
    """A completion id that carries the learner's e-mail: the credential and the event that
    announces it to every university hold neither the address nor the provider's id."""
    learner = story.EMAIL_IN_ID
    [(provider_id, code)] = learner.completions
    credential_id = await report_completion(demo, learner, provider_id, code, "2026-07-01")
    credential = (await demo.http.get(demo.url("issuer", f"/credentials/{credential_id}"))).text
    topic = TopicNames(demo.ecosystem.topic_prefix).of(Topic.CREDENTIALS_ISSUED)
    university = demo.university_kafka or demo.ecosystem.kafka  # read what a university reads

    async def announced() -> str | None:
        events = await read_all(university, topic)
        mine = [e for e in events if e["data"].get("credential_id") == credential_id]
        return json.dumps(mine) if mine else None

    event = await eventually(announced, "credentials.issued to announce it")
    leaked = [
        where
        for where, text in (("the credential", credential), ("credentials.issued", event))
        if learner.email in text or story.completion_id(learner, code) in text
    ]
    if leaked:
        raise StepFailed("the address left the issuer in " + " and ".join(leaked))
    return (
        f"completion id {story.completion_id(learner, code)!r} → credential {credential_id}; "
        "the address is in neither the credential nor credentials.issued"
    )


async def todays_completion(demo: Demo) -> str:
    """The rest of the story is idempotent; this one completion is new on every run, so the
    university's webhook has something to announce even when the demo is replayed."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    learner = story.WALK_IN
    [(provider_id, code)] = learner.completions
    local, domain = learner.email.split("@")
    body = {
        "completion_id": f"{story.completion_id(learner, code)}/{stamp}",
        "achievement_id": story.achievement(provider_id, code),
        "learner": {"email": f"{local}+{stamp}@{domain}", "name": learner.name},
        "completed_on": time.strftime("%Y-%m-%d"),
    }
    response = await demo.http.post(
        demo.url("issuer", "/completions"),
        json=body,
        headers={"Authorization": f"Bearer {demo.issuer_keys[provider_id]}"},
    )
    if response.status_code >= 400:
        raise StepFailed(f"{response.status_code} {response.text}")
    return f"{learner.name} completed {code} today → credential {response.json()['credential_id']}"


async def stacked_credentials(demo: Demo) -> str:
    topic = TopicNames(demo.ecosystem.topic_prefix).of(Topic.CREDENTIALS_ISSUED)
    targets = {p["body"]["target_achievement_id"] for p in story.PATHWAYS}

    reader = demo.university_kafka or demo.ecosystem.kafka

    async def stacked() -> list[dict[str, Any]]:
        events = await read_all(reader, topic)
        found = [e["data"] for e in events if e["data"].get("kind") == "stacked"]
        return found if {f["achievement_id"] for f in found} >= targets else []

    found = await eventually(stacked, "the stacked credentials")
    names = sorted({f["achievement_name"] for f in found})
    return f"{len(found)} stacked credential(s) issued automatically: " + ", ".join(names)


async def revoke(demo: Demo) -> str:
    learner, provider_id, code, reason = story.REVOKED
    credential_id = demo.credentials[(learner.email, provider_id, code)]
    response = await demo.http.post(
        demo.url("issuer", f"/credentials/{credential_id}/revoke"),
        json={"reason": reason},
        headers={"Authorization": f"Bearer {demo.issuer_keys[provider_id]}"},
    )
    if response.status_code >= 400:
        raise StepFailed(f"{response.status_code} {response.text}")
    return f"{learner.name}'s {code} revoked ({reason})"


async def verify(demo: Demo, credential_id: str) -> dict[str, Any]:
    credential = (await demo.http.get(demo.url("issuer", f"/credentials/{credential_id}"))).json()
    response = await demo.http.post(
        demo.url("verifier", "/verify"), json={"credential": credential}
    )
    result: dict[str, Any] = response.json()
    return result


async def employer_verifies(demo: Demo) -> str:
    ada = story.LEARNERS[0]
    good = demo.credentials[(ada.email, story.PARTNER, "KA-COBOT")]
    result = await eventually(
        lambda: _verdict_is(demo, good, {"verified", "verified_with_warnings"}), "verified"
    )
    learner, provider_id, code, _ = story.REVOKED
    revoked = demo.credentials[(learner.email, provider_id, code)]
    revoked_result = await eventually(
        lambda: _verdict_is(demo, revoked, {"not_verified"}), "the revocation to reach the verifier"
    )
    status = next(c for c in revoked_result["checks"] if c["name"] == "status")
    return (
        f"Ada's KA-COBOT: {result['verdict']}; Dara's VET-SAFE: {revoked_result['verdict']} "
        f"({status['reason']})"
    )


async def dashboard_counts(demo: Demo) -> str:
    _, provider_id, code, _ = story.REVOKED
    completions = sum(
        1 for person in story.LEARNERS for pid, _ in person.completions if pid == provider_id
    )
    revoked_achievement = story.achievement(provider_id, code)
    url = demo.url("catalogue", "/stats/issuance")
    anonymous = await demo.http.get(url, params={"provider": provider_id})
    if anonymous.status_code != 401:
        raise StepFailed(f"the counts answered without the provider's key: {anonymous.status_code}")
    own_key = {"Authorization": f"Bearer {demo.catalogue_keys[provider_id]}"}

    async def counted() -> dict[str, Any] | None:
        response = await demo.http.get(url, params={"provider": provider_id}, headers=own_key)
        stats: dict[str, Any] = response.json()
        revoked = {r["achievement_id"]: r["revoked"] for r in stats.get("by_achievement", [])}
        fresh = stats.get("issued", 0) >= completions and revoked.get(revoked_achievement, 0)
        return stats if fresh else None

    stats = await eventually(counted, "the catalogue to count the college's credentials")
    return (
        f"{provider_id}'s dashboard, with its own API key: {stats['issued']} issued, "
        f"{stats['revoked']} revoked; without it: 401 "
        f"(sign in at {demo.url('catalogue', f'/providers/{provider_id}/dashboard')})"
    )


async def learner_opens_their_list(demo: Demo) -> str:
    """Ada's list answers only the link e-mailed to her (read from the local mail sink)."""
    ada = story.LEARNERS[0]
    mine = demo.url("issuer", "/learners/me/credentials")
    if (anonymous := await demo.http.get(mine)).status_code != 401:
        raise StepFailed(f"the list answered without a link: {anonymous.status_code}")
    mailbox = demo.ecosystem.log_file("mailsink")
    before = len(wallet_links_to(mailbox, ada.email))
    asked = await demo.http.post(
        demo.url("issuer", "/learners/access-links"), json={"email": ada.email}
    )
    if asked.status_code != 202:
        raise StepFailed(f"asking for a link: {asked.status_code} {asked.text}")
    try:
        links = await eventually(
            lambda: _more_links(mailbox, ada.email, before), "the e-mailed link", within=20
        )
        how = "the link she asked for"
    except StepFailed:  # asked again within a minute (a replay): her issuance e-mail's link
        links = await eventually(lambda: _more_links(mailbox, ada.email, 0), "any wallet link")
        how = "the wallet link in her issuance e-mail"
    token = parse_qs(urlsplit(links[-1]).query)["token"][0]
    listed = await demo.http.get(mine, headers={"Authorization": f"Bearer {token}"})
    listed.raise_for_status()
    hers = {cid for (email, _, _), cid in demo.credentials.items() if email == ada.email}
    found = {c["credential_id"] for c in listed.json()}
    if not hers <= found or found & (set(demo.credentials.values()) - hers):
        raise StepFailed(f"the list is not exactly Ada's: {sorted(found)}")
    return (
        f"without a link: 401; with {how}: her {len(found)} credentials "
        f"({demo.url('issuer', '/wallet')} in a browser)"
    )


async def _more_links(mailbox: Path, address: str, than: int) -> list[str]:
    links = wallet_links_to(mailbox, address)
    return links if len(links) > than else []


async def _verdict_is(demo: Demo, credential_id: str, verdicts: set[str]) -> dict[str, Any] | None:
    result = await verify(demo, credential_id)
    return result if result.get("verdict") in verdicts else None


async def webhooks_arrived(demo: Demo) -> str:
    await eventually(lambda: _some(demo.webhooks), "the university's webhooks")
    await asyncio.sleep(2)
    kinds = sorted({w.get("type", "?") for w in demo.webhooks})
    return f"{len(demo.webhooks)} signed webhook(s) at the university: {', '.join(kinds)}"


async def _some(items: list[Any]) -> bool:
    return bool(items)


# --- plumbing -----------------------------------------------------------------------------


async def read_all(connection: KafkaConnection, topic: str) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        topic,
        **connection.aiokafka_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=1500)
        return [json.loads(r.value) for records in batches.values() for r in records]
    finally:
        await consumer.stop()


@contextlib.asynccontextmanager
async def webhook_receiver(sink: list[dict[str, Any]]) -> AsyncIterator[str]:
    """The university's student information system: a local HTTP endpoint."""

    async def receive(request: Request) -> Response:
        sink.append(json.loads(await request.body()))
        return Response(status_code=204)

    app = Starlette(routes=[Route("/hooks/microcred", receive, methods=["POST"])])
    async with local_server(app) as base_url:
        yield f"{base_url}/hooks/microcred"


async def unsubscribe(demo: Demo) -> None:
    """The receiver lives only as long as the demo: stop the notifier retrying it forever."""
    if demo.subscription:
        subscription_id, key = demo.subscription
        await demo.http.delete(
            demo.url("notifier", f"/subscriptions/{subscription_id}"),
            headers={"Authorization": f"Bearer {key}"},
        )


async def play(ecosystem: Ecosystem) -> Outcome:
    received: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=30) as http, webhook_receiver(received) as receiver_url:
        demo = Demo(ecosystem, http, webhooks=received)
        try:
            await play_steps(demo, receiver_url)
        finally:
            await unsubscribe(demo)
        return demo.outcome


async def play_steps(demo: Demo, receiver_url: str) -> None:
    await demo.step("Providers join the ecosystem", lambda: register_providers(demo))
    await demo.step("Partners publish courses over Kafka", lambda: publish_courses(demo))
    await demo.step("Pathways stack credentials across providers", lambda: define_pathways(demo))
    await demo.step(
        "A university subscribes to issuance webhooks and gets a read-only Kafka principal",
        lambda: subscribe_university(demo, receiver_url),
    )
    await demo.step("Providers get issuer API keys", lambda: issuer_api_keys(demo))
    await demo.step("Providers report completions", lambda: report_completions(demo))
    await demo.step(
        "A course in English, German and French", lambda: languages.multilingual_course(demo)
    )
    await demo.step(
        "A completion id carrying the learner's e-mail stays inside the issuer",
        lambda: email_stays_inside(demo),
    )
    await demo.step("A new learner completes a course today", lambda: todays_completion(demo))
    await demo.step(
        "Completed pathways award stacked credentials", lambda: stacked_credentials(demo)
    )
    # Issue 15's chapter, its own module (it uses this module's steps, hence imported here).
    from .chapters.endorsements import play_endorsement_chapter

    await play_endorsement_chapter(demo)
    await demo.step("A provider revokes a credential", lambda: revoke(demo))
    await demo.step("An employer verifies", lambda: employer_verifies(demo))
    await demo.step("A learner presents a credential", lambda: presentations.learner_presents(demo))
    await demo.step(
        "The provider's dashboard counts issued and revoked", lambda: dashboard_counts(demo)
    )
    await demo.step(
        "A learner opens their list from an e-mailed link", lambda: learner_opens_their_list(demo)
    )
    await demo.step(
        "A wallet app is authorised and fetches the learner's credentials",
        lambda: wallet_app_fetches_credentials(demo),
    )
    await demo.step("The university's system received webhooks", lambda: webhooks_arrived(demo))
    from .chapters.wallet import learner_wallet  # the chapter imports this module

    await demo.step("A learner shares a credential and builds a CLR", lambda: learner_wallet(demo))


def run_demo(ecosystem: Ecosystem) -> bool:
    outcome = asyncio.run(play(ecosystem))
    total = outcome.passed + len(outcome.failed)
    colour = "green" if not outcome.failed else "red"
    console.print(
        f"\n[bold {colour}]demo: {outcome.passed} of {total} steps passed[/bold {colour}]"
    )
    for title in outcome.failed:
        console.print(f"  [red]failed: {title}[/red]")
    return not outcome.failed


def seed_demo(ecosystem: Ecosystem) -> bool:
    """What `make up` seeds: the same story (idempotent ids), so the pages have data."""
    return run_demo(ecosystem)
