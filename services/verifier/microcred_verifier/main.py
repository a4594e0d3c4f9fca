"""``python -m microcred_verifier``: run the verifier under uvicorn."""

from __future__ import annotations

import uvicorn
from microcred_shared.telemetry import configure_tracing

from microcred_verifier.bootstrap import configure, create_app
from microcred_verifier.config import VerifierSettings


def main() -> None:
    settings = VerifierSettings()
    configure(settings)
    tracer_provider = configure_tracing(
        settings.service_name, otlp_endpoint=settings.otel_exporter_otlp_endpoint
    )
    uvicorn.run(
        create_app(settings, tracer_provider=tracer_provider),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
    )


if __name__ == "__main__":
    main()
