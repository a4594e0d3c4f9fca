"""A log line for every database command slower than a threshold.

On a MongoDB-wire database without the index a query needs (FerretDB serves few) the cost
grows with the collection: a slow-command line names the command, the collection and the
filter's field names, which is what finding the scan needs. Values are never logged: filters
carry learner e-mails and key hashes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import monitoring

from .logging import get_logger

log = get_logger(__name__)

_FILTER_KEYS = ("filter", "q", "query")


def filter_fields(command: Mapping[str, Any]) -> list[str]:
    """The field names a command filters on (its ``filter``, or each update/delete's ``q``)."""
    fields: list[str] = []
    for statement in [command, *command.get("updates", ()), *command.get("deletes", ())]:
        for key in _FILTER_KEYS:
            value = statement.get(key)
            if isinstance(value, dict):
                fields.extend(name for name in value if name not in fields)
    for stage in command.get("pipeline", ()):
        match = stage.get("$match") if isinstance(stage, dict) else None
        if isinstance(match, dict):
            fields.extend(name for name in match if name not in fields)
    return fields


class SlowCommandLog(monitoring.CommandListener):
    """Logs commands that took at least ``threshold_ms``; silent below it."""

    def __init__(self, threshold_ms: float) -> None:
        self._threshold_us = threshold_ms * 1000
        self._started: dict[int, tuple[str, list[str]]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        collection = event.command.get(event.command_name)
        target = collection if isinstance(collection, str) else ""
        self._started[event.request_id] = (
            target,
            filter_fields(event.command),
        )

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finish(event, "ok")

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finish(event, "failed")

    def _finish(
        self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent, outcome: str
    ) -> None:
        target, fields = self._started.pop(event.request_id, ("", []))
        if event.duration_micros < self._threshold_us:
            return
        log.warning(
            "slow database command",
            command=event.command_name,
            outcome=outcome,
            database=event.database_name,
            collection=target,
            filter_fields=fields,
            duration_ms=round(event.duration_micros / 1000, 1),
        )
