"""``microcred dlq``: an operator replays a dead-letter topic once the cause is fixed.

Run as a principal that may read the dead-letter topic and write the topic it belongs to (the
cluster's operator, ``MICROCRED_KAFKA_USERNAME`` / ``_PASSWORD``). Replaying is safe to repeat:
the consumers dedupe by event id.
"""

from __future__ import annotations

from typing import Annotated

import typer
from microcred_shared.events.topics import DEAD_LETTER_SUFFIX
from microcred_shared.messaging.dead_letter_replay import ReplayPlan, replay_dead_letters

from ._io import fail_usage
from .events import Bootstrap, Password, Protocol, Username, connection_of, run_on_kafka

dlq_app = typer.Typer(help="Dead-letter topics: replay their records after a fix.")


@dlq_app.command("replay")
def replay(
    topic: Annotated[
        str, typer.Argument(help="the dead-letter topic, e.g. learning.completions.dlq")
    ],
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="replay only letters with this reason code"),
    ] = None,
    bootstrap: Bootstrap = "127.0.0.1:9092",
    kafka_username: Username = None,
    kafka_password: Password = None,
    kafka_security_protocol: Protocol = None,
) -> None:
    """Publish each letter's original record again to the topic it came from (key and headers
    kept); print how many were replayed and skipped, and why."""
    if not topic.endswith(DEAD_LETTER_SUFFIX):
        fail_usage(f"{topic} is not a dead-letter topic: name the …{DEAD_LETTER_SUFFIX} topic")
    connection = connection_of(bootstrap, kafka_username, kafka_password, kafka_security_protocol)

    async def apply() -> None:
        try:
            plan = await replay_dead_letters(connection, topic, reason=reason)
        except LookupError as error:
            fail_usage(str(error))
        typer.echo(summary(plan, topic.removesuffix(DEAD_LETTER_SUFFIX)))

    run_on_kafka(apply(), connection)


def summary(plan: ReplayPlan, target: str) -> str:
    skipped = sum(plan.skipped.values())
    why = ", ".join(f"{count} {cause}" for cause, count in sorted(plan.skipped.items()))
    return f"replayed {len(plan.replays)} to {target}; skipped {skipped}" + (
        f" ({why})" if why else ""
    )


def register(app: typer.Typer) -> None:
    app.add_typer(dlq_app, name="dlq")
