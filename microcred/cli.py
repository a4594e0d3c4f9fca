"""The ``microcred`` command line: one typer app, each command group in ``microcred.commands``.

Commands register themselves through :func:`register`; another command module is added by
importing it in :data:`COMMAND_MODULES` and giving it a ``register(app)`` function.
"""

from __future__ import annotations

import importlib

import typer

# Modules that contribute commands; each exposes ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = (
    "microcred.commands.keys",
    "microcred.commands.sign",
    "microcred.commands.present",
    "microcred.commands.verify",
    "microcred.commands.events",
    "microcred.commands.kafka",
    "microcred.commands.dlq",
    "microcred.commands.ecosystem",
)


def create_app() -> typer.Typer:
    app = typer.Typer(
        name="microcred",
        help="Micro-credential ecosystem tools: keys, signing and verifying credentials.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)
    return app


app = create_app()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
