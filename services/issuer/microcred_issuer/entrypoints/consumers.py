"""Kafka subscriptions: catalogue events keep the projections current; completions issue; the
issuer's own status changes and key changes keep the status lists' bits and snapshots.

Completions arrive on each provider's own topic (``learning.<provider>.completions``), which
only that provider's principal may write: the provider is the one the topic names, and a
completion whose payload names another is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microcred_shared.events import CloudEvent, ProviderTopic, Topic
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    COMPLETION_REPORTED,
    CREDENTIAL_STATUS_CHANGED,
    ISSUER_KEYS_CHANGED,
    ISSUER_KEYS_CHANGED_V2,
    PATHWAY_CHANGED,
    PROVIDER_CHANGED,
    EventSpec,
)
from microcred_shared.messaging.consumer import EventHandler, Subscription
from microcred_shared.messaging.dead_letter import Rejected
from microcred_shared.service.runtime import Runtime

from ..domain.credentials import EvidenceItem, ResultLine
from ..domain.errors import (
    IssuerError,
    StatusListNotAnnounced,
    UnknownAchievement,
    UnknownProvider,
)
from ..service_layer.commands import IssueCompletion
from ..service_layer.handlers import Handlers
from ..service_layer.issuing import IssueResult

# The catalogue's events may still be on their way when a completion arrives, or a new status
# list's first snapshot still on its way to Kafka: these are retried (the consumer's backoff)
# before they are dead-lettered; every other refusal is final.
_MAYBE_NOT_YET = (UnknownAchievement, UnknownProvider, StatusListNotAnnounced)


class NotYetPossible(Exception):
    """Retry: the projection or the outbox relay may catch up."""


def completion_command(data: CompletionV1, provider_id: str) -> IssueCompletion:
    """The command for a completion the channel proved ``provider_id`` sent."""
    if data.provider_id != provider_id:
        raise Rejected(
            "provider_mismatch",
            f"a completion on {provider_id!r}'s topic names provider {data.provider_id!r}; "
            "a provider reports only its own completions",
        )
    return IssueCompletion(
        completion_id=data.completion_id,
        provider_id=provider_id,
        achievement_id=data.achievement_id,
        completed_on=data.completed_on,
        learner_email=str(data.learner.email) if data.learner.email else None,
        learner_did=data.learner.did,
        learner_name=data.learner.name,
        results=tuple(ResultLine(r.name, r.value) for r in data.results),
        evidence=tuple(EvidenceItem(e.url, e.narrative, e.name) for e in data.evidence),
    )


def register_consumers(runtime: Runtime, handlers: Handlers, *, max_batch: int = 200) -> None:
    topics = runtime.topics
    projections = handlers.projections

    async def on_provider(event: CloudEvent[Any]) -> None:
        await projections.on_provider(event.data)

    async def on_achievement(event: CloudEvent[Any]) -> None:
        await projections.on_achievement(event.data)

    async def on_pathway(event: CloudEvent[Any]) -> None:
        await projections.on_pathway(event.data)

    async def on_status_changed(event: CloudEvent[Any]) -> None:
        await handlers.status.on_status_changed(event.data.credential_id)

    async def on_keys_changed(event: CloudEvent[Any]) -> None:
        await handlers.status_lists.refresh_provider(event.data.provider_id)

    async def on_completions(
        received: Sequence[tuple[CloudEvent[Any], str]],
    ) -> list[BaseException | None]:
        answers: list[BaseException | None] = [None] * len(received)
        commands: dict[int, IssueCompletion] = {}
        for number, (event, provider_id) in enumerate(received):
            try:
                commands[number] = completion_command(event.data, provider_id)
            except Rejected as rejection:
                answers[number] = rejection
        results = await handlers.completions.issue_many(list(commands.values()))
        for number, result in zip(commands, results, strict=True):
            answers[number] = _kafka_answer(result)
        return answers

    subscriptions: list[tuple[Topic, list[EventSpec[Any]], EventHandler]] = [
        (Topic.CATALOGUE_PROVIDERS, [PROVIDER_CHANGED], on_provider),
        (Topic.CATALOGUE_ACHIEVEMENTS, [ACHIEVEMENT_CHANGED], on_achievement),
        (Topic.CATALOGUE_PATHWAYS, [PATHWAY_CHANGED], on_pathway),
        # Its own events: the status lists' bits and snapshots follow every published status
        # change, and are signed again with the current key after every key change (the
        # compacted key topic may still hold v1 records of keyrings not changed since v2).
        (Topic.CREDENTIALS_STATUS, [CREDENTIAL_STATUS_CHANGED], on_status_changed),
        (Topic.ISSUER_KEYS, [ISSUER_KEYS_CHANGED, ISSUER_KEYS_CHANGED_V2], on_keys_changed),
    ]
    for topic, specs, handler in subscriptions:
        runtime.subscribe(Subscription(topics.of(topic), specs, handler))
    runtime.subscribe_per_provider_in_batches(
        ProviderTopic.COMPLETIONS,
        [COMPLETION_REPORTED],
        on_completions,
        max_records=max_batch,
    )


def _kafka_answer(result: IssueResult) -> BaseException | None:
    """None when done; what the consumer should do with the completion otherwise."""
    if isinstance(result, _MAYBE_NOT_YET):
        return NotYetPossible(f"{result.code}: {result.reason}")
    if isinstance(result, IssuerError):
        return Rejected(result.code, result.reason)
    return result if isinstance(result, Exception) else None
