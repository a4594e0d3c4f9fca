"""docker-compose.yml cannot run on the development machine (no Docker engine), so its wiring
is checked against the code it deploys: every service variable must be a real setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from microcred_catalogue.config import CatalogueSettings
from microcred_issuer.config import IssuerSettings
from microcred_notifier.config import NotifierSettings
from microcred_shared.events.topics import TopicNames
from microcred_shared.messaging.acls import registrar_principal, service_principal
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
    "MICROCRED_KAFKA_SECURITY_PROTOCOL",
    "MICROCRED_KAFKA_SASL_MECHANISM",
    "MICROCRED_KAFKA_USERNAME",
    "MICROCRED_KAFKA_PASSWORD",
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
        "kafka-provision": {"condition": "service_completed_successfully"},
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


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_service_connects_to_kafka_as_its_own_provisioned_principal(
    compose: dict[str, Any], name: str
) -> None:
    environment = compose["services"][name]["environment"]
    assert environment["MICROCRED_KAFKA_SECURITY_PROTOCOL"].startswith("SASL_")
    assert environment["MICROCRED_KAFKA_USERNAME"] == service_principal(TopicNames(""), name)
    assert environment["MICROCRED_KAFKA_PASSWORD"].startswith(f"${{KAFKA_{name.upper()}_PASSWORD:?")
    provision = compose["services"]["kafka-provision"]["environment"]
    assert (
        provision[f"MICROCRED_KAFKA_PASSWORD_{name.upper()}"]
        == (environment["MICROCRED_KAFKA_PASSWORD"])
    )
    settings = SETTINGS[name](
        environment="development",
        kafka_security_protocol=environment["MICROCRED_KAFKA_SECURITY_PROTOCOL"],
        kafka_sasl_mechanism=environment["MICROCRED_KAFKA_SASL_MECHANISM"],
        kafka_username="x",
        kafka_password="y",
    )
    assert settings.kafka.uses_sasl


def test_only_the_catalogue_holds_the_registrar_credential(compose: dict[str, Any]) -> None:
    holders = {
        name
        for name in SETTINGS
        if any("REGISTRAR" in v for v in compose["services"][name]["environment"])
    }
    assert holders == {"catalogue"}
    catalogue = compose["services"]["catalogue"]["environment"]
    assert catalogue["CATALOGUE_KAFKA_REGISTRAR_USERNAME"] == registrar_principal(TopicNames(""))


def test_the_broker_authenticates_every_listener_and_denies_what_was_not_granted(
    compose: dict[str, Any],
) -> None:
    kafka = compose["services"]["kafka"]["environment"]
    protocols = dict(p.split(":") for p in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(protocols.values()) <= {"SASL_PLAINTEXT", "SASL_SSL"}
    assert set(protocols) == {
        listener.split(":")[0] for listener in kafka["KAFKA_LISTENERS"].split(",")
    }
    assert kafka["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert kafka["KAFKA_SUPER_USERS"] == "User:admin"
    provision = compose["services"]["kafka-provision"]
    assert provision["command"] == ["microcred", "kafka", "provision"]
    assert provision["environment"]["MICROCRED_KAFKA_USERNAME"] == "admin"


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


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_service_writes_to_the_mongodb_replica_set_with_majority_acknowledgement(
    compose: dict[str, Any], name: str
) -> None:
    uri = compose["services"][name]["environment"]["MONGODB_URI"]
    options = parse_qs(urlsplit(uri).query)
    replica_set = compose["services"]["mongodb"]["command"]

    assert options["replicaSet"] == [replica_set[replica_set.index("--replSet") + 1]]
    assert options["w"] == ["majority"]
