"""Shared pytest setup; the real-infrastructure fixtures live in tests/infra.py."""

pytest_plugins = ["tests.infra"]
