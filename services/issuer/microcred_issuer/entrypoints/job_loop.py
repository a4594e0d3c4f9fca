"""A background loop that works the issuer's resumable jobs: at once when its bell rings (a job
was opened here), and every ``poll_seconds`` for the unfinished ones (this replica's after a
restart, another's it left)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from microcred_shared.logging import get_logger

from ..service_layer.compromise import JobBell

log = get_logger(__name__)


class JobLoop:
    def __init__(
        self,
        name: str,
        look: Callable[[], Awaitable[None]],
        bell: JobBell,
        poll_seconds: float = 15.0,
    ) -> None:
        self._name = name
        self._look = look
        self._bell = bell
        self._poll = poll_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self._look()
            except Exception as error:  # a database hiccup: the next look resumes the job
                log.warning("job interrupted, will resume", loop=self._name, error=repr(error))
            await self._bell.wait(self._poll)
