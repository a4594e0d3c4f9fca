"""``python -m microcred_catalogue``: run the catalogue under uvicorn."""

from __future__ import annotations

from microcred_shared.service.serve import serve

from .bootstrap import configure, create_app
from .config import CatalogueSettings


def main() -> None:
    settings = CatalogueSettings()
    configure(settings)
    serve(settings, create_app, host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
