"""Writes the published JSON Schemas of every event contract (``make schemas``)."""

from __future__ import annotations

import sys
from pathlib import Path

from microcred_shared.events.registry import export_schemas

DEFAULT_DIRECTORY = Path("shared/microcred_shared/events/schemas")


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIRECTORY
    for path in export_schemas(directory):
        print(path)


if __name__ == "__main__":
    main()
