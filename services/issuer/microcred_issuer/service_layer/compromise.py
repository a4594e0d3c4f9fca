"""A provider (or the admin) reports a signing key compromised: the key is marked revoked in
the DID document and on ``issuer.keys``, and a job re-issues what it signed."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from ..domain.keyring import KeyRecord, Keyring
from ..domain.reissue import ReissueJob
from .commands import ReportKeyCompromise
from .keys import KeyHandlers
from .ports import Keyrings
from .reissue import Reissuance


class JobBell:
    """Rung when a job is opened, so the worker starts at once instead of at its next look."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
        self._event.clear()


@dataclass(frozen=True)
class CompromiseReport:
    keyring: Keyring
    key: KeyRecord
    job: ReissueJob


class CompromiseHandler:
    def __init__(
        self, keys: KeyHandlers, keyrings: Keyrings, reissuance: Reissuance, bell: JobBell
    ) -> None:
        self._keys = keys
        self._keyrings = keyrings
        self._reissuance = reissuance
        self._bell = bell

    async def report(self, command: ReportKeyCompromise) -> CompromiseReport:
        """Idempotent: a key reported again keeps its first time, and its job is the same."""
        keyring = await self._keys.report_compromise(command)
        job = await self._reissuance.open(keyring, command.fragment)
        self._bell.ring()
        return CompromiseReport(keyring, keyring.key(command.fragment), job)

    async def open_missing_jobs(self) -> None:
        """A job for every compromised key that has none (a crash between marking the key and
        opening its job): a scan of the keyrings, one per provider, at start."""
        for keyring in await self._keyrings.all():
            for key in keyring.compromised_keys:
                await self._reissuance.open(keyring, key.fragment)
