"""pytest plugin: the real Kafka + MongoDB-wire infrastructure for integration and e2e tests.

``infra`` (session-scoped, started only when a test asks for it) picks, in order:

1. ``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URI`` from the environment (CI services, a running
   ``make stack-up``, ...);
2. testcontainers (Kafka in KRaft mode, MongoDB) when a Docker engine answers;
3. otherwise the project's own LocalStack (Kafka jars on the JVM + FerretDB/SQLite) on free
   ports in a per-session temp dir, stopped at session end.

``MICROCRED_TEST_INFRA=env|docker|local`` forces one branch. Tests isolate themselves with
``topic_prefix`` and ``unique_name``; nothing is shared between runs except the servers.

The local stack's broker authenticates every client (SASL/SCRAM) and authorises each principal
by ACLs, as in production: ``infra.kafka`` is the operator's (super user's) connection, which
tests use to provision principals and to look at topics; services under test run as their own
principals. With an external broker, ``MICROCRED_KAFKA_USERNAME`` / ``_PASSWORD`` (and
``MICROCRED_KAFKA_SECURITY_PROTOCOL``) name its operator principal.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from microcred_shared.events.topics import TopicNames
from microcred_shared.messaging.access import KafkaAccess
from microcred_shared.messaging.acls import SERVICES, provider_topics
from microcred_shared.messaging.connection import KafkaConnection
from microcred_shared.messaging.provisioning import (
    REGISTRAR,
    provision_deployment,
    provision_provider,
)
from pydantic import SecretStr

from stack import LocalStack, default_root, fetch_all, free_ports
from stack.layout import Layout

KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"
MONGO_ENV = "MONGODB_URI"
MODE_ENV = "MICROCRED_TEST_INFRA"
DOCKER_SOCKET = "/var/run/docker.sock"
# Docker branch images: testcontainers' Kafka module drives the Confluent image (KRaft >= 7.4).
KAFKA_IMAGE = "confluentinc/cp-kafka:7.9.0"
MONGO_IMAGE = "mongo:7.0"
# MongoDB database names: at most 63 bytes, no "/\. "$" characters; Kafka allows [a-zA-Z0-9._-].
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Infra:
    """Where the real servers of this test session are."""

    kafka: KafkaConnection
    mongodb_uri: str
    run_id: str
    # Stops and restarts the broker on its data: only when the session started the broker.
    restart_kafka: Callable[[], None] | None = None

    @property
    def kafka_bootstrap(self) -> str:
        return self.kafka.bootstrap_servers

    def kafka_settings(self) -> dict[str, object]:
        """Service settings fields connecting as the operator's principal."""
        return kafka_settings_of(self.kafka)


def kafka_settings_of(connection: KafkaConnection) -> dict[str, object]:
    """The ``ServiceSettings`` fields that make a service connect as ``connection`` (for the
    constructor or ``model_copy(update=...)``)."""
    return {
        "kafka_bootstrap_servers": connection.bootstrap_servers,
        "kafka_security_protocol": connection.security_protocol,
        "kafka_sasl_mechanism": connection.sasl_mechanism,
        "kafka_username": connection.username,
        "kafka_password": SecretStr(connection.password) if connection.password else None,
    }


async def provision_services(admin: KafkaConnection, prefix: str) -> dict[str, KafkaConnection]:
    """The fixed topics of a test deployment and each service's own principal with its grants
    (``"registrar"`` too), as ``microcred up`` makes them."""
    passwords = {who: secrets.token_urlsafe(24) for who in [*SERVICES, REGISTRAR]}
    return await provision_deployment(admin, TopicNames(prefix), passwords)


async def provider_principal(
    admin: KafkaConnection, prefix: str, provider_id: str
) -> KafkaConnection:
    """A provider's inbound topics and a principal that may write them, as the catalogue's
    registrar makes them."""
    names = TopicNames(prefix)
    access = KafkaAccess(admin)
    if not admin.uses_sasl:
        await access.create_topics([(t, 1, {}) for t in provider_topics(names, provider_id)])
        return admin
    issued = await provision_provider(access, names, provider_id, "kc" + secrets.token_hex(4))
    return admin.as_principal(issued.username, issued.password)


