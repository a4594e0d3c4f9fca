import pytest
from microcred_shared.events import Topic
from microcred_shared.settings import ServiceSettings
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_")

    api_secret: SecretStr = SecretStr("changeme")

    def secret_fields(self) -> dict[str, SecretStr]:
        return {"api_secret": self.api_secret}


def test_development_accepts_placeholder_secrets() -> None:
    assert ExampleSettings(environment="development").api_secret.get_secret_value() == "changeme"


@pytest.mark.parametrize("environment", ["production", "test"])
def test_placeholder_secrets_are_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="api_secret"):
        ExampleSettings(environment=environment)


SASL = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_username": "service.example",
    "kafka_password": "a-long-random-kafka-password",
}


def test_a_real_secret_is_accepted_in_production() -> None:
    settings = ExampleSettings(
        environment="production", api_secret="k3Jq9-very-long-random-value", **SASL
    )
    assert settings.api_secret.get_secret_value().startswith("k3Jq9")


@pytest.fixture(autouse=True)
def _no_kafka_principal_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings read these; a developer's shell exporting the local stack's (as
    ``make stack-up`` suggests) must not change what these tests see."""
    for name in (
        "MICROCRED_KAFKA_SECURITY_PROTOCOL",
        "MICROCRED_KAFKA_SASL_MECHANISM",
        "MICROCRED_KAFKA_USERNAME",
        "MICROCRED_KAFKA_PASSWORD",
        "MICROCRED_KAFKA_SSL_CAFILE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_an_unauthenticated_kafka_connection() -> None:
    with pytest.raises(ValidationError, match="unauthenticated Kafka connection"):
        ExampleSettings(environment="production", api_secret="k3Jq9-very-long-random-value")


def test_sasl_without_the_services_principal_is_refused() -> None:
    with pytest.raises(ValidationError, match="MICROCRED_KAFKA_USERNAME"):
        ExampleSettings(kafka_security_protocol="SASL_PLAINTEXT")


def test_the_kafka_connection_carries_the_principal_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MICROCRED_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("MICROCRED_KAFKA_USERNAME", "service.example")
    monkeypatch.setenv("MICROCRED_KAFKA_PASSWORD", "hunter2-hunter2")

    connection = ExampleSettings().kafka

    assert connection.principal == "User:service.example"
    kwargs = connection.aiokafka_kwargs()
    assert (kwargs["sasl_mechanism"], kwargs["sasl_plain_username"]) == (
        "SCRAM-SHA-512",
        "service.example",
    )
    assert "hunter2" not in repr(connection)


def test_infrastructure_addresses_come_from_the_standard_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.internal:9093")
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.internal:27017/")
    monkeypatch.setenv("MICROCRED_TOPIC_PREFIX", "staging.")
    monkeypatch.setenv("EXAMPLE_MONGODB_DATABASE", "example_db")
    settings = ExampleSettings()
    assert settings.kafka_bootstrap_servers == "kafka.internal:9093"
    assert settings.mongodb_uri.get_secret_value() == "mongodb://db.internal:27017/"
    assert settings.mongodb_database == "example_db"
    assert settings.topics.of(Topic.VERIFICATIONS) == "staging.verifications"


def test_the_mongodb_uri_never_shows_in_a_repr() -> None:
    settings = ExampleSettings(mongodb_uri="mongodb://user:hunter2@db/")
    assert "hunter2" not in repr(settings)


def test_the_slow_command_threshold_is_shared_by_every_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MICROCRED_MONGODB_SLOW_COMMAND_MS", "40")

    assert ExampleSettings().mongodb_slow_command_ms == 40
