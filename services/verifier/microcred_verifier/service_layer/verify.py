"""The one use case: verify a credential (given, or at a URL) and announce the outcome."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Literal, Protocol, TypeVar

from microcred_shared.events.contracts.verifications import VerificationPerformedV1

from ..domain.clr import is_clr
from ..domain.knowledge import Knowledge
from ..domain.verification import (
    Presented,
    VerificationReport,
    verify_credential,
)
from .clr import CheckOne, verify_clr
from .gather import KnowledgeGatherer
from .intake import InputError, present_body
from .ports import Fetcher, FetchError

Channel = Literal["api", "page", "cli"]
T = TypeVar("T")

# A credential of up to this many bytes is checked on the event loop: its checks take about a
# millisecond, and handing them to a worker thread cost a third as much again (GIL hand-overs,
# measured on POST /verify: 1.9 against 2.3-2.6 ms of CPU per request). A larger one, whose
# checks could hold the loop for long, goes to the worker, and the loop keeps serving between
# the interpreter's switches.
INLINE_MAX_BYTES = 32 * 1024


@dataclass(frozen=True)
class VerifyCredential:
    # The credential as given, already told apart (JSON-LD or VC-JWT) by ``intake``, or None
    # to fetch it from ``url``.
    presented: Presented | None = None
    url: str | None = None
    recipient_email: str | None = None
    channel: Channel = "api"
    # The bytes the client sent for it (None: not known), which decide where its checks run.
    size: int | None = None


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
        inline_max_bytes: int = INLINE_MAX_BYTES,
    ) -> None:
        self._gatherer = gatherer
        self._fetcher = fetcher
        self._events = events
        self._max_depth = max_depth
        self._clock = clock
        self._inline_max_bytes = inline_max_bytes
        # PyLD and its context caches are not thread-safe: the checks run one at a time,
        # whichever thread runs them.
        self._one_at_a_time = asyncio.Lock()
        self._cpu = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify")

    async def __call__(self, command: VerifyCredential) -> Outcome:
        presented, size = await self._obtain(command)
        if is_clr(presented.document):
            report = await verify_clr(presented, self._check_alone(command), self._max_depth)
            return Outcome(report, command.url)
        report, knowledge = await self._check(presented, size, command)
        self._announce(
            report, knowledge.provider.provider_id if knowledge.provider else None, command.channel
        )
        return Outcome(report, command.url)

    def _check_alone(self, command: VerifyCredential) -> CheckOne:
        """Each part of a record checked as if sent alone (and announced, if a provider's)."""

        async def check(presented: Presented) -> tuple[VerificationReport, Knowledge]:
            report, knowledge = await self._check(presented, None, command)
            if knowledge.provider is not None:
                self._announce(report, knowledge.provider.provider_id, command.channel)
            return report, knowledge

        return check

    async def _check(
        self, presented: Presented, size: int | None, command: VerifyCredential
    ) -> tuple[VerificationReport, Knowledge]:
        knowledge = await self._gatherer.gather(presented.document, presented.jwt)
        now = self._clock()
        checks = partial(
            verify_credential,
            presented,
            knowledge,
            now=now,
            recipient_email=command.recipient_email,
        )
        async with self._one_at_a_time:
            if size is not None and size <= self._inline_max_bytes:
                report = checks()
            else:
                report = await asyncio.get_running_loop().run_in_executor(self._cpu, checks)
        return report, knowledge

    async def alone(self, checks: Callable[[], T]) -> T:
        """Run other checks that use PyLD (a presentation's holder proof) one at a time with the
        credentials' checks, on the loop."""
        async with self._one_at_a_time:
            return checks()

    async def _obtain(self, command: VerifyCredential) -> tuple[Presented, int | None]:
        """The credential, and the bytes it came in (when known)."""
        if command.presented is not None:
            return command.presented, command.size
        if not command.url:
            raise InputError("give a credential, or the URL of one")
        if self._fetcher is None:
            raise InputError("fetching credentials by URL is disabled here")
        try:
            body, _ = await self._fetcher.fetch(command.url)
        except FetchError as exc:
            raise InputError(f"cannot fetch the credential: {exc}") from exc
        return present_body(body, self._max_depth), len(body)

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
