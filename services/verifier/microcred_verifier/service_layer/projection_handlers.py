"""Keeping the projections current: one handler per consumed event type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from microcred_shared.events import CloudEvent

from .ports import Projections, StatusLists


class ProjectionHandlers:
    def __init__(self, projections: Projections, status_lists: StatusLists) -> None:
        self._projections = projections
        self._lists = status_lists

    async def on_provider(self, event: CloudEvent[Any]) -> None:
        await self._projections.apply_provider(event.data, datetime.now(UTC))

    async def on_achievement(self, event: CloudEvent[Any]) -> None:
        await self._projections.apply_achievement(event.data, datetime.now(UTC))

    async def on_pathway(self, event: CloudEvent[Any]) -> None:
        await self._projections.apply_pathway(event.data, datetime.now(UTC))

    async def on_issuer_keys(self, event: CloudEvent[Any]) -> None:
        await self._projections.apply_issuer_keys(event.data, datetime.now(UTC))

    async def on_status(self, event: CloudEvent[Any]) -> None:
        await self._projections.apply_status(event.data, datetime.now(UTC))

    async def on_status_list(self, event: CloudEvent[Any]) -> None:
        await self._lists.apply(event.data, datetime.now(UTC))
