"""``python -m microcred_verifier``: run the verifier under uvicorn."""

from __future__ import annotations

from microcred_shared.service.serve import serve

from .bootstrap import configure, create_app
from .config import VerifierSettings


def main() -> None:
    settings = VerifierSettings()
    configure(settings)
    serve(settings, create_app, host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
