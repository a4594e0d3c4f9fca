"""Errors raised by the local stack; the CLI prints their message as one ``error: ...`` line."""

from __future__ import annotations


class StackError(RuntimeError):
    """The local stack cannot do what was asked (port taken, process died, timeout, ...)."""


class ToolMissingError(StackError):
    """A required executable (java, mvn, go) is not on ``PATH``."""
