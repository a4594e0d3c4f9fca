"""The environment ``microcred.ecosystem`` starts the services with: development allows local
URLs; production mode allows none (even if the caller's shell does) and its secrets pass the
services' production checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from microcred_catalogue.config import CatalogueSettings
from microcred_issuer.config import IssuerSettings
from microcred_notifier.config import NotifierSettings
from microcred_shared.messaging.connection import KafkaConnection, SecurityProtocol
from microcred_verifier.config import VerifierSettings
from pydantic_settings import BaseSettings

from microcred.ecosystem.processes import Ecosystem

SETTINGS: dict[str, type[BaseSettings]] = {
    "catalogue": CatalogueSettings,
    "issuer": IssuerSettings,
    "verifier": VerifierSettings,
    "notifier": NotifierSettings,
}


def ecosystem(run_dir: Path, *, production: bool) -> Ecosystem:
    operator = KafkaConnection(
        "127.0.0.1:9092", SecurityProtocol.SASL_PLAINTEXT, username="admin", password="x" * 32
    )
    return Ecosystem(
        run_dir=run_dir,
        kafka=operator,
        mongodb_uri="mongodb://127.0.0.1:27017/",
        production=production,
    )


def test_a_production_ecosystem_starts_every_service_in_production_with_no_private_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_ALLOW_PRIVATE_URLS", "true")  # a developer's shell
    production = ecosystem(tmp_path, production=True)
    loaded: dict[str, BaseSettings] = {}
    for service in production.services:
        environment = production.environment(service)
        assert environment["MICROCRED_ENVIRONMENT"] == "production"
        assert [name for name in environment if "_ALLOW_PRIVATE_" in name] == []
        with monkeypatch.context() as scoped:  # exactly the environment the process gets
            for name in set(os.environ) - set(environment):
                scoped.delenv(name)
            for name, value in environment.items():
                scoped.setenv(name, value)
            loaded[service.name] = SETTINGS[service.name]()  # refuses short secrets
        assert loaded[service.name].environment.value == "production"  # type: ignore[attr-defined]
    verifier = loaded["verifier"]
    assert isinstance(verifier, VerifierSettings)
    assert verifier.allow_private_urls is False
    principals = {s.kafka.principal for s in loaded.values()}  # type: ignore[attr-defined]
    assert principals == {f"User:service.{name}" for name in SETTINGS}  # each its own


def test_only_the_catalogue_is_given_the_registrars_kafka_credential(tmp_path: Path) -> None:
    development = ecosystem(tmp_path, production=False)
    holders = [
        service.name
        for service in development.services
        if "CATALOGUE_KAFKA_REGISTRAR_PASSWORD" in development.environment(service)
    ]
    assert holders == ["catalogue"]


def test_a_development_ecosystem_allows_the_local_urls_it_runs_on(tmp_path: Path) -> None:
    development = ecosystem(tmp_path, production=False)
    environment = development.environment(development.service("verifier"))
    assert environment["VERIFIER_ALLOW_PRIVATE_URLS"] == "true"
    assert environment["NOTIFIER_ALLOW_PRIVATE_WEBHOOK_URLS"] == "true"
