"""``microcred kafka``: an operator sets up and administers a deployment's Kafka access.

Run as the cluster's operator principal (``MICROCRED_KAFKA_USERNAME`` / ``_PASSWORD`` with
``MICROCRED_KAFKA_SECURITY_PROTOCOL``, or the flags). ``provision`` makes the topics and the
services' and registrar's principals (docker compose runs it once before the services);
``grant-provider`` / ``grant-reader`` / ``revoke`` are for deployments whose catalogue holds no
registrar credential.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import Coroutine
from typing import Annotated, Any

import typer
from microcred_shared.events import Topic, TopicNames
from microcred_shared.messaging.access import KafkaAccess, KafkaAccessError
from microcred_shared.messaging.acls import SERVICES
from microcred_shared.messaging.provisioning import (
    REGISTRAR,
    provision_deployment,
    provision_provider,
    provision_reader,
    revoke_principal,
)
from microcred_shared.messaging.topic_layout import (
    DEFAULT_PARTITIONS,
    ReplicationPolicy,
    TopicLayout,
    TopicLayoutError,
)
from microcred_shared.settings import TopicLayoutSettings

from ._io import fail_usage
from .events import Bootstrap, Password, Prefix, Protocol, Username, connection_of

kafka_app = typer.Typer(help="Kafka access: topics, principals and their grants.")

PASSWORD_ENV = "MICROCRED_KAFKA_PASSWORD_{}"  # noqa: S105 - a variable's name, not a secret


def _passwords() -> dict[str, str]:
    """Each service's (and the registrar's) password from ``MICROCRED_KAFKA_PASSWORD_<NAME>``."""
    names = [*SERVICES, REGISTRAR]
    missing = [
        PASSWORD_ENV.format(n.upper())
        for n in names
        if not os.environ.get(PASSWORD_ENV.format(n.upper()))
    ]
    if missing:
        fail_usage("set " + ", ".join(missing) + " (each service's own Kafka password)")
    return {name: os.environ[PASSWORD_ENV.format(name.upper())] for name in names}


def _run(action: Coroutine[Any, Any, None]) -> None:
    try:
        asyncio.run(action)
    except (KafkaAccessError, TopicLayoutError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error


@kafka_app.command("provision")
def provision(
    bootstrap: Bootstrap = "127.0.0.1:9092",
    topic_prefix: Prefix = "",
    kafka_username: Username = None,
    kafka_password: Password = None,
    kafka_security_protocol: Protocol = None,
    partitions: Annotated[
        int, typer.Option(min=1, envvar="MICROCRED_KAFKA_PARTITIONS", help="per topic")
    ] = DEFAULT_PARTITIONS,
    replication_factor: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="MICROCRED_KAFKA_REPLICATION_FACTOR",
            help="copies of each topic [default: the cluster's brokers, at most 3]",
        ),
    ] = None,
    min_insync_replicas: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="MICROCRED_KAFKA_MIN_INSYNC_REPLICAS",
            help="min.insync.replicas of each topic [default: one fewer than its copies]",
        ),
    ] = None,
) -> None:
    """Create the topics and each service's own principal with exactly its grants (idempotent)."""
    operator = connection_of(bootstrap, kafka_username, kafka_password, kafka_security_protocol)
    passwords = _passwords()

    async def apply() -> None:
        made = await provision_deployment(
            operator,
            TopicNames(topic_prefix),
            passwords,
            layout=TopicLayout(
                partitions=partitions,
                # Per-topic overrides, JSON: read as the services read them.
                partitions_by_topic=TopicLayoutSettings().kafka_topic_partitions,
                replication=ReplicationPolicy(replication_factor, min_insync_replicas),
            ),
        )
        for who, connection in made.items():
            typer.echo(f"{who:<10} {connection.username}")

    _run(apply())


@kafka_app.command("grant-provider")
def grant_provider(
    provider_id: Annotated[str, typer.Argument(help="the provider's id in the catalogue")],
    bootstrap: Bootstrap = "127.0.0.1:9092",
    topic_prefix: Prefix = "",
    kafka_username: Username = None,
    kafka_password: Password = None,
    kafka_security_protocol: Protocol = None,
) -> None:
    """A new principal that may write the provider's own topics; prints its password once."""
    operator = connection_of(bootstrap, kafka_username, kafka_password, kafka_security_protocol)

    async def apply() -> None:
        issued = await provision_provider(
            KafkaAccess(operator), TopicNames(topic_prefix), provider_id, _credential_id()
        )
        typer.echo(json.dumps({"username": issued.username, "password": issued.password}))

    _run(apply())


@kafka_app.command("grant-reader")
def grant_reader(
    reader_id: Annotated[str, typer.Argument(help="e.g. a university's registry")],
    topic: Annotated[list[str], typer.Option(help="a topic to read; repeat for more")],
    bootstrap: Bootstrap = "127.0.0.1:9092",
    topic_prefix: Prefix = "",
    kafka_username: Username = None,
    kafka_password: Password = None,
    kafka_security_protocol: Protocol = None,
) -> None:
    """A new read-only principal for announcement topics; prints its password once."""
    operator = connection_of(bootstrap, kafka_username, kafka_password, kafka_security_protocol)
    try:
        topics = [Topic(name) for name in topic]
    except ValueError as error:
        fail_usage(str(error))

    async def apply() -> None:
        issued = await provision_reader(
            KafkaAccess(operator), TopicNames(topic_prefix), reader_id, _credential_id(), topics
        )
        typer.echo(json.dumps({"username": issued.username, "password": issued.password}))

    try:
        _run(apply())
    except ValueError as error:
        fail_usage(str(error))


@kafka_app.command("revoke")
def revoke(
    username: Annotated[str, typer.Argument(help="the principal's SCRAM user name")],
    bootstrap: Bootstrap = "127.0.0.1:9092",
    kafka_username: Username = None,
    kafka_password: Password = None,
    kafka_security_protocol: Protocol = None,
) -> None:
    """Take a principal's grants (at once, even on open connections) and its password away."""
    operator = connection_of(bootstrap, kafka_username, kafka_password, kafka_security_protocol)
    _run(revoke_principal(KafkaAccess(operator), username))
    typer.echo(f"revoked {username}")


def _credential_id() -> str:
    return "kc" + secrets.token_hex(6)


def register(app: typer.Typer) -> None:
    app.add_typer(kafka_app, name="kafka")