@pytest.fixture(scope="session")
def run_id() -> str:
    """A short id unique to this pytest run; part of every topic and database name."""
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def infra(run_id: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    with ExitStack() as cleanup:
        kafka, mongo, restart_kafka = _provide(cleanup, tmp_path_factory)
        yield Infra(kafka, mongo, run_id, restart_kafka)


@pytest.fixture(scope="session")
def topic_prefix(run_id: str) -> str:
    """Prefix for Kafka topic names created by this run, e.g. ``t1a2b3c4d.``."""
    return f"t{run_id}."


@pytest.fixture
def unique_name(run_id: str) -> Callable[[str], str]:
    """``unique_name("issuer")`` -> ``issuer_<run_id>_<n>_<rand>``: a valid topic and db name."""
    counter = itertools.count(1)

    def make(base: str) -> str:
        name = f"{_UNSAFE.sub('_', base)}_{run_id}_{next(counter)}_{uuid.uuid4().hex[:4]}"
        return name[-63:]  # keep the unique tail if a long base pushes past MongoDB's limit

    return make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that use the real infrastructure as ``integration`` unless already marked."""
    for item in items:
        uses_infra = "infra" in getattr(item, "fixturenames", ())
        marked = item.get_closest_marker("integration") or item.get_closest_marker("e2e")
        if uses_infra and not marked:
            item.add_marker(pytest.mark.integration)


Provided = tuple[KafkaConnection, str, Callable[[], None] | None]


def _provide(cleanup: ExitStack, tmp_path_factory: pytest.TempPathFactory) -> Provided:
    """(kafka_bootstrap, mongodb_uri, restart_kafka) from the first branch that applies; see
    module doc."""
    mode = os.environ.get(MODE_ENV, "").strip().lower()
    if mode not in ("", "env", "docker", "local"):
        raise pytest.UsageError(f"{MODE_ENV}={mode!r}: expected env, docker or local")
    kafka, mongo = os.environ.get(KAFKA_ENV), os.environ.get(MONGO_ENV)
    if mode == "env" or (not mode and kafka and mongo):
        if not (kafka and mongo):
            raise pytest.UsageError(f"{MODE_ENV}=env needs {KAFKA_ENV} and {MONGO_ENV}")
        return KafkaConnection.from_environment(), mongo, None
    if mode == "docker" or (not mode and _docker_available()):
        kafka, mongo = _containers(cleanup)
        return KafkaConnection(kafka), mongo, None
    return _local_stack(cleanup, tmp_path_factory)


def _docker_available() -> bool:
    """True if a Docker engine answers a ping within a few seconds."""
    if not os.environ.get("DOCKER_HOST") and not Path(DOCKER_SOCKET).exists():
        return False  # the common no-Docker case, decided without importing the client
    try:
        import docker  # installed with testcontainers
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no socket, permission denied, engine down: all mean "no Docker"
        return False


def _containers(cleanup: ExitStack) -> tuple[str, str]:
    # Imported here: only this branch needs testcontainers (and its Docker client).
    try:
        from testcontainers.community.kafka import KafkaContainer
        from testcontainers.community.mongodb import MongoDbContainer
    except ImportError:  # testcontainers releases before the "community" namespace
        from testcontainers.kafka import KafkaContainer
        from testcontainers.mongodb import MongoDbContainer

    kafka = cleanup.enter_context(KafkaContainer(KAFKA_IMAGE).with_kraft())
    mongo = cleanup.enter_context(MongoDbContainer(MONGO_IMAGE))
    return kafka.get_bootstrap_server(), mongo.get_connection_url()


def _local_stack(cleanup: ExitStack, tmp_path_factory: pytest.TempPathFactory) -> Provided:
    root = default_root()
    # Idempotent and quick when already fetched; on a fresh checkout it downloads/builds once.
    fetch_all(Layout.at(root), report=lambda line: print(f"[stack] {line}"))
    kafka_port, mongo_port = free_ports(2)
    stack = LocalStack(
        root,
        kafka_port=kafka_port,
        mongo_port=mongo_port,
        data_dir=tmp_path_factory.mktemp("stack"),
        die_with_parent=True,  # a killed pytest must not leave a JVM running
    )
    cleanup.callback(stack.stop, grace=5.0)  # registered first: also cleans a failed start
    stack.start()
    return stack.kafka_admin, stack.mongodb_uri, stack.restart_kafka
