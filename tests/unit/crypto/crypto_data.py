"""Paths and loaders for the crypto tests' data (a uniquely named module: the test folders
are not packages, so a shared name such as ``conftest`` could resolve to another folder's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "data"
W3C = DATA / "vectors" / "vc-di-eddsa"
ONEEDTECH = DATA / "vectors" / "1edtech-ob30"
RICH = DATA / "credentials" / "rich-openbadge.json"


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def text(path: Path) -> str:
    return path.read_text("utf-8")
