"""The one use case: verify a credential (given, or at a URL) and announce the outcome."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from microcred_shared.events.contracts.verifications import VerificationPerformedV1

from microcred_verifier.domain.verification import (
    Presented,
    VerificationReport,
    verify_credential,
)
from microcred_verifier.service_layer.gather import KnowledgeGatherer
from microcred_verifier.service_layer.intake import InputError, present, present_body
from microcred_verifier.service_layer.ports import Fetcher, FetchError

Channel = Literal["api", "page", "cli"]


@dataclass(frozen=True)
class VerifyCredential:
    credential: Any = None  # a JSON object or a VC-JWT string
    url: str | None = None
    recipient_email: str | None = None
    channel: Channel = "api"


class VerificationEvents(Protocol):
    def announce(self, event: VerificationPerformedV1) -> None:
        """Queue the outcome for publishing; never makes the caller wait."""

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Outcome:
    report: VerificationReport
    source_url: str | None


class VerifyHandler:
    def __init__(
        self,
        gatherer: KnowledgeGatherer,
        fetcher: Fetcher | None,
        events: VerificationEvents | None,
        *,
        max_depth: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._gatherer = gatherer
        self._fetcher = fetcher
        self._events = events
        self._max_depth = max_depth
        self._clock = clock
        # PyLD and its context caches are not thread-safe: one worker keeps the CPU-bound
        # checks off the event loop without running two at once.
        self._cpu = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify")

    async def __call__(self, command: VerifyCredential) -> Outcome:
        presented = await self._obtain(command)
        knowledge = await self._gatherer.gather(presented.document, presented.jwt)
        now = self._clock()
        report = await asyncio.get_running_loop().run_in_executor(
            self._cpu,
            lambda: verify_credential(
                presented, knowledge, now=now, recipient_email=command.recipient_email
            ),
        )
        self._announce(
            report, knowledge.provider.provider_id if knowledge.provider else None, command.channel
        )
        return Outcome(report, command.url)

    async def _obtain(self, command: VerifyCredential) -> Presented:
        if command.credential is not None:
            return present(command.credential, self._max_depth)
        if not command.url:
            raise InputError("give a credential, or the URL of one")
        if self._fetcher is None:
            raise InputError("fetching credentials by URL is disabled here")
        try:
            body, _ = await self._fetcher.fetch(command.url)
        except FetchError as exc:
            raise InputError(f"cannot fetch the credential: {exc}") from exc
        return present_body(body, self._max_depth)

    def _announce(
        self, report: VerificationReport, provider_id: str | None, channel: Channel
    ) -> None:
        """Publish the anonymised outcome without making the employer wait for Kafka."""
        if self._events is None:
            return
        summary = report.summary
        event = VerificationPerformedV1(
            verification_id=str(uuid.uuid4()),
            verified_at=report.checked_at,
            verdict=report.verdict.value,
            channel=channel,
            issuer_did=report.issuer,
            provider_id=provider_id,
            achievement_id=report.achievement_id,
            eqf_level=summary.get("eqf_level"),
            failed_checks=report.failed_checks,
        )
        self._events.announce(event)

    async def close(self) -> None:
        if self._events is not None:
            await self._events.close()
        self._cpu.shutdown(wait=False)
