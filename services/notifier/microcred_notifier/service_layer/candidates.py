"""Deliveries waiting for a sending slot, queued per receiving origin.

One queue per origin, so taking work costs what is taken: a full origin (a dead receiver with
hundreds queued) is passed over in one step instead of walked through at every pick, which made
each pick cost the whole queue and the dispatcher's CPU grow with the square of the backlog.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Set

from .ports import DueDelivery


class CandidateQueue:
    def __init__(self) -> None:
        self._by_origin: dict[str, deque[DueDelivery]] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def any_takeable(self, room_of: Callable[[str], int]) -> bool:
        """Whether some queued candidate's origin has room now."""
        return any(room_of(origin) > 0 for origin in self._by_origin)

    def extend(self, candidates: Iterable[DueDelivery]) -> None:
        for candidate in candidates:
            self._by_origin.setdefault(candidate.origin, deque()).append(candidate)
            self._size += 1

    def has(self, origin: str) -> bool:
        return origin in self._by_origin

    def refresh(self, found: Iterable[DueDelivery], keep_origins: Set[str] = frozenset()) -> None:
        """What a look at the store found replaces what an earlier look found, except for the
        origins the look left out (``keep_origins``); deliveries handed over as stored stay
        (with their document: they need no reading back)."""
        kept = [
            c
            for queue in self._by_origin.values()
            for c in queue
            if c.stored is not None or c.origin in keep_origins
        ]
        known = {c.delivery_id for c in kept}
        self._by_origin.clear()
        self._size = 0
        self.extend(kept)
        self.extend(c for c in found if c.delivery_id not in known)

    def take(
        self,
        room: int,
        room_of: Callable[[str], int],
        skip: Callable[[DueDelivery], bool],
    ) -> list[DueDelivery]:
        """Up to ``room`` candidates, at most ``room_of(origin)`` from each origin, in arrival
        order within an origin; those ``skip`` refuses are dropped."""
        taken: dict[str, DueDelivery] = {}
        for origin in list(self._by_origin):
            queue = self._by_origin[origin]
            allowed = min(room_of(origin), room - len(taken))
            while queue and allowed > 0:
                candidate = queue.popleft()
                self._size -= 1
                if skip(candidate) or candidate.delivery_id in taken:
                    continue
                taken[candidate.delivery_id] = candidate
                allowed -= 1
            if not queue:
                del self._by_origin[origin]
            if len(taken) >= room:
                break
        return list(taken.values())
