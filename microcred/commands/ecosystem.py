"""``microcred up | down | status | demo``: the whole ecosystem on this machine."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from microcred_shared.messaging.connection import KafkaConnection

from microcred.ecosystem.processes import Ecosystem, EcosystemError
from stack import StackError, default_root
from stack.cli import stack_from_env

EXTERNAL_HINT = "KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI are set: using that Kafka and database"


def _external() -> tuple[KafkaConnection, str] | None:
    """Servers named in the environment: the Kafka connection (with its operator principal,
    ``MICROCRED_KAFKA_USERNAME`` / ``_PASSWORD``, when it uses SASL) and the database URI."""
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URI")
    return (KafkaConnection.from_environment(), mongo) if kafka and mongo else None


def current_ecosystem() -> Ecosystem:
    """The ecosystem `microcred up` runs: the local stack unless external servers are set."""
    external = _external()
    if external:
        kafka, mongo = external
    else:
        stack = stack_from_env()
        kafka, mongo = stack.kafka_admin, stack.mongodb_uri
    return Ecosystem(
        run_dir=default_root() / "run" / "ecosystem",
        kafka=kafka,
        mongodb_uri=mongo,
        topic_prefix=os.environ.get("MICROCRED_TOPIC_PREFIX", ""),
    )


def up(
    seed: Annotated[bool, typer.Option(help="seed the demo ecosystem")] = True,
) -> None:
    """Start the stack, the four services and seed the demo; print where everything is."""
    try:
        if _external():
            typer.echo(EXTERNAL_HINT)
        else:
            launched = stack_from_env().start()
            typer.echo(f"stack: {'started ' + ', '.join(launched) if launched else 'already up'}")
        ecosystem = current_ecosystem()
        ecosystem.start()
    except (StackError, EcosystemError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    if seed:
        from microcred.ecosystem.demo import seed_demo

        seed_demo(ecosystem)
    print_urls(ecosystem)


def print_urls(ecosystem: Ecosystem) -> None:
    typer.echo("\nmicrocred is running:")
    for service in ecosystem.services:
        typer.echo(f"  {service.name:<10} {service.url}   (OpenAPI: {service.url}/docs)")
    verifier, catalogue = ecosystem.service("verifier"), ecosystem.service("catalogue")
    typer.echo(f"\n  employers verify at   {verifier.url}/")
    typer.echo(f"  browse the catalogue  {catalogue.url}/")
    typer.echo(
        f"  a pathway graph       {catalogue.url}/pathways/mechatronics-certificate/page"
        "?held=riverside-vet:VET-PLC"
    )
    typer.echo(
        f"  a provider dashboard  {catalogue.url}/providers/hollin-tu/dashboard "
        "(sign in with its API key, or CATALOGUE_ADMIN_TOKEN from dev-secrets.json)"
    )
    typer.echo(
        f"  learners' pages       {ecosystem.service('issuer').url}/credentials/<id>/page, "
        f"their wallet at {ecosystem.service('issuer').url}/wallet "
        "(links in the e-mails, see mailsink.log)"
    )
    typer.echo(f"  Kafka {ecosystem.kafka_bootstrap}   MongoDB {ecosystem.mongodb_uri}")
    print_kafka_access(ecosystem)
    typer.echo(f"  logs in {ecosystem.run_dir}/   stop with `make down`")


def print_kafka_access(ecosystem: Ecosystem) -> None:
    from microcred.ecosystem.demo import principals_file

    if not ecosystem.kafka.uses_sasl:
        return
    kept = principals_file(ecosystem)
    typer.echo(
        "\n  Kafka authenticates every client (SASL/SCRAM) and each principal may touch only its"
        "\n  own topics (see docs/trust-model.md). To act as the demo provider Hollin TU:"
    )
    read = f'python3 -c \'import json; print(json.load(open("{kept}"))["hollin-tu"]["{{}}"])\''
    typer.echo(
        f"    export KAFKA_BOOTSTRAP_SERVERS={ecosystem.kafka_bootstrap}"
        f" MICROCRED_KAFKA_USERNAME=$({read.format('username')})"
        f" MICROCRED_KAFKA_PASSWORD=$({read.format('password')})"
    )
    typer.echo("    uv run microcred tail learning.hollin-tu.completions.dlq --from-beginning")
    typer.echo(
        '  (the university\'s read-only principal is under "hollin-tu-registry" in the same file)'
    )


def down() -> None:
    """Stop the four services, then the local stack."""
    current_ecosystem().stop()
    typer.echo("services stopped")
    if not _external():
        stack_from_env().stop()
        typer.echo("stack stopped")


def status() -> None:
    """Show which services and servers are running."""
    for name, state in current_ecosystem().status().items():
        typer.echo(f"{name:<10} {state}")
    if not _external():
        for server in stack_from_env().status():
            typer.echo(server.describe())


def demo() -> None:
    """Replay the demo story against the running ecosystem, printing and checking each step."""
    from microcred.ecosystem.demo import run_demo

    if not run_demo(current_ecosystem()):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("down")(down)
    app.command("status")(status)
    app.command("demo")(demo)
