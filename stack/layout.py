"""Where the stack keeps things: fetched binaries under ``root``, runtime state under ``data``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

KAFKA_VERSION = "4.1.1"
STACK_DIR_ENV = "MICROCRED_STACK_DIR"
KAFKA_PORT_ENV = "MICROCRED_KAFKA_PORT"
MONGO_PORT_ENV = "MICROCRED_MONGO_PORT"


def repo_root() -> Path:
    """The checkout this package lives in (editable install), else the working directory."""
    candidate = Path(__file__).resolve().parent.parent
    return candidate if (candidate / "pyproject.toml").is_file() else Path.cwd()


def default_root() -> Path:
    """``$MICROCRED_STACK_DIR`` or ``<repo>/.stack`` (git-ignored)."""
    env = os.environ.get(STACK_DIR_ENV)
    return Path(env).resolve() if env else repo_root() / ".stack"


@dataclass(frozen=True)
class Layout:
    """Paths under one stack root; ``data`` may point elsewhere (e.g. a per-test temp dir)."""

    root: Path
    data: Path

    @classmethod
    def at(cls, root: Path, data: Path | None = None) -> Layout:
        root = root.resolve()
        return cls(root=root, data=(data or root / "run").resolve())

    @property
    def kafka_libs(self) -> Path:
        return self.root / "kafka" / "libs"

    @property
    def kafka_stamp(self) -> Path:
        # Written last by fetch, so a half-copied libs dir never counts as present.
        return self.root / "kafka" / f"kafka-{KAFKA_VERSION}.complete"

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    @property
    def ferretdb_bin(self) -> Path:
        return self.bin_dir / "ferretdb"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def lock_file(self) -> Path:
        return self.data / ".lock"
