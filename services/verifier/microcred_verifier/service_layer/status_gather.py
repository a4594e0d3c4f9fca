"""The status lists a credential's ``credentialStatus`` entries name, gathered before the pure
status check reads them.

This ecosystem's lists come from the projection of the issuer's signed snapshots (Kafka), never
from the issuer over HTTP: a verification does not depend on the issuer being up, nor on its
address being reachable. Only another issuer's list is fetched, with the SSRF-safe fetcher.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.credential import status_entries
from ..domain.knowledge import StatusEvidence, StatusRecord
from ..domain.model import Freshness
from ..domain.status_list import StatusListError, entry_index
from .intake import InputError, present_body
from .ports import Fetcher, FetchError, Projections, StatusLists


class StatusGatherer:
    def __init__(
        self,
        lists: StatusLists,
        projections: Projections,
        fetcher: Fetcher | None,
        max_depth: int,
    ) -> None:
        self._lists = lists
        self._projections = projections
        self._fetcher = fetcher
        self._max_depth = max_depth

    async def evidence(
        self, document: Mapping[str, Any], *, issuer_is_ours: bool
    ) -> dict[int, StatusEvidence]:
        """One piece of evidence per entry, by the entry's position. ``issuer_is_ours``: the
        credential's issuer is one this ecosystem's issuer signs for."""
        found: dict[int, StatusEvidence] = {}
        for index, entry in enumerate(status_entries(document)):
            if isinstance(entry, Mapping):
                found[index] = await self._of(entry, issuer_is_ours)
        return found

    async def _of(self, entry: Mapping[str, Any], issuer_is_ours: bool) -> StatusEvidence:
        url = entry.get("statusListCredential")
        if not isinstance(url, str):
            return StatusEvidence(problem="the entry names no statusListCredential")
        snapshot = self._lists.newest(url)
        if snapshot is not None:
            return StatusEvidence(
                list_credential=snapshot.list_credential,
                list_freshness=snapshot.freshness,
                announced=await self._announced(url, entry),
            )
        if issuer_is_ours or self._lists.lists_under(url):
            return StatusEvidence(
                problem=f"no snapshot of this ecosystem's status list {url} has been received"
            )
        return await self._fetched(url)

    async def _announced(self, url: str, entry: Mapping[str, Any]) -> StatusRecord | None:
        try:
            return await self._projections.status_at(url, entry_index(entry))
        except StatusListError:
            return None  # the status check reports the unusable index

    async def _fetched(self, url: str) -> StatusEvidence:
        if self._fetcher is None:
            return StatusEvidence(problem="another issuer's status list, and fetching is disabled")
        try:
            body, _ = await self._fetcher.fetch(url)
            listed = present_body(body, self._max_depth).document
        except (FetchError, InputError) as exc:
            return StatusEvidence(problem=f"status list not obtained: {exc}")
        return StatusEvidence(list_credential=listed, list_freshness=Freshness(f"fetched {url}"))
