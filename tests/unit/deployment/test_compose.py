"""docker-compose.yml cannot run on the development machine (no Docker engine), so its wiring
is checked against the code it deploys: every service variable must be a real setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from microcred_catalogue.config import CatalogueSettings
from microcred_issuer.config import IssuerSettings
from microcred_notifier.config import NotifierSettings
from microcred_verifier.config import VerifierSettings
from pydantic_settings import BaseSettings

ROOT = Path(__file__).parents[3]
SETTINGS: dict[str, type[BaseSettings]] = {
    "catalogue": CatalogueSettings,
    "issuer": IssuerSettings,
    "verifier": VerifierSettings,
    "notifier": NotifierSettings,
}
SHARED_VARIABLES = {
    "MICROCRED_ENVIRONMENT",
    "KAFKA_BOOTSTRAP_SERVERS",
    "MONGODB_URI",
    "MICROCRED_OTEL_EXPORTER_OTLP_ENDPOINT",
    "HEALTHCHECK_PORT",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_service_variable_in_compose_is_a_setting_the_service_reads(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    prefix = f"{name.upper()}_"
    fields = {field.upper() for field in SETTINGS[name].model_fields}
    for variable in service["environment"]:
        if variable in SHARED_VARIABLES:
            continue
        assert variable.startswith(prefix), f"{name}: {variable} has no {prefix} prefix"
        assert variable.removeprefix(prefix) in fields, f"{name}: {variable} is read by nothing"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_service_waits_for_healthy_kafka_and_mongodb_and_runs_its_own_module(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    assert service["depends_on"] == {
        "kafka": {"condition": "service_healthy"},
        "mongodb": {"condition": "service_healthy"},
    }
    assert service["command"] == ["python", "-m", f"microcred_{name}"]
    assert "healthcheck" in service
    assert service["environment"]["MICROCRED_ENVIRONMENT"] == "production"


def test_secrets_must_be_supplied_not_defaulted(compose: dict[str, Any]) -> None:
    for name in SETTINGS:
        for variable, value in compose["services"][name]["environment"].items():
            if variable.endswith(("_TOKEN", "_KEY")):
                assert str(value).startswith("${"), variable
                assert ":?" in str(value), f"{variable} must fail when unset"


def test_the_infrastructure_has_health_checks(compose: dict[str, Any]) -> None:
    for name in ("kafka", "mongodb"):
        assert "healthcheck" in compose["services"][name]
    assert "--replSet" in compose["services"]["mongodb"]["command"]


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_secret_a_service_refuses_to_default_is_supplied_by_compose(
    compose: dict[str, Any], name: str
) -> None:
    secrets = SETTINGS[name](environment="development").secret_fields()  # type: ignore[call-arg, attr-defined]
    supplied = set(compose["services"][name]["environment"])
    for field in secrets:
        assert f"{name.upper()}_{field.upper()}" in supplied, field
