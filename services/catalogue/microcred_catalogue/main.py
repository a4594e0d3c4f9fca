"""``python -m microcred_catalogue``: run the catalogue under uvicorn."""

from __future__ import annotations

import uvicorn

from .bootstrap import configure, create_app
from .config import CatalogueSettings


def main() -> None:
    settings = CatalogueSettings()
    configure(settings)
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None
    )


if __name__ == "__main__":
    main()
