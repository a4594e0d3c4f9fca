"""Digital Bazaar's JavaScript stack, which the interop tests run through node: where it is,
and whether it is installed (``tests/interop/install.sh``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"


def require_js_package(package: str) -> None:
    """Skip the calling tests when node or ``@digitalbazaar/<package>`` is missing; fail them
    instead under ``MICROCRED_REQUIRE_INTEROP=1`` (what ``make test`` sets)."""
    missing = None
    if shutil.which("node") is None:
        missing = "node is not installed"
    elif not (JS / "node_modules" / "@digitalbazaar" / package).is_dir():
        missing = "the JS stack is not installed: run tests/interop/install.sh"
    if missing:
        if os.environ.get("MICROCRED_REQUIRE_INTEROP") == "1":
            pytest.fail(missing)
        pytest.skip(missing)


def run_node(script: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """One of the scripts in ``js/`` (``node SCRIPT ARGS``), its output captured as text."""
    return subprocess.run(
        ["node", str(script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
