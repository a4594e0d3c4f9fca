"""The notifier's settings refuse what must never reach production."""

import pytest
from microcred_notifier.config import NotifierSettings
from pydantic import ValidationError

REAL = {
    "admin_token": "a" * 32,
    "secret_encryption_key": "k" * 32,
    "kafka_security_protocol": "SASL_SSL",
    "kafka_username": "service.notifier",
    "kafka_password": "p" * 32,
}


def test_defaults_name_the_service_its_database_and_port() -> None:
    settings = NotifierSettings()
    assert (settings.service_name, settings.mongodb_database, settings.http_port) == (
        "notifier",
        "microcred_notifier",
        8004,
    )
    assert settings.retry_delays_seconds == (5, 300, 1800, 7200, 18000, 36000, 36000)


def test_placeholder_secrets_are_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="admin_token, secret_encryption_key"):
        NotifierSettings(environment="production")


def test_private_webhook_urls_are_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="allow_private_webhook_urls"):
        NotifierSettings(environment="production", allow_private_webhook_urls=True, **REAL)


def test_settings_are_read_from_notifier_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFIER_SMTP_PORT", "2525")
    monkeypatch.setenv("NOTIFIER_RETRY_DELAYS_SECONDS", "[0.01, 0.02]")
    settings = NotifierSettings()
    assert settings.smtp_port == 2525
    assert settings.retry_delays_seconds == (0.01, 0.02)
