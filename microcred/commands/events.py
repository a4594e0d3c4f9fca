"""Talking to the ecosystem's Kafka topics: publish courses and completions, tail a topic.

These commands are what a partner without its own Kafka client (or an operator) uses, and they
publish exactly what a partner's own producer would: a CloudEvent in structured JSON mode, on
the provider's own topic, as the provider's own Kafka principal (the credential the catalogue
handed out at registration: ``--kafka-username`` / ``--kafka-password`` or
``MICROCRED_KAFKA_USERNAME`` / ``MICROCRED_KAFKA_PASSWORD``).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import json
from collections.abc import Coroutine
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from microcred_shared.events import CONTENT_TYPE, CloudEvent, ProviderTopic, Topic, TopicNames
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.contracts.partner import CourseEventV1
from microcred_shared.events.registry import (
    COMPLETION_REPORTED,
    COURSE_CHANGED,
    COURSE_OFFERED,
    COURSE_RETIRED,
)
from microcred_shared.messaging.connection import (
    ENV_PASSWORD,
    ENV_PROTOCOL,
    ENV_USERNAME,
    KafkaConnection,
    SecurityProtocol,
)
from pydantic import ValidationError
from rich.console import Console
from rich.progress import track

from ._io import fail_usage, read_json_or_fail

# Every command that talks to Kafka lists these options again in its signature: typer takes
# options per command (a shared callback would move them before the command's name).
Bootstrap = Annotated[
    str, typer.Option("--bootstrap", envvar="KAFKA_BOOTSTRAP_SERVERS", help="Kafka bootstrap")
]
Prefix = Annotated[
    str, typer.Option("--topic-prefix", envvar="MICROCRED_TOPIC_PREFIX", help="topic prefix")
]
Username = Annotated[
    str | None,
    typer.Option("--kafka-username", envvar=ENV_USERNAME, help="your Kafka (SCRAM) user name"),
]
Password = Annotated[
    str | None,
    typer.Option("--kafka-password", envvar=ENV_PASSWORD, help="your Kafka password"),
]
Protocol = Annotated[
    SecurityProtocol | None,
    typer.Option(
        "--kafka-security-protocol",
        envvar=ENV_PROTOCOL,
        help="default SASL_PLAINTEXT when a user name is given, else PLAINTEXT",
    ),
]
COURSE_SPECS = {"offered": COURSE_OFFERED, "changed": COURSE_CHANGED, "retired": COURSE_RETIRED}
CLI_SOURCE = "/microcred/cli"

console = Console(stderr=True)


def learner_partition_key(completion: CompletionV1) -> str:
    """Per-learner ordering without putting the e-mail address in the record key."""
    identifier = completion.learner.did or str(completion.learner.email).lower()
    return hashlib.sha256(identifier.encode()).hexdigest()[:32]


def connection_of(
    bootstrap: str, username: str | None, password: str | None, protocol: SecurityProtocol | None
) -> KafkaConnection:
    if username and not password:
        fail_usage("--kafka-username needs --kafka-password (or MICROCRED_KAFKA_PASSWORD)")
    chosen = protocol or (
        SecurityProtocol.SASL_PLAINTEXT if username else SecurityProtocol.PLAINTEXT
    )
    return KafkaConnection(bootstrap, chosen, username=username, password=password)


def run_on_kafka(action: Coroutine[Any, Any, None], connection: KafkaConnection) -> None:
    """Run a Kafka action; the broker's refusals become one clear line and exit 1."""
    try:
        asyncio.run(action)
    except TopicAuthorizationFailedError as error:
        who = connection.username or "an anonymous client"
        topic = error.args[0] if error.args else "a topic"
        console.print(
            f"[red]error:[/red] the broker refused {who} on {topic}: "
            "a provider may write only its own partner.<id>.course-events and "
            "learning.<id>.completions, and read only their .dlq"
        )
        raise typer.Exit(1) from error
    except KafkaConnectionError as error:
        hint = (
            "check --kafka-username / --kafka-password"
            if connection.uses_sasl
            else "the broker requires authentication: give --kafka-username and --kafka-password "
            "(or MICROCRED_KAFKA_USERNAME / MICROCRED_KAFKA_PASSWORD)"
        )
        console.print(
            f"[red]error:[/red] could not connect to {connection.bootstrap_servers}: {hint}"
        )
        raise typer.Exit(1) from error


