"""``python -m microcred_issuer``: run the issuer under uvicorn."""

from __future__ import annotations

import uvicorn

from .bootstrap import configure, create_app
from .config import IssuerSettings


def main() -> None:
    settings = IssuerSettings()
    configure(settings)
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None
    )


if __name__ == "__main__":
    main()
