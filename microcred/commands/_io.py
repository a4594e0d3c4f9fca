"""Small helpers shared by the CLI commands: reading JSON, failing with a usage error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import typer

USAGE_ERROR = 2  # click's own exit code for usage errors; ours match it


def fail_usage(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(USAGE_ERROR)


def read_json(path: Path) -> Any:
    """Parse a JSON file, raising ValueError with a readable message."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc


def read_json_or_fail(path: Path, what: str) -> Any:
    try:
        return read_json(path)
    except ValueError as exc:
        fail_usage(f"{what}: {exc}")
