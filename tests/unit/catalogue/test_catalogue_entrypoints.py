"""Entrypoint translation: who a Kafka course event speaks for, settings that refuse defaults."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from microcred_catalogue.config import CatalogueSettings
from microcred_catalogue.entrypoints.consumers import publisher_of
from microcred_shared.events import CloudEvent
from microcred_shared.events.contracts.partner import CourseEventV1
from microcred_shared.messaging.dead_letter import Rejected
from pydantic import ValidationError


def event_from(source: str) -> CloudEvent[CourseEventV1]:
    data = CourseEventV1(action="retired", provider_id="uni-a", course_code="X", version=2)
    return CloudEvent[CourseEventV1](
        id="e-1", source=source, type="org.microcred.partner.course.retired.v1",
        time=datetime(2026, 1, 1, tzinfo=UTC), dataschema="https://x", data=data,
    )  # fmt: skip


@pytest.mark.parametrize(
    "source",
    ["/providers/uni-a", "https://partner.example/providers/uni-a", "urn:microcred:provider:uni-a"],
)
def test_a_course_event_speaks_for_the_provider_its_source_names(source: str) -> None:
    assert publisher_of(event_from(source)) == "uni-a"


def test_a_source_naming_no_provider_is_dead_lettered_as_unknown_publisher() -> None:
    with pytest.raises(Rejected) as raised:
        publisher_of(event_from("/some/erp"))
    assert raised.value.code == "unknown_publisher"


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
        CatalogueSettings(environment="production", admin_token="changeme")
    with pytest.raises(ValidationError, match="session_key"):
        CatalogueSettings(environment="production", admin_token="a-real-admin-token-0123456")
    assert CatalogueSettings(environment="development").admin_token.get_secret_value() == "changeme"
