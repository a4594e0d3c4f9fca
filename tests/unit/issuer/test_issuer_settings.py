"""The issuer's settings: ISSUER_ names, safe defaults, refusing placeholder secrets."""

import pytest
from microcred_issuer.config import IssuerSettings
from microcred_issuer.service_layer.urls import IssuerUrls
from pydantic import ValidationError


def test_defaults_name_the_service_its_database_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROCRED_ENVIRONMENT", raising=False)
    settings = IssuerSettings()
    assert (settings.service_name, settings.mongodb_database, settings.http_port) == (
        "issuer",
        "microcred_issuer",
        8002,
    )
    assert settings.proof_suite == "eddsa-rdfc-2022"
    assert settings.status_list_size >= 131_072


def test_issuer_settings_are_read_from_issuer_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISSUER_PROOF_SUITE", "eddsa-jcs-2022")
    monkeypatch.setenv("ISSUER_PUBLIC_BASE_URL", "https://issuer.example/")
    settings = IssuerSettings()
    assert settings.proof_suite == "eddsa-jcs-2022"
    assert settings.base_url == "https://issuer.example"


def test_a_placeholder_key_encryption_key_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="key_encryption_key"):
        IssuerSettings(
            environment="production",
            key_encryption_key="changeme",
            learner_salt_key="a-real-learner-salt-key-0123",
            learner_access_key="a-real-learner-access-key-0123",
            admin_token="a-real-admin-token-0123456",
        )


def test_the_did_web_id_encodes_the_port_and_the_issuers_path() -> None:
    urls = IssuerUrls("http://127.0.0.1:8002", "http://127.0.0.1:8002")
    assert urls.did("uni-a") == "did:web:127.0.0.1%3A8002:issuers:uni-a"
    assert urls.did_document("uni-a") == "http://127.0.0.1:8002/issuers/uni-a/did.json"
