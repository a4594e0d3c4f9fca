"""Entrypoint translation: settings that refuse defaults."""

from __future__ import annotations

import pytest
from microcred_catalogue.config import CatalogueSettings
from pydantic import ValidationError

SASL = {
    "kafka_security_protocol": "SASL_PLAINTEXT",
    "kafka_username": "service.catalogue",
    "kafka_password": "a-real-secret-of-some-length",
}


def test_settings_default_to_the_catalogues_port_database_and_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CATALOGUE_HTTP_PORT", "9001")

    settings = CatalogueSettings()

    assert (settings.service_name, settings.mongodb_database) == (
        "catalogue",
        "microcred_catalogue",
    )
    assert settings.http_port == 9001


def test_a_placeholder_admin_token_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="admin_token"):
        CatalogueSettings(environment="production", admin_token="changeme", **SASL)
    with pytest.raises(ValidationError, match="session_key"):
        CatalogueSettings(
            environment="production", admin_token="a-real-admin-token-0123456", **SASL
        )
    assert CatalogueSettings(environment="development").admin_token.get_secret_value() == "changeme"
