"""The slow-command log: commands over the threshold are logged with the fields they filter on,
never with the values (filters carry e-mails and key hashes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from microcred_shared.mongo_slow_log import SlowCommandLog, filter_fields
from pymongo import monitoring
from structlog.testing import capture_logs

ADDRESS = ("127.0.0.1", 27017)


def _run(log: SlowCommandLog, command: dict[str, Any], micros: int, request_id: int = 1) -> None:
    name = next(iter(command))
    log.started(
        monitoring.CommandStartedEvent(
            {**command, "$db": "issuer"}, "issuer", request_id, ADDRESS, 1
        )
    )
    log.succeeded(
        monitoring.CommandSucceededEvent(
            timedelta(microseconds=micros),
            {"ok": 1},
            name,
            request_id,
            ADDRESS,
            1,
            database_name="issuer",
        )
    )


def test_a_slow_find_is_logged_with_collection_and_filter_fields_but_no_values() -> None:
    log = SlowCommandLog(threshold_ms=100)
    with capture_logs() as logs:
        _run(log, {"find": "credentials", "filter": {"learner_ref": "ada@example.org"}}, 420_000)

    assert logs == [
        {
            "event": "slow database command",
            "log_level": "warning",
            "command": "find",
            "outcome": "ok",
            "database": "issuer",
            "collection": "credentials",
            "filter_fields": ["learner_ref"],
            "duration_ms": 420.0,
        }
    ]
    assert "ada@example.org" not in repr(logs)


def test_commands_under_the_threshold_are_not_logged() -> None:
    log = SlowCommandLog(threshold_ms=100)
    with capture_logs() as logs:
        _run(log, {"find": "credentials", "filter": {"_id": "x"}}, 99_000)

    assert logs == []


def test_filter_fields_of_updates_deletes_and_pipelines() -> None:
    assert filter_fields(
        {"update": "c", "updates": [{"q": {"_id": 1, "version": {"$lt": 2}}, "u": {}}]}
    ) == ["_id", "version"]
    assert filter_fields({"delete": "c", "deletes": [{"q": {"until": 1}, "limit": 1}]}) == ["until"]
    assert filter_fields(
        {"aggregate": "c", "pipeline": [{"$match": {"status": "x"}}, {"$group": {}}]}
    ) == ["status"]
    assert filter_fields({"count": "c", "query": {"status": "x"}}) == ["status"]
