"""A credential of a few kilobytes is checked on the event loop, a larger one (or one of unknown
size) in the worker thread; either way, never two checks at once (PyLD is not thread-safe)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from conftest import NOW, ONEEDTECH, RECEIVED, load
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.service_layer import verify as verify_module
from microcred_verifier.service_layer.gather import KnowledgeGatherer
from microcred_verifier.service_layer.intake import present
from microcred_verifier.service_layer.status_gather import StatusGatherer
from microcred_verifier.service_layer.verify import VerifyCredential, VerifyHandler
from verifier_fakes import MemoryProjections


class Recorded:
    def __init__(self) -> None:
        self.threads: list[str] = []
        self.running = 0
        self.most_at_once = 0


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    seen = Recorded()
    checks = verify_module.verify_credential

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.threads.append(threading.current_thread().name)
        seen.running += 1
        seen.most_at_once = max(seen.most_at_once, seen.running)
        try:
            time.sleep(0.002)  # long enough for another check to start, were that possible
            return checks(*args, **kwargs)
        finally:
            seen.running -= 1

    monkeypatch.setattr(verify_module, "verify_credential", recording)
    return seen


def _handler() -> VerifyHandler:
    projections = MemoryProjections(received_at=RECEIVED)
    status = StatusGatherer(InMemoryStatusLists(), projections, None, max_depth=64)
    gatherer = KnowledgeGatherer(projections, status, None)
    return VerifyHandler(
        gatherer, None, None, max_depth=64, clock=lambda: NOW, inline_max_bytes=1000
    )


async def test_a_small_credential_on_the_loop_a_large_or_unsized_one_in_the_worker(
    recorded: Recorded,
) -> None:
    handler = _handler()
    document = load(ONEEDTECH / "simple.json")
    try:
        for size in (1000, 1001, None):
            await handler(VerifyCredential(present(document, 64), size=size))
    finally:
        await handler.close()

    loop_thread = threading.current_thread().name
    assert recorded.threads[0] == loop_thread
    assert recorded.threads[1] != loop_thread
    assert recorded.threads[1].startswith("verify")
    assert recorded.threads[2] == recorded.threads[1]


async def test_checks_never_run_two_at_once_whichever_thread_runs_them(
    recorded: Recorded,
) -> None:
    handler = _handler()
    document = load(ONEEDTECH / "simple.json")
    sizes = [10, 5000, None, 20, 9000, 30] * 3
    try:
        outcomes = await asyncio.gather(
            *(handler(VerifyCredential(present(document, 64), size=size)) for size in sizes)
        )
    finally:
        await handler.close()

    assert len(outcomes) == len(sizes)
    assert len(set(recorded.threads)) == 2
    assert recorded.most_at_once == 1
