"""Why a command was refused: a machine-readable code and words for people. Entrypoints turn
the code into problem details (``entrypoints/problems.py``) or dead letters."""

from __future__ import annotations


class CommandRefused(Exception):
    """Base: the command cannot be carried out as asked."""

    code = "refused"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(CommandRefused):
    code = "not_found"


class Unauthorized(CommandRefused):
    code = "unauthorized"


class Invalid(CommandRefused):
    code = "invalid"
