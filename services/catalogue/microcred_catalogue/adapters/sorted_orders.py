"""Every indexed achievement kept in each sort order, so a broad search walks from its cursor
instead of sorting the whole catalogue per request."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterator
from typing import Any

from ..domain.search import SortOrder

Key = tuple[Any, str]  # (sort value, achievement id): unique, totally ordered per order

# Descending orders walk an ascending list backwards, so four lists serve five orders.
LIST_OF: dict[SortOrder, str] = {
    SortOrder.NAME: "name",
    SortOrder.NEWEST: "updated_at",
    SortOrder.ECTS: "ects",
    SortOrder.ECTS_DESC: "ects",
    SortOrder.COMPLETENESS: "completeness",
}


class SortedOrders:
    def __init__(self) -> None:
        self._lists: dict[str, list[Key]] = {name: [] for name in set(LIST_OF.values())}

    def replace(self, old: dict[str, Key] | None, new: dict[str, Key]) -> None:
        """Move one achievement from its ``old`` keys (None: new to the index) to ``new``."""
        for name, keys in self._lists.items():
            if old is not None:
                position = bisect_left(keys, old[name])
                if position < len(keys) and keys[position] == old[name]:
                    del keys[position]
            insort(keys, new[name])

    def walk(self, order: SortOrder, descending: bool, after: Key | None) -> Iterator[str]:
        """Achievement ids in ``order`` from just beyond ``after`` (the cursor)."""
        keys = self._lists[LIST_OF[order]]
        start = self._start(keys, descending, after)
        if descending:
            return (keys[i][1] for i in range(start, -1, -1))
        return (keys[i][1] for i in range(start, len(keys)))

    @staticmethod
    def _start(keys: list[Key], descending: bool, after: Key | None) -> int:
        if after is None:
            return len(keys) - 1 if descending else 0
        try:
            return bisect_left(keys, after) - 1 if descending else bisect_right(keys, after)
        except TypeError:  # a cursor of another sort order: start over rather than fail
            return len(keys) - 1 if descending else 0


def sort_keys(achievement_id: str, value_of: Callable[[SortOrder], Any]) -> dict[str, Key]:
    return {name: (value_of(order), achievement_id) for order, name in LIST_OF.items()}
