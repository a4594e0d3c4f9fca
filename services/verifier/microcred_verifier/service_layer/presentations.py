"""Presentations: the verifier hands out challenges, and verifies a presentation by its
holder's proof, its challenge (taken from the store once), each credential's full check and
that the holder is each credential's subject."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from microcred_shared.crypto import OfflineDocumentLoader

from ..domain.presentation import (
    IssuedChallenge,
    PresentationReport,
    check_challenge,
    check_holder_is_subject,
    check_holder_proof,
    embedded_credentials,
    holder_of,
    judge_presentation,
)
from ..domain.verification import Presented
from .intake import InputError, present
from .verify import Channel, VerifyCredential, VerifyHandler

CHALLENGE_BYTES = 32


class PresentationChallenges(Protocol):
    """Challenges this verifier issued; each is taken at most once, whoever asks first."""

    async def add(self, challenge: IssuedChallenge) -> None: ...
    async def take(self, challenge: str) -> IssuedChallenge | None:
        """The challenge, removed so no one takes it again; None if unknown or taken."""
        ...


@dataclass(frozen=True)
class VerifyPresentation:
    presentation: Mapping[str, Any]
    channel: Channel = "api"


class PresentationHandlers:
    def __init__(
        self,
        challenges: PresentationChallenges,
        credentials: VerifyHandler,
        *,
        domain: str,
        lifetime: timedelta,
        max_depth: int,
        loader: OfflineDocumentLoader | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._challenges = challenges
        self._credentials = credentials
        self._domain = domain
        self._lifetime = lifetime
        self._max_depth = max_depth
        self._loader = loader
        self._clock = clock

    async def issue_challenge(self) -> IssuedChallenge:
        """A random challenge for this verifier's domain, good once, until it expires."""
        challenge = IssuedChallenge(
            challenge=secrets.token_urlsafe(CHALLENGE_BYTES),
            domain=self._domain,
            expires=self._clock() + self._lifetime,
        )
        await self._challenges.add(challenge)
        return challenge

    async def verify(self, command: VerifyPresentation) -> PresentationReport:
        presentation = command.presentation
        credentials = self._credentials_of(presentation)
        now = self._clock()
        holder_proof = await self._credentials.alone(
            partial(check_holder_proof, presentation, now=now, loader=self._loader)
        )
        # Taken only for a proof that verified: anyone who saw a challenge could otherwise burn
        # it with a forged presentation before its holder used it.
        signed = holder_proof.challenge
        issued = await self._challenges.take(signed) if signed is not None else None
        holder = holder_of(presentation)
        checks = [
            holder_proof.check,
            check_challenge(holder_proof, issued, now=now),
            check_holder_is_subject(holder, credentials),
        ]
        reports = [
            (await self._credentials(VerifyCredential(c, channel=command.channel))).report
            for c in credentials
        ]
        return judge_presentation(holder, checks, reports, now=now)

    def _credentials_of(self, presentation: Mapping[str, Any]) -> list[Presented]:
        presented = []
        for index, credential in enumerate(embedded_credentials(presentation)):
            try:
                presented.append(present(credential, self._max_depth))
            except InputError as exc:
                raise InputError(f"presented credential {index}: {exc.reason}") from exc
        return presented
