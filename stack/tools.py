"""Locating the external tools the stack needs, with one actionable message when one is missing."""

from __future__ import annotations

import re
import shutil
import subprocess

from stack.errors import StackError, ToolMissingError

# What each tool is for and how to get it; shown verbatim when the tool is missing.
_INSTALL_HINTS = {
    "java": "install a Java 17+ runtime (e.g. apt-get install openjdk-17-jre) to run Kafka",
    "mvn": "install Maven 3.6+ (e.g. apt-get install maven) to download the Kafka jars",
    "go": "install Go 1.24+ (https://go.dev/dl) to build FerretDB",
}

# FerretDB v1.24.2's go.mod says `go 1.24`; older toolchains fail with a confusing error.
MIN_GO = (1, 24)


def require_tool(name: str) -> str:
    """Return the absolute path of ``name`` on PATH or raise a one-line ToolMissingError."""
    path = shutil.which(name)
    if path is None:
        hint = _INSTALL_HINTS.get(name, "install it and make sure it is on PATH")
        raise ToolMissingError(f"'{name}' not found: {hint}")
    return path


def require_go() -> str:
    """Like require_tool("go"), also rejecting a toolchain too old to build FerretDB."""
    go = require_tool("go")
    out = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [go, "env", "GOVERSION"], capture_output=True, text=True, check=False, timeout=60
    ).stdout.strip()
    match = re.match(r"go(\d+)\.(\d+)", out)
    if match and (int(match[1]), int(match[2])) < MIN_GO:
        raise StackError(f"{out} found at {go}: {_INSTALL_HINTS['go']}")
    return go
