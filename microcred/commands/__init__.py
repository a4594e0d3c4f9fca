"""Subcommands of the ``microcred`` CLI (one module per command group)."""
