"""The Kafka grants (who reads which topic) say exactly what the services' code consumes: a
service that subscribes to a topic it was not granted would be refused by the broker, and a
grant no code uses is access nobody needs."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from microcred_catalogue.bootstrap import create_app as catalogue_app
from microcred_catalogue.config import CatalogueSettings
from microcred_issuer.bootstrap import create_app as issuer_app
from microcred_issuer.config import IssuerSettings
from microcred_notifier.bootstrap import create_app as notifier_app
from microcred_notifier.config import NotifierSettings
from microcred_shared.events.topics import PROVIDER_TOPIC_READER, READERS, TopicNames
from microcred_shared.service.runtime import Runtime
from microcred_verifier.bootstrap import create_app as verifier_app
from microcred_verifier.config import VerifierSettings

APPS: dict[str, Any] = {
    "catalogue": lambda: catalogue_app(CatalogueSettings()),
    "issuer": lambda: issuer_app(IssuerSettings()),
    "verifier": lambda: verifier_app(VerifierSettings()),
    "notifier": lambda: notifier_app(NotifierSettings()),
}
NAMES = TopicNames("")


def runtime_of(app: FastAPI) -> Runtime:
    for value in app.state._state.values():
        found = value if isinstance(value, Runtime) else getattr(value, "runtime", None)
        if isinstance(found, Runtime):
            return found
    raise AssertionError("no runtime in app.state")


def consumed(runtime: Runtime) -> tuple[set[str], set[str]]:
    topics: set[str] = set()
    patterns: set[str] = set()
    for subscriber in runtime.broker.subscribers:
        if subscriber.pattern:  # type: ignore[attr-defined]
            patterns |= set(subscriber.topic_names)  # type: ignore[attr-defined]
        else:
            topics |= set(subscriber.topic_names)  # type: ignore[attr-defined]
    return topics, patterns


@pytest.mark.parametrize("service", sorted(APPS))
def test_a_service_reads_exactly_the_topics_it_is_granted(service: str) -> None:
    topics, patterns = consumed(runtime_of(APPS[service]()))

    granted = {NAMES.of(topic) for topic, readers in READERS.items() if service in readers}
    granted_families = {
        NAMES.pattern_of(family)
        for family, reader in PROVIDER_TOPIC_READER.items()
        if reader == service
    }
    assert topics == granted
    assert patterns == granted_families