async def _publish(
    connection: KafkaConnection, records: list[tuple[str, str, CloudEvent[Any]]]
) -> None:
    producer = AIOKafkaProducer(**connection.aiokafka_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for topic, key, event in track(records, description="publishing", console=console):
            await producer.send_and_wait(
                topic,
                event.to_json_bytes(),
                key=key.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
    finally:
        await producer.stop()


def course_events(raw: Any) -> list[CloudEvent[CourseEventV1]]:
    items = raw if isinstance(raw, list) else [raw]
    events = []
    for index, item in enumerate(items):
        try:
            course = CourseEventV1.model_validate(item)
        except ValidationError as error:
            fail_usage(f"course event #{index + 1} is invalid:\n{error}")
        spec = COURSE_SPECS[course.action]
        subject = f"{course.provider_id}/{course.course_code}"
        # Informative only: the catalogue knows the publisher from the topic, which only the
        # provider's principal may write, and refuses a course of another provider.
        source = f"/providers/{course.provider_id}"
        events.append(spec.envelope(course, source=source, subject=subject))
    return events


def publish_course(
    file: Annotated[Path, typer.Argument(help="JSON course event, or a list of them")],
    bootstrap: Bootstrap = "127.0.0.1:9092",
    topic_prefix: Prefix = "",
    kafka_username: Username = None,
    kafka_password: Password = None,
    kafka_security_protocol: Protocol = None,
) -> None:
    """Publish course events (offered / changed / retired) onto partner.<provider>.course-events."""
    events = course_events(read_json_or_fail(file, "course file"))
    names = TopicNames(topic_prefix)
    records = [
        (names.of_provider(ProviderTopic.COURSE_EVENTS, e.data.provider_id), e.subject or "", e)
        for e in events
    ]
    connection = connection_of(bootstrap, kafka_username, kafka_password, kafka_security_protocol)
    run_on_kafka(_publish(connection, records), connection)
    topics = ", ".join(sorted({topic for topic, _, _ in records}))
    console.print(f"published {len(records)} course event(s) to {topics}")


def _completion_rows(csv_file: Path, provider: str) -> list[CompletionV1]:
    """A cohort CSV: completion_id, achievement_id, email, name, completed_on, grade."""
    with csv_file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    completions = []
    for number, row in enumerate(rows, start=2):
        try:
            completions.append(
                CompletionV1.model_validate(
                    {
                        "completion_id": row["completion_id"],
                        "provider_id": provider,
                        "achievement_id": row["achievement_id"],
                        "learner": {"email": row["email"], "name": row.get("name") or None},
                        "completed_on": row["completed_on"],
                        "results": (
                            [{"name": "Grade", "value": row["grade"]}] if row.get("grade") else []
                        ),
                    }
                )
            )
        except (KeyError, ValidationError) as error:
            fail_usage(f"{csv_file}: row {number} is invalid: {error}")
    return completions


def complete(
    provider: Annotated[str, typer.Option(help="provider id reporting the completion")],
    achievement: Annotated[str | None, typer.Option(help="achievement id")] = None,
    email: Annotated[str | None, typer.Option(help="learner e-mail")] = None,
    name: Annotated[str | None, typer.Option(help="learner name")] = None,
    completion_id: Annotated[str | None, typer.Option(help="the provider's own id")] = None,
    completed_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
    grade: Annotated[str | None, typer.Option(help="final grade")] = None,
    cohort: Annotated[Path | None, typer.Option(help="cohort CSV instead of one learner")] = None,
    bootstrap: Bootstrap = "127.0.0.1:9092",
    topic_prefix: Prefix = "",
    kafka_username: Username = None,
    kafka_password: Password = None,
    kafka_security_protocol: Protocol = None,
) -> None:
    """Report completions onto learning.<provider>.completions: one learner, or a cohort CSV."""
    if cohort:
        completions = _completion_rows(cohort, provider)
    elif achievement and email and completion_id:
        payload = {
            "completion_id": completion_id,
            "provider_id": provider,
            "achievement_id": achievement,
            "learner": {"email": email, "name": name},
            "completed_on": completed_on or date.today().isoformat(),
            "results": [{"name": "Grade", "value": grade}] if grade else [],
        }
        try:
            completions = [CompletionV1.model_validate(payload)]
        except ValidationError as error:
            fail_usage(str(error))
    else:
        fail_usage("give --cohort FILE, or --achievement, --email and --completion-id")
    topic = TopicNames(topic_prefix).of_provider(ProviderTopic.COMPLETIONS, provider)
    records = [
        (
            topic,
            learner_partition_key(c),
            COMPLETION_REPORTED.envelope(c, source=CLI_SOURCE, subject=c.completion_id),
        )
        for c in completions
    ]
    connection = connection_of(bootstrap, kafka_username, kafka_password, kafka_security_protocol)
    run_on_kafka(_publish(connection, records), connection)
    console.print(f"published {len(records)} completion(s) to {topic}")


def describe(value: bytes) -> str:
    try:
        event = json.loads(value)
        data = json.dumps(event.get("data"), ensure_ascii=False)
        return f"[bold]{event.get('type')}[/bold] {event.get('subject') or ''}\n  {data[:400]}"
    except (json.JSONDecodeError, AttributeError):
        return f"[red]not a CloudEvent[/red] {value[:200]!r}"


async def _tail(
    connection: KafkaConnection, topic: str, from_beginning: bool, limit: int | None
) -> None:
    consumer = AIOKafkaConsumer(
        topic,
        **connection.aiokafka_kwargs(),
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    out = Console()
    seen = 0
    try:
        async for record in consumer:
            out.print(f"[dim]{record.partition}:{record.offset}[/dim] {describe(record.value)}")
            seen += 1
            if limit is not None and seen >= limit:
                return
    finally:
        await consumer.stop()


def tail(
    topic: Annotated[str, typer.Argument(help="logical topic, e.g. credentials.issued")],
    from_beginning: Annotated[bool, typer.Option("--from-beginning")] = False,
    limit: Annotated[int | None, typer.Option(help="stop after this many events")] = None,
    bootstrap: Bootstrap = "127.0.0.1:9092",
    topic_prefix: Prefix = "",
    kafka_username: Username = None,
    kafka_password: Password = None,
    kafka_security_protocol: Protocol = None,
) -> None:
    """Pretty-print the events flowing on a topic you may read (Ctrl-C to stop)."""
    names = TopicNames(topic_prefix)
    physical = topic_prefix + topic
    base = physical.removesuffix(".dlq")
    inbound = any(names.provider_of(family, base) for family in ProviderTopic)
    if base.removeprefix(topic_prefix) not in {t.value for t in Topic} and not inbound:
        known = ", ".join(sorted(t.value for t in Topic))
        fail_usage(
            f"unknown topic {topic!r}; known: {known}, and each provider's "
            "learning.<provider>.completions and partner.<provider>.course-events"
        )
    connection = connection_of(bootstrap, kafka_username, kafka_password, kafka_security_protocol)
    with contextlib.suppress(KeyboardInterrupt):
        run_on_kafka(_tail(connection, physical, from_beginning, limit), connection)


def register(app: typer.Typer) -> None:
    app.command("publish-course")(publish_course)
    app.command("complete")(complete)
    app.command("tail")(tail)
