"""Serving a small ASGI app on 127.0.0.1 for as long as a block runs (the demo's university
endpoint; the tests' receivers and trace collector)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from stack.procs import free_port


@contextlib.asynccontextmanager
async def local_server(app: Any) -> AsyncIterator[str]:
    """Yields the base URL, ``http://127.0.0.1:<free port>``."""
    port = free_port()
    # log_config=None: an embedded server leaves the host process's logging as it is.
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
