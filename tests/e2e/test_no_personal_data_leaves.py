"""Issue 13: personal data enters with a completion and leaves only to the learner.

After the demo story has played (including its completion whose provider id carries the
learner's e-mail), nothing that leaves the learner's own channel holds an e-mail address, a
story learner's name or a provider's completion id: not a record (key, headers, value) on any
outbound topic or its dead-letter twin, not a webhook, not a credential those events link to,
not a line of a service log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from microcred_shared.events import Topic, TopicNames

from microcred.ecosystem import story
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.processes import Ecosystem
from tests.reliability.kafka_tools import json_of, read_everything
from tests.support import EMAIL_ADDRESS, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# Topic holds every topic the ecosystem writes; what providers and partners write are their own
# per-provider topics (ProviderTopic), whose dead letters only they may read.
# The learner's own channel: the notifier alone reads the address it mails the learner at.
LEARNER_CHANNEL = frozenset({Topic.CREDENTIALS_LEARNER_NOTICES})
OUTBOUND = [topic for topic in Topic if topic not in LEARNER_CHANNEL]

# Logs of the local SMTP sink stand in for the learners' mailboxes: the e-mails belong there.
LEARNER_MAILBOX_LOGS = frozenset({"mailsink.log"})


@dataclass(frozen=True)
class PersonalData:
    names: frozenset[str]
    completion_ids: frozenset[str]

    def found_in(self, text: str) -> list[str]:
        folded = text.casefold()
        return (
            [f"e-mail address {match!r}" for match in EMAIL_ADDRESS.findall(text)]
            + [f"learner name {name!r}" for name in self.names if name.casefold() in folded]
            + [f"completion id {cid!r}" for cid in self.completion_ids if cid in text]
        )


STORY = PersonalData(
    names=frozenset(learner.name for learner in story.everyone()),
    completion_ids=frozenset(story.completion_ids()),
)


def outbound_topics(prefix: str) -> list[str]:
    names = TopicNames(prefix)
    return [name for topic in OUTBOUND for name in (names.of(topic), names.dead_letter_of(topic))]


def record_text(record: Any) -> str:
    headers = " ".join(f"{name}={value!r}" for name, value in record.headers or ())
    key = (record.key or b"").decode(errors="replace")
    return f"{key} {headers} {(record.value or b'').decode(errors='replace')}"


def leaks_in(where: str, texts: Iterable[str]) -> list[str]:
    return [f"{where}: {found}" for text in texts for found in STORY.found_in(text)]


async def test_the_story_publishes_no_personal_data_on_any_outbound_topic(
    ecosystem: Ecosystem, played: Outcome
) -> None:
    leaks: list[str] = []
    counts: dict[str, int] = {}
    for topic in outbound_topics(ecosystem.topic_prefix):
        records = await read_everything(ecosystem.kafka, topic)
        counts[topic] = len(records)
        leaks += leaks_in(topic, (record_text(r) for r in records))
    print(f"\npersonal data on {len(counts)} outbound topics ({counts}): {len(leaks)} found")
    issued = counts[TopicNames(ecosystem.topic_prefix).of(Topic.CREDENTIALS_ISSUED)]
    assert issued >= sum(len(learner.completions) for learner in story.everyone())
    assert leaks == []


async def test_no_webhook_and_no_linked_credential_carries_personal_data(
    ecosystem: Ecosystem, played: Outcome, webhook_sink: list[dict[str, Any]]
) -> None:
    """The catch-all subscriber is shown every credential event, learner references included."""
    issued_topic = TopicNames(ecosystem.topic_prefix).of(Topic.CREDENTIALS_ISSUED)
    events = [json_of(r) for r in await read_everything(ecosystem.kafka, issued_topic)]
    # The catch-all subscriber acts for the story's providers; other e2e tests in this session
    # issue for providers of their own, whose events no one here subscribed to.
    story_providers = {p["provider_id"] for p in story.PROVIDERS}
    issued = {
        event["id"]: event["data"]
        for event in events
        if event and event["data"].get("provider_id") in story_providers
    }

    async def delivered() -> set[str]:
        return {str(hook.get("event_id")) for hook in webhook_sink}

    await eventually(delivered, lambda ids: set(issued) <= ids, timeout=120, interval=1.0)
    async with httpx.AsyncClient(timeout=30) as http:
        credentials = [
            (await http.get(data["links"]["json_url"], headers={"Accept": "application/json"}))
            for data in issued.values()
        ]
    assert all(response.status_code == 200 for response in credentials)
    leaks = leaks_in("webhook", (repr(hook) for hook in webhook_sink))
    leaks += leaks_in("credential", (response.text for response in credentials))
    print(
        f"\npersonal data in {len(webhook_sink)} webhooks and {len(credentials)} credentials: "
        f"{len(leaks)} found"
    )
    assert {hook["type"] for hook in webhook_sink} >= {"credential.issued", "credential.revoked"}
    assert leaks == []


async def test_no_service_log_holds_personal_data(ecosystem: Ecosystem, played: Outcome) -> None:
    logs = [
        log
        for log in sorted(ecosystem.run_dir.glob("*.log"))
        if log.name not in LEARNER_MAILBOX_LOGS
    ]
    leaks = [leak for log in logs for leak in leaks_in(log.name, [log.read_text(errors="replace")])]
    print(f"\npersonal data in {len(logs)} service logs: {len(leaks)} found")
    assert {log.name for log in logs} >= {"issuer.log", "notifier.log"}
    assert leaks == []
