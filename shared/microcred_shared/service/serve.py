"""Running a service process: tracing installed first, then the app under uvicorn."""

from __future__ import annotations

from typing import Protocol, TypeVar

import uvicorn
from fastapi import FastAPI
from opentelemetry.trace import TracerProvider

from ..settings import ServiceSettings
from ..telemetry import configure_tracing

SettingsT = TypeVar("SettingsT", bound=ServiceSettings, contravariant=True)


class AppFactory(Protocol[SettingsT]):
    def __call__(
        self, settings: SettingsT, *, tracer_provider: TracerProvider | None = None
    ) -> FastAPI: ...


def serve(settings: SettingsT, create_app: AppFactory[SettingsT], *, host: str, port: int) -> None:
    """Every span of the process goes to one tracer provider, made before the app."""
    tracer_provider = configure_tracing(
        settings.service_name, otlp_endpoint=settings.otel_exporter_otlp_endpoint
    )
    app = create_app(settings, tracer_provider=tracer_provider)
    # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS):
    # a service trusts proxies only where its own settings name them (VERIFIER_TRUSTED_PROXIES).
    uvicorn.run(app, host=host, port=port, log_config=None, proxy_headers=False)
